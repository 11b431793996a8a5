/**
 * Look-only probes for the connection test. Node keeps the peer certificate to itself when
 * verification fails, so to show the user the certificate they are asked to trust, the probe
 * makes its own TLS handshake just to read it. It sends no credentials and nothing after the
 * handshake (for STARTTLS only the minimum plain dialog before it), then closes at once.
 */
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { CertificateInfo, ServerSettings } from '#shared/accounts';

/** A probe that has not finished by then gives up (and resolves undefined). */
export const PROBE_TIMEOUT_MS = 5_000;

export interface ProbeOptions {
  /** Default PROBE_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Aborting ends the probe at once (it then resolves undefined). */
  signal?: AbortSignal;
}

/** A server that sends this much without a line break is not one we want to talk to. */
const MAX_LINE_BYTES = 16 * 1024;

/**
 * The certificate the server presents, for display only; undefined for plaintext settings, on
 * any failure and after the timeout. Never throws.
 */
export function readServerCertificate(
  server: ServerSettings,
  protocol: 'imap' | 'smtp',
  opts: ProbeOptions = {},
): Promise<CertificateInfo | undefined> {
  if (server.security === 'plain') return Promise.resolve(undefined);
  return probe<CertificateInfo>(opts, (done, track) => {
    const onSecure = (socket: tls.TLSSocket): void => done(certificateInfo(socket));
    if (server.security === 'tls') {
      const socket = track(tls.connect(unverifiedTls(server), () => onSecure(socket)));
      return;
    }
    const plain = track(net.connect({ host: server.host, port: server.port }));
    const lines = lineReader(plain);
    const dialog = protocol === 'imap' ? imapStarttls : smtpStarttls;
    dialog(lines, plain).then(
      () => {
        lines.detach();
        const secure = tls.connect({ ...unverifiedTls(server), socket: plain }, () =>
          onSecure(secure),
        );
        // The TLS socket now owns the connection: destroying the plain one as well (after the
        // TLS socket took over its handle) crashed Node 20 with a segfault.
        track(secure, plain);
      },
      () => done(undefined),
    );
  });
}

/**
 * The first line the server sends by itself (its greeting), read over plain TCP, or over TLS
 * (unverified, as above) when `server.security` is 'tls'. Sends nothing. Used to tell what
 * answers on a port that left the real client waiting. Undefined when nothing came in time.
 */
export function readServerGreeting(
  server: ServerSettings,
  opts: ProbeOptions = {},
): Promise<string | undefined> {
  return probe<string>(opts, (done, track) => {
    const socket =
      server.security === 'tls'
        ? track(tls.connect(unverifiedTls(server)))
        : track(net.connect({ host: server.host, port: server.port }));
    lineReader(socket)
      .next()
      .then((line) => done(line));
  });
}

type Done<T> = (value: T | undefined) => void;
/** Registers a socket to close when the probe settles, optionally in place of one it wraps. */
type Track = <S extends net.Socket>(socket: S, replaces?: net.Socket) => S;

/**
 * Runs one probe: settles once, with `undefined` on any socket error, early close or timeout,
 * and destroys every socket it opened as soon as it settles.
 */
function probe<T>(
  opts: ProbeOptions,
  start: (done: Done<T>, track: Track) => void,
): Promise<T | undefined> {
  if (opts.signal?.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const sockets: net.Socket[] = [];
    let settled = false;
    const abort = (): void => done(undefined);
    const done: Done<T> = (value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', abort);
      for (const s of sockets) s.destroy();
      resolve(value);
    };
    const timer = setTimeout(abort, opts.timeoutMs ?? PROBE_TIMEOUT_MS);
    opts.signal?.addEventListener('abort', abort, { once: true });
    const track: Track = (socket, replaces) => {
      if (replaces) sockets.splice(sockets.indexOf(replaces), 1);
      sockets.push(socket);
      socket.on('error', () => done(undefined));
      socket.on('close', () => done(undefined));
      return socket;
    };
    start(done, track);
  });
}

