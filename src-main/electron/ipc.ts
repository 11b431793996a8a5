/**
 * Registers one `ipcMain.handle` per contract method. Every handler first checks that the call
 * comes from one of the app's own frames, then hands the payload to the shared boundary
 * (`dispatchCall`) which validates it. Calls from anything else are refused, not answered.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { API_METHODS, callChannel, eventChannel, type PetrelApi } from '#shared/contract';
import type { CallResult } from '#shared/result';
import { dispatchCall } from '../core/api/dispatch.ts';
import type { EventSink, Logger } from '../core/ports.ts';

/** The structural part of `ipcMain` this module uses; the real one and the test fake both fit. */
export type IpcMainLike = Pick<IpcMain, 'handle' | 'removeHandler'>;

export type SenderCheck = (senderUrl: string | undefined) => boolean;

export function registerIpc(
  ipcMain: IpcMainLike,
  api: PetrelApi,
  isTrustedSender: SenderCheck,
  logger: Logger,
): () => void {
  for (const method of API_METHODS) {
    ipcMain.handle(callChannel(method), async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      const senderUrl = event.senderFrame?.url;
      if (!isTrustedSender(senderUrl)) {
        logger.warn('refused an IPC call from a foreign frame', { method, senderUrl });
        return refused();
      }
      return dispatchCall(api, method, args, logger);
    });
  }
  return () => {
    for (const method of API_METHODS) ipcMain.removeHandler(callChannel(method));
  };
}

function refused(): CallResult<never> {
  return {
    ok: false,
    error: { code: 'forbidden', message: 'This page is not allowed to talk to Petrel.' },
  };
}

/** Only pages served by the app itself (`app://petrel/…`), or the dev server when one is used. */
export function trustedSenderCheck(devServerUrl?: string): SenderCheck {
  const devOrigin = devServerUrl ? new URL(devServerUrl).origin : undefined;
  return (senderUrl) => {
    if (!senderUrl) return false;
    let url: URL;
    try {
      url = new URL(senderUrl);
    } catch {
      return false;
    }
    if (url.protocol === 'app:' && url.host === APP_HOST) return true;
    return devOrigin !== undefined && url.origin === devOrigin;
  };
}

export const APP_SCHEME = 'app';
export const APP_HOST = 'petrel';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Forwards core events to the main window's renderer; dropped while no renderer is attached. */
export function webContentsEventSink(getTarget: () => WebContents | undefined): EventSink {
  return {
    emit(event, payload) {
      const target = getTarget();
      if (target && !target.isDestroyed()) target.send(eventChannel(event), payload);
    },
  };
}
