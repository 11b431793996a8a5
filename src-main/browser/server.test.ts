/**
 * Browser mode's gatekeeping on a real loopback socket: token, cookie, Host and Origin checks,
 * and the one-UI-at-a-time session rule.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '#shared/browser-wire';
import type { PetrelApi } from '#shared/contract';
import { mailFrameContentSecurityPolicy } from '#shared/csp';
import type { Logger } from '../core/ports.ts';
import { startBrowserServer, type BrowserServer } from './server.ts';

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const api: PetrelApi = {
  getAppInfo: async () => ({
    name: 'Petrel',
    version: '1.0.0',
    mode: 'browser',
    platform: 'test',
    secretStorage: 'profile-file',
  }),
  listAccounts: async () => [],
  testConnection: async () => ({ ok: true }),
  addAccount: async () => {
    throw new Error('not used here');
  },
  updateAccount: async () => {
    throw new Error('not used here');
  },
  removeAccount: async () => {},
  attachCache: async () => {},
  ackBatch: async () => {},
  loadParts: async () => {},
  reconnectNow: async () => {},
  performTask: async () => ({ ok: true }),
  setUnreadCount: async () => {},
  mailtoHandler: async () => ({ supported: false, isDefault: false }),
  setMailtoHandler: async () => ({ supported: false, isDefault: false }),
  takeMailto: async () => [],
  openComposerWindow: async () => false,
  smtpSizeLimit: async () => ({ server: 'smtp.example.test' }),
  searchServer: async () => ({ folders: [], approximate: [] }),
  loadMessages: async () => 0,
};

let server: BrowserServer;
let rendererDir: string;
let origin: string;
let cookie: string;

beforeAll(async () => {
  rendererDir = await mkdtemp(join(tmpdir(), 'petrel-renderer-'));
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Petrel</title>');
  await writeFile(join(rendererDir, 'mail-frame.html'), '<!doctype html><body></body>');
  await writeFile(join(rendererDir, 'mail-frame-remote.html'), '<!doctype html><body></body>');
  await writeFile(join(rendererDir, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  server = await startBrowserServer({ port: 0, rendererDir, logger: silent });
  server.attachApi(api);
  origin = `http://127.0.0.1:${server.port}`;
  const exchange = await fetch(server.url, { redirect: 'manual' });
  cookie = (exchange.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
});

afterAll(async () => {
  await server.close();
  await rm(rendererDir, { recursive: true, force: true });
});

describe('HTTP', () => {
  it('refuses requests without the token with 401', async () => {
    const response = await fetch(`${origin}/`);
    expect(response.status).toBe(401);
    expect(await response.text()).toMatch(/link it printed/);
    expect((await fetch(`${origin}/?token=wrong`)).status).toBe(401);
  });

  it('trades the token in the URL for an HttpOnly SameSite cookie and drops it from the URL', async () => {
    const response = await fetch(server.url, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    expect(response.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it('serves the app with the cookie, under the app CSP', async () => {
    const response = await fetch(`${origin}/`, { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Petrel</title>');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
  });

  it('serves the mail frames under their own policy: no script, no network', async () => {
    const blocked = await fetch(`${origin}/mail-frame.html`, { headers: { cookie } });
    expect(blocked.status).toBe(200);
    const csp = blocked.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(mailFrameContentSecurityPolicy({ remote: false }));
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'unsafe-inline'");
    expect(csp).toContain('img-src data:;');
    expect(csp).toContain('sandbox allow-same-origin');
    expect(csp).not.toMatch(/script-src|http:|https:|unsafe-eval/);
    expect(blocked.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('serves the remote-content frame with remote images, styles and fonts allowed', async () => {
    const remote = await fetch(`${origin}/mail-frame-remote.html`, { headers: { cookie } });
    expect(remote.status).toBe(200);
    const csp = remote.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(mailFrameContentSecurityPolicy({ remote: true }));
    expect(csp).toContain('img-src data: http: https:');
    expect(csp).toContain("style-src 'unsafe-inline' http: https:");
    expect(csp).toContain('font-src data: http: https:');
    expect(csp).not.toMatch(/script-src|connect-src/);
  });

  it('keeps the app policy for every other path, and the token for the frames', async () => {
    for (const path of ['/', '/icon.svg', '/mail-frame', '/mail-frame.html/x.html']) {
      const response = await fetch(`${origin}${path}`, { headers: { cookie } });
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      await response.body?.cancel();
    }
    expect((await fetch(`${origin}/mail-frame.html`)).status).toBe(401);
  });

  it('does not serve files outside the renderer folder', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'petrel-outside-'));
    await writeFile(join(outside, 'secret.txt'), 'secret');
    try {
      const escape = `/..%2f${basename(outside)}%2fsecret.txt`;
      const response = await fetch(`${origin}${escape}`, { headers: { cookie } });
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('secret');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('refuses a foreign Host (DNS rebinding)', async () => {
    const response = await rawGet('/', { host: `evil.example:${server.port}`, cookie });
    expect(response).toBe(421);
  });
});

describe('WebSocket', () => {
  it('refuses a socket without the cookie or from another origin', async () => {
    await expect(openSocket({ origin })).rejects.toThrow(/401/);
    await expect(openSocket({ origin: 'http://evil.example', cookie })).rejects.toThrow(/401/);
  });

  it('carries calls, and lets only one tab be the UI at a time', async () => {
    const first = await openSocket({ origin, cookie });
    expect(await first.next()).toEqual({ t: 'session', state: 'active' });
    first.send({ t: 'call', id: 1, method: 'getAppInfo', args: [] });
    expect(await first.next()).toMatchObject({ t: 'result', id: 1, result: { ok: true } });

    const second = await openSocket({ origin, cookie });
    expect(await second.next()).toEqual({ t: 'session', state: 'elsewhere' });
    second.send({ t: 'call', id: 1, method: 'listAccounts', args: [] });
    expect(await second.next()).toMatchObject({
      result: { ok: false, error: { code: 'not-active' } },
    });

    server.events.emit('accountsChanged', []);
    expect(await first.next()).toEqual({ t: 'event', event: 'accountsChanged', payload: [] });

    second.send({ t: 'takeover' });
    expect(await second.next()).toEqual({ t: 'session', state: 'active' });
    expect(await first.next()).toEqual({ t: 'session', state: 'displaced' });
    expect(await first.closed).toBe(4001);

    second.send({ t: 'call', id: 2, method: 'listAccounts', args: [] });
    expect(await second.next()).toEqual({ t: 'result', id: 2, result: { ok: true, value: [] } });
    second.send({ t: 'call', id: 3, method: 'noSuchCall', args: [] });
    expect(await second.next()).toMatchObject({
      result: { ok: false, error: { code: 'unknown-method' } },
    });
    second.close();
  });
});

interface TestSocket {
  next(): Promise<ServerMessage>;
  send(message: unknown): void;
  close(): void;
  closed: Promise<number>;
}

function openSocket(headers: Record<string, string>): Promise<TestSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
  const queue: ServerMessage[] = [];
  const waiters: ((m: ServerMessage) => void)[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as ServerMessage;
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        next: () => {
          const queued = queue.shift();
          return queued ? Promise.resolve(queued) : new Promise((r) => waiters.push(r));
        },
        send: (message) => ws.send(JSON.stringify(message)),
        close: () => ws.close(),
        closed,
      }),
    );
  });
}

/** fetch() cannot set Host, so this one request goes through node:http. */
async function rawGet(path: string, headers: Record<string, string>): Promise<number> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
