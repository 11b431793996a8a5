/**
 * Debian's Chromium, as Playwright must use it here: no browser download is possible, and
 * without the background-networking flags Chromium keeps dialing Google's hosts on a closed
 * network. Override the binary with PETREL_CHROMIUM.
 */
import type { LaunchOptions } from '@playwright/test';

export const chromiumLaunchOptions: LaunchOptions = {
  executablePath: process.env['PETREL_CHROMIUM'] ?? '/usr/bin/chromium',
  args: [
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
  ],
};