/**
 * TLS options for reading a certificate, deliberately without verification. This is the only
 * place in Petrel where `rejectUnauthorized: false` is allowed: the connection carries no
 * credentials and no mail, sends nothing after the handshake and is closed at once; its only
 * product is the certificate shown to the user. Whether to trust it is the user's decision, and
 * a trusted certificate is then pinned by SHA-256 and verified on every real connection
 * (`trustedCertificate`, see ../imap/tls.ts).
 */
function unverifiedTls(server: ServerSettings): tls.ConnectionOptions {
  return {
    host: server.host,
    port: server.port,
    // SNI, so a server with several certificates shows the one for this name.
    servername: net.isIP(server.host) ? undefined : server.host,
    rejectUnauthorized: false,
  };
}

function certificateInfo(socket: tls.TLSSocket): CertificateInfo | undefined {
  const peer = socket.getPeerCertificate();
  if (!peer || !peer.raw) return undefined;
  const cert = new X509Certificate(peer.raw);
  return {
    sha256: cert.fingerprint256,
    pem: cert.toString(),
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    validTo: isoDate(cert.validTo),
  };
}

/** Node lists distinguished-name parts one per line ("CN=x\nO=y"). */
function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

/** OpenSSL's "Nov 23 12:23:35 2036 GMT" as ISO 8601, or as given if it does not parse. */
function isoDate(text: string): string {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

// ---- the plain part of STARTTLS ------------------------------------------------------------

interface LineReader {
  /** The next CRLF-terminated line, without its line break; never rejects (the probe times out). */
  next(): Promise<string>;
  /** Stops reading, so the socket's next bytes go to the TLS handshake. */
  detach(): void;
}

function lineReader(socket: net.Socket): LineReader {
  let buffer = '';
  const lines: string[] = [];
  let waiting: ((line: string) => void) | undefined;
  const deliver = (): void => {
    if (!waiting || lines.length === 0) return;
    const resolve = waiting;
    waiting = undefined;
    resolve(lines.shift() as string);
  };
  const onData = (chunk: Buffer): void => {
    buffer += chunk.toString('latin1');
    let end: number;
    while ((end = buffer.indexOf('\n')) >= 0) {
      lines.push(buffer.slice(0, end).replace(/\r$/, ''));
      buffer = buffer.slice(end + 1);
    }
    if (buffer.length > MAX_LINE_BYTES) socket.destroy();
    deliver();
  };
  socket.on('data', onData);
  return {
    next: () =>
      new Promise<string>((resolve) => {
        waiting = resolve;
        deliver();
      }),
    detach: () => socket.off('data', onData),
  };
}

/** IMAP: greeting, `a STARTTLS`, tagged OK (RFC 9051 6.2.1). Untagged lines are skipped. */
async function imapStarttls(lines: LineReader, socket: net.Socket): Promise<void> {
  const greeting = await lines.next();
  // PREAUTH or BYE: no STARTTLS possible, nothing to read.
  if (!/^\* OK\b/i.test(greeting)) throw new Error('not an IMAP greeting');
  socket.write('a STARTTLS\r\n');
  for (;;) {
    const line = await lines.next();
    if (line.startsWith('* ')) continue;
    if (/^a OK\b/i.test(line)) return;
    throw new Error('STARTTLS refused');
  }
}

/** SMTP: 220 greeting, EHLO, STARTTLS, 220 (RFC 3207). */
async function smtpStarttls(lines: LineReader, socket: net.Socket): Promise<void> {
  await expectReply(lines, 220);
  socket.write('EHLO petrel.invalid\r\n');
  await expectReply(lines, 250);
  socket.write('STARTTLS\r\n');
  await expectReply(lines, 220);
}

/** Reads one (possibly multi-line: "250-…" … "250 …") SMTP reply and checks its code. */
async function expectReply(lines: LineReader, code: number): Promise<void> {
  for (;;) {
    const line = await lines.next();
    if (/^\d{3}-/.test(line)) continue;
    if (line.startsWith(String(code))) return;
    throw new Error('unexpected SMTP reply');
  }
}
