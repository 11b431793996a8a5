/**
 * Serves the built renderer from `app://petrel/…` instead of `file://`: a standard, secure origin
 * (so IndexedDB, fetch and CSP behave as on the web), no access to the rest of the disk, and the
 * same Content-Security-Policy headers as browser mode (the mail frames get their own).
 */
import { net, protocol } from 'electron';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { appContentSecurityPolicy, mailFramePolicyForPath } from '#shared/csp';
import { APP_HOST, APP_SCHEME } from './ipc.ts';

/** Must run before `app` is ready: privileges cannot be granted afterwards. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ]);
}

export function serveRenderer(rendererDir: string): void {
  const root = normalize(rendererDir + sep);
  const csp = appContentSecurityPolicy();
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('Not found', { status: 404 });
    const file = resolveAsset(root, decodeURIComponent(url.pathname));
    if (!file) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', mailFramePolicyForPath(url.pathname) ?? csp);
    headers.set('X-Content-Type-Options', 'nosniff');
    // Remote images in a mail the user allowed must not tell the sender which client asked.
    headers.set('Referrer-Policy', 'no-referrer');
    return new Response(response.body, { status: response.status, headers });
  });
}

/** Maps a URL path inside the renderer folder; routes without an extension get the app shell. */
function resolveAsset(root: string, pathname: string): string | undefined {
  const relative = extname(pathname) ? pathname : '/index.html';
  const file = normalize(join(root, relative));
  return file.startsWith(root) ? file : undefined;
}
