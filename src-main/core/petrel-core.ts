/**
 * The host-independent heart of the main process. A host (Electron shell or browser-mode server)
 * creates one core per profile, routes calls into `api` and forwards what it emits.
 */
import type { PetrelApi } from '#shared/contract';
import type { HostMode } from '#shared/dto';
import type { EventSink, Logger } from './ports.ts';
import { SettingsStore } from './settings/settings-store.ts';

export interface CoreOptions {
  profileDir: string;
  mode: HostMode;
  version: string;
  events: EventSink;
  logger: Logger;
}

export interface PetrelCore {
  readonly api: PetrelApi;
  dispose(): Promise<void>;
}

export function createCore(options: CoreOptions): PetrelCore {
  const settings = new SettingsStore(options.profileDir);
  const api: PetrelApi = {
    getAppInfo: async () => ({
      name: 'Petrel',
      version: options.version,
      mode: options.mode,
      platform: process.platform,
    }),
    listAccounts: async () => (await settings.read()).accounts,
  };
  return {
    api,
    dispose: async () => {},
  };
}
