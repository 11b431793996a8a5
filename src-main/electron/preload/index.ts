/**
 * The preload exposes exactly the contract on `window.petrel`: one function per method, built from
 * the method list (never a generic invoke), and `on(event, cb)` that hides Electron's event object
 * and returns its own unsubscribe. Sandboxed, so this file is bundled on its own.
 */
import type { ContextBridge, IpcRenderer, IpcRendererEvent } from 'electron';
import {
  API_METHODS,
  callChannel,
  eventChannel,
  isEventName,
  type PetrelApi,
  type PetrelBridge,
} from '#shared/contract';
import { unwrap, type CallResult } from '#shared/result';

export function buildBridge(ipcRenderer: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>) {
  const calls = Object.fromEntries(
    API_METHODS.map((method) => [
      method,
      async (...args: unknown[]) =>
        unwrap((await ipcRenderer.invoke(callChannel(method), ...args)) as CallResult<unknown>),
    ]),
  ) as unknown as PetrelApi;

  const on: PetrelBridge['on'] = (event, listener) => {
    if (!isEventName(event)) throw new Error(`Unknown Petrel event: ${String(event)}`);
    const channel = eventChannel(event);
    const wrapped = (_event: IpcRendererEvent, payload: unknown) =>
      listener(payload as Parameters<typeof listener>[0]);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  };

  return { ...calls, on } satisfies PetrelBridge;
}

export function exposeBridge(
  contextBridge: Pick<ContextBridge, 'exposeInMainWorld'>,
  ipcRenderer: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>,
): void {
  contextBridge.exposeInMainWorld('petrel', buildBridge(ipcRenderer));
}
