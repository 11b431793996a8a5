/**
 * The app:// handler with Electron faked out: the renderer's files come back with the app's
 * Content-Security-Policy, and the two mail frames with theirs.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appContentSecurityPolicy, mailFrameContentSecurityPolicy } from '#shared/csp';
import { serveRenderer } from './protocol.ts';

const electron = vi.hoisted(() => ({
  handlers: new Map<string, (request: Request) => Promise<Response>>(),
}));

vi.mock('electron', () => ({
  protocol: {
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) =>
      electron.handlers.set(scheme, handler),
  },
  // net.fetch of a file:// URL, as Electron does it, minus the headers nobody reads here.
  net: {
    fetch: async (url: string) => {
      try {
        return new Response(await readFile(fileURLToPath(url)), { status: 200 });
      } catch {
        return new Response('', { status: 404 });
      }
    },
  },
}));

let rendererDir: string;

beforeAll(async () => {
  rendererDir = await mkdtemp(join(tmpdir(), 'petrel-app-protocol-'));
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Petrel</title>');
  await writeFile(join(rendererDir, 'mail-frame.html'), '<!doctype html><body></body>');
  await writeFile(join(rendererDir, 'mail-frame-remote.html'), '<!doctype html><body></body>');
  serveRenderer(rendererDir);
});

afterAll(async () => {
  await rm(rendererDir, { recursive: true, force: true });
});

async function get(url: string): Promise<Response> {
  const handler = electron.handlers.get('app');
  if (!handler) throw new Error('app:// was not handled');
  return handler(new Request(url));
}

describe('app:// protocol', () => {
  it('serves the app under the app policy', async () => {
    const response = await get('app://petrel/');
    expect(await response.text()).toContain('<title>Petrel</title>');
    expect(response.headers.get('content-security-policy')).toBe(appContentSecurityPolicy());
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves each mail frame under its own policy', async () => {
    const blocked = await get('app://petrel/mail-frame.html');
    expect(blocked.status).toBe(200);
    expect(blocked.headers.get('content-security-policy')).toBe(
      mailFrameContentSecurityPolicy({ remote: false }),
    );
    expect(blocked.headers.get('referrer-policy')).toBe('no-referrer');
    const remote = await get('app://petrel/mail-frame-remote.html');
    expect(remote.headers.get('content-security-policy')).toBe(
      mailFrameContentSecurityPolicy({ remote: true }),
    );
  });

  it('refuses other hosts and paths out of the renderer folder', async () => {
    expect((await get('app://evil/mail-frame.html')).status).toBe(404);
    expect((await get('app://petrel/..%2f..%2fetc%2fpasswd.txt')).status).toBe(404);
  });
});
