/**
 * Browser mode: the renderer and the contract served to a local browser. Loopback only; every
 * request needs the per-launch token (given once in the printed URL, then kept in an HttpOnly,
 * SameSite=Strict cookie); the WebSocket also checks Origin and Host.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClientMessage, ServerMessage } from '#shared/browser-wire';
import type { PetrelApi } from '#shared/contract';
import { appContentSecurityPolicy, mailFramePolicyForPath } from '#shared/csp';
import { dispatchCall } from '../core/api/dispatch.ts';
import type { Logger } from '../core/ports.ts';
import { SessionHub, type TabConnection } from './session-hub.ts';
import { serveStatic } from './static-files.ts';

export const HOST = '127.0.0.1';
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface BrowserServerOptions {
  port: number;
  rendererDir: string;
  logger: Logger;
  /** Fixed only by tests; a fresh random token per launch otherwise. */
  token?: string;
}

export interface BrowserServer {
  readonly port: number;
  readonly url: string;
  readonly token: string;
  /** Routes calls into the core and its events out to the active tab. */
  attachApi(api: PetrelApi): void;
  readonly events: SessionHub;
  close(): Promise<void>;
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const hub = new SessionHub();
  let api: PetrelApi | undefined;
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  await listen(http, options.port);
  const port = (http.address() as AddressInfo).port;
  const origin = `http://${HOST}:${port}`;
  const cookieName = `petrel-${port}`;
  const headers = securityHeaders(
    appContentSecurityPolicy({ connectSrc: [`ws://${HOST}:${port}`] }),
  );
  const guard = new RequestGuard(token, cookieName, port);

  http.on('request', (req, res) => {
    void handleHttp(req, res).catch((error: unknown) => {
      options.logger.error('request failed', { url: req.url, error: String(error) });
      if (!res.headersSent) res.writeHead(500, headers);
      res.end();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!guard.hostIsOurs(req)) return deny(res, 421, 'Misdirected request.', headers);
    const url = new URL(req.url ?? '/', origin);
    if (guard.carriesQueryToken(url)) {
      // Trade the token in the URL for a cookie, and drop it from the address bar and history.
      url.searchParams.delete('token');
      res.writeHead(303, {
        ...headers,
        'Set-Cookie': `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: `${url.pathname}${url.search}`,
      });
      res.end();
      return;
    }
    if (!guard.carriesCookieToken(req)) {
      return deny(res, 401, UNAUTHORIZED_TEXT, headers);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return deny(res, 405, 'Method not allowed.', headers);
    }
    // The mail frames replace the app's policy with their own (see src-shared/csp.ts).
    const framePolicy = mailFramePolicyForPath(url.pathname);
    const pageHeaders = framePolicy
      ? { ...headers, 'Content-Security-Policy': framePolicy }
      : headers;
    await serveStatic(options.rendererDir, url.pathname, res, pageHeaders);
  }

  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const allowed =
      url.pathname === '/ws' &&
      guard.hostIsOurs(req) &&
      req.headers.origin === origin &&
      guard.carriesCookieToken(req);
    if (!allowed) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    const tabId = url.searchParams.get('tab') ?? '';
    wss.handleUpgrade(req, socket, head, (ws) => onTab(ws, TAB_ID.test(tabId) ? tabId : undefined));
  });

  function onTab(ws: WebSocket, tabId: string | undefined): void {
    const tab: TabConnection = {
      ...(tabId ? { tabId } : {}),
      send: (message: ServerMessage) => ws.send(JSON.stringify(message)),
      close: (code, reason) => ws.close(code, reason),
    };
    hub.attach(tab);
    ws.on('close', () => hub.detach(tab));
    ws.on('message', (data) => {
      void onMessage(tab, String(data)).catch((error: unknown) =>
        options.logger.error('websocket message failed', { error: String(error) }),
      );
    });
  }

  async function onMessage(tab: TabConnection, raw: string): Promise<void> {
    const message = parseClientMessage(raw);
    if (!message) return;
    if (message.t === 'takeover') return hub.takeOver(tab);
    const result =
      !hub.isActive(tab) || !api
        ? notActive()
        : await dispatchCall(api, message.method, message.args, options.logger);
    tab.send({ t: 'result', id: message.id, result });
  }

  return {
    port,
    token,
    url: `${origin}/?token=${token}`,
    events: hub,
    attachApi: (value) => {
      api = value;
    },
    close: async () => {
      for (const client of wss.clients) client.close(1001, 'Petrel is shutting down');
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((done) => http.close(() => done()));
    },
  };
}

const UNAUTHORIZED_TEXT =
  'Petrel needs the link it printed when it started (it carries a one-time token). ' +
  'Open that link, or restart Petrel to get a new one.';

class RequestGuard {
  private readonly tokenBytes: Buffer;
  private readonly hosts: Set<string>;

  constructor(
    token: string,
    private readonly cookieName: string,
    port: number,
  ) {
    this.tokenBytes = Buffer.from(token);
    // Checking Host defeats DNS rebinding: a foreign name pointed at 127.0.0.1 is refused.
    this.hosts = new Set([`${HOST}:${port}`, `localhost:${port}`]);
  }

  hostIsOurs(req: IncomingMessage): boolean {
    return this.hosts.has(req.headers.host ?? '');
  }

  carriesQueryToken(url: URL): boolean {
    return this.matches(url.searchParams.get('token'));
  }

  carriesCookieToken(req: IncomingMessage): boolean {
    return this.matches(readCookie(req.headers.cookie, this.cookieName));
  }

  private matches(candidate: string | null | undefined): boolean {
    if (!candidate) return false;
    const bytes = Buffer.from(candidate);
    return bytes.length === this.tokenBytes.length && timingSafeEqual(bytes, this.tokenBytes);
  }
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

function deny(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string>,
): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/** A tab id as the page makes it (a UUID); anything else is no id. */
const TAB_ID = /^[A-Za-z0-9-]{8,64}$/;

function notActive() {
  return {
    ok: false as const,
    error: {
      code: 'not-active' as const,
      message: 'Petrel is open in another tab. Use it there, or take over in this tab.',
    },
  };
}

function parseClientMessage(raw: string): ClientMessage | undefined {
  try {
    const message = JSON.parse(raw) as Partial<ClientMessage> | null;
    if (message?.t === 'takeover') return { t: 'takeover' };
    if (message?.t === 'call' && typeof message.id === 'number' && Array.isArray(message.args)) {
      return message as ClientMessage;
    }
  } catch {
    // A malformed frame is ignored: only the app's own page can connect, and it never sends one.
  }
  return undefined;
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${port} on ${HOST} is in use. Is Petrel already running with this profile? ` +
                'Choose another with --port (the cache of a profile is tied to its port).',
            )
          : error,
      );
    });
    server.listen(port, HOST, () => resolve());
  });
}
