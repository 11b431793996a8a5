// Where the Electron binary is, without triggering electron's lazy download (requiring the
// `electron` package would start one). Shared by `npm start` and the Electron e2e specs.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** @returns {string | undefined} the binary's path when it is on disk */
export function findElectronBinary() {
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const packageDir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  if (override) {
    const binary = join(override, relative ?? 'electron');
    return existsSync(binary) ? binary : undefined;
  }
  if (!relative) return undefined;
  const binary = join(packageDir, 'dist', relative);
  return existsSync(binary) ? binary : undefined;
}

/**
 * Tries electron's own downloader once (it needs github.com or a mirror).
 * @returns {{ binary?: string, reason?: string }}
 */
export function downloadElectronBinary() {
  const packageDir = dirname(require.resolve('electron/package.json'));
  const result = spawnSync(process.execPath, [join(packageDir, 'install.js')], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const binary = findElectronBinary();
  if (binary) return { binary };
  const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
  const firstError = output
    .split('\n')
    .find((line) => /error|failed/i.test(line))
    ?.trim();
  const detail = firstError?.replace(/^\w*Error: /, '') || `exit code ${result.status}`;
  return { reason: `the download failed: ${detail}` };
}
