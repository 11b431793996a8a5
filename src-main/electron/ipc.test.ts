/**
 * Drives the real IPC registration and the real preload through an in-process fake of ipcMain,
 * ipcRenderer and contextBridge. Payloads are structured-cloned on the way, as Electron does.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcMainInvokeEvent, IpcRendererEvent } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { API_METHODS, type PetrelBridge } from '#shared/contract';
import type { AccountSummary } from '#shared/accounts';
import { PetrelError } from '#shared/result';
import { createCore } from '../core/petrel-core.ts';
import { FileSecretStore } from '../core/secrets/secret-store.ts';
import type { Logger } from '../core/ports.ts';
import { APP_ORIGIN, registerIpc, trustedSenderCheck, webContentsEventSink } from './ipc.ts';
import { exposeBridge } from './preload/index.ts';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;
type RendererListener = (event: IpcRendererEvent, ...args: unknown[]) => void;

class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

/** One renderer frame at `frameUrl`: its ipcRenderer, and the webContents main sends to. */
class FakeRenderer {
  private readonly listeners = new Map<string, Set<RendererListener>>();
  readonly world: Record<string, unknown> = {};

  constructor(
    private readonly ipcMain: FakeIpcMain,
    private readonly frameUrl: string | undefined,
  ) {}

  readonly ipcRenderer = {
    invoke: async (channel: string, ...args: unknown[]) => {
      const handler = this.ipcMain.handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      const event = { senderFrame: this.frameUrl ? { url: this.frameUrl } : null };
      const result = await handler(
        event as unknown as IpcMainInvokeEvent,
        ...structuredClone(args),
      );
      return structuredClone(result);
    },
    on: (channel: string, listener: RendererListener) => {
      const set = this.listeners.get(channel) ?? new Set();
      set.add(listener);
      this.listeners.set(channel, set);
      return this.ipcRenderer;
    },
    removeListener: (channel: string, listener: RendererListener) => {
      this.listeners.get(channel)?.delete(listener);
      return this.ipcRenderer;
    },
  };

  readonly contextBridge = {
    exposeInMainWorld: (key: string, api: unknown) => {
      this.world[key] = api;
    },
  };

  readonly webContents = {
    isDestroyed: () => false,
    send: (channel: string, ...args: unknown[]) => {
      for (const listener of this.listeners.get(channel) ?? []) {
        listener({} as IpcRendererEvent, ...structuredClone(args));
      }
    },
  };

  get petrel(): PetrelBridge {
    return this.world['petrel'] as PetrelBridge;
  }
}

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const server = { host: 'mail.example.test', port: 993, security: 'tls' as const };
const alice: AccountSummary = {
  id: 'a1',
  name: 'Work',
  email: 'alice@example.test',
  username: 'alice',
  imap: server,
  smtp: { ...server, port: 465 },
};

describe('IPC registration and preload', () => {
  let profileDir: string;
  let ipcMain: FakeIpcMain;
  let renderer: FakeRenderer;
  let unregister: () => void;

  beforeEach(async () => {
    profileDir = await mkdtemp(join(tmpdir(), 'petrel-ipc-'));
    await writeFile(
      join(profileDir, 'settings.json'),
      JSON.stringify({ version: 1, accounts: [alice] }),
    );
    ipcMain = new FakeIpcMain();
    renderer = new FakeRenderer(ipcMain, `${APP_ORIGIN}/index.html`);
    const core = createCore({
      profileDir,
      mode: 'electron',
      version: '9.9.9',
      events: webContentsEventSink(() => renderer.webContents as never),
      logger: silent,
      secrets: new FileSecretStore(join(profileDir, 'secrets.json'), 'profile-file'),
    });
    unregister = registerIpc(ipcMain, core.api, trustedSenderCheck(), silent);
    exposeBridge(renderer.contextBridge, renderer.ipcRenderer as never);
  });

  afterEach(async () => {
    unregister();
    await rm(profileDir, { recursive: true, force: true });
  });

  it('registers one handler per contract method and exposes exactly those plus on()', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(
      API_METHODS.map((m) => `petrel:${m}`).sort(),
    );
    expect(Object.keys(renderer.world)).toEqual(['petrel']);
    expect(Object.keys(renderer.petrel).sort()).toEqual([...API_METHODS, 'on'].sort());
  });

  it('round-trips a call from the preload to the core and back', async () => {
    await expect(renderer.petrel.getAppInfo()).resolves.toMatchObject({
      name: 'Petrel',
      version: '9.9.9',
      mode: 'electron',
    });
    await expect(renderer.petrel.listAccounts()).resolves.toEqual([alice]);
  });

  it('delivers pushed events to subscribers until they unsubscribe', () => {
    const sink = webContentsEventSink(() => renderer.webContents as never);
    const seen = vi.fn();
    const unsubscribe = renderer.petrel.on('accountsChanged', seen);
    sink.emit('accountsChanged', [alice]);
    expect(seen).toHaveBeenCalledExactlyOnceWith([alice]);
    unsubscribe();
    sink.emit('accountsChanged', []);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('refuses calls from frames that are not the app', async () => {
    for (const url of [
      'https://evil.example/',
      'file:///tmp/index.html',
      'app://other/x',
      undefined,
    ]) {
      const foreign = new FakeRenderer(ipcMain, url);
      exposeBridge(foreign.contextBridge, foreign.ipcRenderer as never);
      const call = foreign.petrel.listAccounts();
      await expect(call).rejects.toBeInstanceOf(PetrelError);
      await expect(call).rejects.toMatchObject({ code: 'forbidden' });
    }
  });

  it('validates arguments at the boundary', async () => {
    const invoke = renderer.ipcRenderer.invoke('petrel:getAppInfo', 'unexpected');
    await expect(invoke).resolves.toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
  });

  it('rejects subscriptions to events the contract does not have', () => {
    expect(() => renderer.petrel.on('noSuchEvent' as never, () => {})).toThrow(/Unknown/);
  });
});

describe('trustedSenderCheck', () => {
  it('accepts the app origin, and the dev server only when one is configured', () => {
    const packaged = trustedSenderCheck();
    const dev = trustedSenderCheck('http://localhost:5173/');
    expect(packaged('app://petrel/index.html')).toBe(true);
    expect(packaged('http://localhost:5173/')).toBe(false);
    expect(dev('http://localhost:5173/index.html')).toBe(true);
    expect(dev('http://localhost:5174/')).toBe(false);
    expect(packaged('not a url')).toBe(false);
  });
});
