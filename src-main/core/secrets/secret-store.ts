/**
 * Account passwords, kept apart from settings. One JSON file of encoded values: in Electron each
 * value is encrypted with `safeStorage`; in browser mode there is no OS keychain to ask, so the
 * file (mode 0600, in the profile) holds them as they are, and the UI says so.
 */
import type { SecretStorageKind } from '#shared/accounts';
import { readJsonFile, writeJsonFile } from '../settings/json-file.ts';

export interface SecretStore {
  readonly kind: SecretStorageKind;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface SecretCodec {
  encode(plain: string): string;
  decode(stored: string): string;
}

export const plainCodec: SecretCodec = { encode: (s) => s, decode: (s) => s };

export class FileSecretStore implements SecretStore {
  private writes = Promise.resolve();

  constructor(
    private readonly path: string,
    readonly kind: SecretStorageKind,
    private readonly codec: SecretCodec = plainCodec,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const stored = (await this.read())[key];
    return stored === undefined ? undefined : this.codec.decode(stored);
  }

  set(key: string, value: string): Promise<void> {
    return this.change((all) => ({ ...all, [key]: this.codec.encode(value) }));
  }

  delete(key: string): Promise<void> {
    return this.change(({ [key]: _gone, ...rest }) => rest);
  }

  private read(): Promise<Record<string, string>> {
    return readJsonFile<Record<string, string>>(this.path, {});
  }

  /** Serialized read-modify-write, so that two quick changes cannot lose one another. */
  private change(edit: (all: Record<string, string>) => Record<string, string>): Promise<void> {
    const next = this.writes.then(async () => writeJsonFile(this.path, edit(await this.read())));
    this.writes = next.catch(() => {});
    return next;
  }
}
