/**
 * Once per e2e run: build the app when a source is newer than the build (a spec must never test
 * yesterday's code), start the mail rig (Dovecot + Postfix) for the specs
 * that need real accounts, and say in one line why the Electron specs skip here.
 */
import { buildIfStale } from '../../scripts/build-if-stale.mjs';
import { findElectronBinary } from '../../scripts/electron-binary.mjs';
import { startMailServers, stopMailServers } from '../mailserver/rig.ts';

export const RIG_ENV = 'PETREL_E2E_RIG';

export default async function globalSetup(): Promise<() => Promise<void>> {
  buildIfStale();
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
