/** Says once, in one line, why the Electron specs skip here; and refuses to test a stale build. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findElectronBinary } from '../../scripts/electron-binary.mjs';

export default function globalSetup(): void {
  const root = join(import.meta.dirname, '../..');
  if (!existsSync(join(root, 'out/main/browser.js'))) {
    throw new Error('No build in out/: run `npm run build` first (npm test does).');
  }
  if (!findElectronBinary()) {
    console.log(
      'Electron specs skip: no Electron binary (it cannot be downloaded on this machine).',
    );
  }
}
