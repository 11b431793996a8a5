/**
 * The desktop smoke path. Needs the Electron binary, which cannot be downloaded on machines
 * without internet: there the specs skip with the reason.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { API_METHODS } from '#shared/contract';
import { findElectronBinary } from '../../scripts/electron-binary.mjs';

const binary = findElectronBinary();
const SKIP_REASON =
  'no Electron binary in node_modules/electron/dist (it cannot be downloaded here)';
test.skip(!binary, SKIP_REASON);

test('the desktop app opens on the empty state, sandboxed, from app://', async () => {
  const userData = await mkdtemp(join(tmpdir(), 'petrel-electron-'));
  const app = await electron.launch({
    executablePath: binary,
    args: [join(import.meta.dirname, '../..'), `--user-data-dir=${userData}`, '--no-sandbox'],
  });
  try {
    const window = await app.firstWindow();
    await expect(window.getByRole('heading', { name: 'Add your first account' })).toBeVisible();
    expect(window.url()).toBe('app://petrel/index.html');
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe(
      'undefined',
    );
    const methods = await window.evaluate(() =>
      Object.keys((globalThis as { petrel?: object }).petrel ?? {}).sort(),
    );
    expect(methods).toEqual([...API_METHODS, 'on'].sort());
  } finally {
    await app.close();
    await rm(userData, { recursive: true, force: true });
  }
});
