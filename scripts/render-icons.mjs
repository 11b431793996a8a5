// Renders assets/icon.svg to assets/icon.png (1024 px; electron-builder derives .icns and .ico
// from it) with Debian's Chromium. Run after changing the SVG: node scripts/render-icons.mjs
import { readFile, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from '@playwright/test';

const root = join(import.meta.dirname, '..');
const svg = await readFile(join(root, 'assets/icon.svg'), 'utf8');
const browser = await chromium.launch({
  executablePath: process.env['PETREL_CHROMIUM'] ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const page = await browser.newPage({ viewport: { width: 1024, height: 1024 } });
await page.setContent(
  `<body style="margin:0;background:transparent">${svg.replace('width="512" height="512"', 'width="1024" height="1024"')}</body>`,
);
await writeFile(join(root, 'assets/icon.png'), await page.screenshot({ omitBackground: true }));
await copyFile(join(root, 'assets/icon.svg'), join(root, 'src-renderer/public/icon.svg'));
await browser.close();
