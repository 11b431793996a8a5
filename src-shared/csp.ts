/**
 * The Content-Security-Policy of the app's own pages, the same in Electron (app://) and in browser
 * mode. No inline script, no eval, no remote anything: mail HTML is rendered in sandboxed frames
 * with a policy of its own.
 */
export function appContentSecurityPolicy(opts: { connectSrc?: string[] } = {}): string {
  const connect = ["'self'", ...(opts.connectSrc ?? [])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "frame-src 'self' blob:",
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * The empty documents mail HTML is put into. A frame made from srcdoc, blob: or data: would inherit
 * the app's policy, which mail styles cannot live with; a document of our own carries its own.
 */
export const MAIL_FRAME_PATH = '/mail-frame.html';
export const MAIL_FRAME_REMOTE_PATH = '/mail-frame-remote.html';

/**
 * The policy of a mail frame: never any script, and no network unless the user allowed remote
 * content for this message; then only images, stylesheets and fonts. The `sandbox` directive
 * repeats the iframe's sandbox attribute, so the document stays script-less even if it is opened
 * some other way.
 */
export function mailFrameContentSecurityPolicy(opts: { remote: boolean }): string {
  const remote = opts.remote ? ' http: https:' : '';
  return [
    "default-src 'none'",
    `style-src 'unsafe-inline'${remote}`,
    `img-src data:${remote}`,
    `font-src data:${remote}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
    'sandbox allow-same-origin',
  ].join('; ');
}

/** The frame policy for a request path, or undefined for every other page (they get the app's). */
export function mailFramePolicyForPath(pathname: string): string | undefined {
  if (pathname === MAIL_FRAME_PATH) return mailFrameContentSecurityPolicy({ remote: false });
  if (pathname === MAIL_FRAME_REMOTE_PATH) return mailFrameContentSecurityPolicy({ remote: true });
  return undefined;
}
