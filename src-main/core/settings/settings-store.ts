/**
 * The profile's settings document (`settings.json`): account configuration and preferences.
 * Secrets never go here. Mail data never goes here either: it lives in the renderer's cache.
 */
import { join } from 'node:path';
import type { AccountSummary } from '#shared/accounts';
import { readJsonFile, writeJsonFile } from './json-file.ts';

export interface Settings {
  version: 1;
  accounts: AccountSummary[];
}

const EMPTY: Settings = { version: 1, accounts: [] };

export class SettingsStore {
  private readonly path: string;
  private cached: Settings | undefined;

  constructor(profileDir: string) {
    this.path = join(profileDir, 'settings.json');
  }

  async read(): Promise<Settings> {
    this.cached ??= await readJsonFile<Settings>(this.path, EMPTY);
    return this.cached;
  }

  async update(change: (current: Settings) => Settings): Promise<Settings> {
    const next = change(await this.read());
    await writeJsonFile(this.path, next);
    this.cached = next;
    return next;
  }
}
