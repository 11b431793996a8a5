/**
 * Once per e2e run: refuse a missing build, start the mail rig (Dovecot + Postfix) for the specs
 * that need real accounts, and say in one line why the Electron specs skip here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findElectronBinary } from '../../scripts/electron-binary.mjs';
import { startMailServers, stopMailServers } from '../mailserver/rig.ts';

export const RIG_ENV = 'PETREL_E2E_RIG';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = join(import.meta.dirname, '../..');
  if (!existsSync(join(root, 'out/main/browser.js'))) {
    throw new Error('No build in out/: run `npm run build` first (npm test does).');
  }
  if (!findElectronBinary()) {
    console.log(
      'Electron specs skip: no Electron binary (it cannot be downloaded on this machine).',
    );
  }
  const rig = await startMailServers();
  // Workers inherit the environment as it is after global setup.
  process.env[RIG_ENV] = JSON.stringify(rig);
  return () => stopMailServers(rig);
}
