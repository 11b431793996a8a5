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
