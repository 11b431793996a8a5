/**
 * Passwords encrypted with Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet). On Linux
 * without a keyring it falls back to a fixed key ("basic_text"): still stored, but the UI warns.
 */
import { safeStorage } from 'electron';
import { join } from 'node:path';
import type { SecretStorageKind } from '#shared/accounts';
import { FileSecretStore, type SecretStore } from '../core/secrets/secret-store.ts';

export function safeStorageSecrets(userDataDir: string): SecretStore {
  return new FileSecretStore(join(userDataDir, 'secrets.json'), storageKind(), {
    encode: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decode: (stored) => safeStorage.decryptString(Buffer.from(stored, 'base64')),
  });
}

function storageKind(): SecretStorageKind {
  if (process.platform !== 'linux') return 'os-keychain';
  return safeStorage.getSelectedStorageBackend() === 'basic_text' ? 'basic-text' : 'os-keychain';
}
