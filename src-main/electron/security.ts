/**
 * App-wide web-contents rules: no navigation away from the app, no new windows, no webviews, no
 * permission grants but notifications for the app itself. Links leave the app only as http(s)/mailto, through the system's handler.
 */
import { app, session, shell, type WebContents } from 'electron';
import { APP_HOST, APP_SCHEME } from './ipc.ts';

const EXTERNAL_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

export function isSafeExternalUrl(raw: string): boolean {
  try {
    return EXTERNAL_PROTOCOLS.has(new URL(raw).protocol);
  } catch {
    return false;
  }
}

export function openExternalSafely(raw: string): void {
  if (isSafeExternalUrl(raw)) void shell.openExternal(raw);
}

function isGranted(permission: string, url: string): boolean {
  if (permission !== 'notifications') return false;
  try {
    const { protocol, host } = new URL(url);
    return protocol === `${APP_SCHEME}:` && host === APP_HOST;
  } catch {
    return false;
  }
}

export function hardenWebContents(): void {
  // New-mail notifications are the one permission, and only for the app's own pages.
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(isGranted(permission, details.requestingUrl)),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission, origin) =>
    isGranted(permission, origin),
  );
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      event.preventDefault();
      openExternalSafely(url);
    });
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      openExternalSafely(url);
      return { action: 'deny' };
    });
  });
}
