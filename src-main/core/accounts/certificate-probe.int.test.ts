/**
 * The probes against the rig, and against scripted local servers that record every byte the
 * probe sends: it must send only the STARTTLS dialog, nothing after the handshake, and close.
 */
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { ServerSettings } from '#shared/accounts';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSelfSignedCertificate, type MailRig } from '../../../e2e/mailserver/rig.ts';
import { readServerCertificate, readServerGreeting } from './certificate-probe.ts';

const rig: MailRig = inject('mailRig');
const rigSha256 = new X509Certificate(rig.caPem).fingerprint256;

function at(port: number, security: ServerSettings['security']): ServerSettings {
  return { host: rig.host, port, security };
}

const openServers: net.Server[] = [];
const openSockets: net.Socket[] = [];

/** Fails clearly (instead of at the test timeout) when the probe keeps the connection open. */
async function closedWithin(r: Recording, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the probe kept the connection open ${ms} ms`)), ms);
  });
  await Promise.race([r.closed, late]).finally(() => clearTimeout(timer));
}

interface Recording {
  /** Everything the client sent before the TLS handshake. */
  plain: string;
  /** Everything the client sent inside TLS. */
  secure: string;
  /** Resolves when the client has closed the connection. */
  closed: Promise<void>;
}

type Script = (line: string, reply: (text: string) => void) => 'upgrade' | void;

/**
 * A one-connection server: greets, answers lines by `script`, and when the script says
 * 'upgrade', continues as a TLS server with `identity`, recording what arrives.
 */
async function scriptedServer(
  greeting: string,
  script: Script,
  identity: { certPem: string; keyPem: string },
): Promise<{ port: number; recording: Promise<Recording> }> {
  let record!: (r: Recording) => void;
  const recording = new Promise<Recording>((resolve) => (record = resolve));
  const server = net.createServer((socket) => {
    const r = { plain: '', secure: '' } as Recording;
    r.closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    openSockets.push(socket);
    record(r);
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      r.plain += chunk.toString('latin1');
      buffer += chunk.toString('latin1');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (script(line, (text) => socket.write(text)) === 'upgrade') {
          socket.off('data', onData);
          const secure = new tls.TLSSocket(socket, {
            isServer: true,
            cert: identity.certPem,
            key: identity.keyPem,
          });
          secure.on('data', (d: Buffer) => (r.secure += d.toString('latin1')));
          secure.on('error', () => undefined);
          return;
        }
      }
    };
    socket.on('data', onData);
    socket.write(greeting);
  });
  await new Promise<void>((resolve) => server.listen(0, rig.host, resolve));
  openServers.push(server);
  return { port: (server.address() as net.AddressInfo).port, recording };
}

afterEach(async () => {
  for (const socket of openSockets.splice(0)) socket.destroy();
  for (const s of openServers.splice(0)) {
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

describe('readServerCertificate against the rig', () => {
  it('reads the certificate over implicit TLS and over STARTTLS, for IMAP and SMTP', async () => {
    const cases: [ServerSettings, 'imap' | 'smtp'][] = [
      [at(rig.imap.tls, 'tls'), 'imap'],
      [at(rig.imap.starttls, 'starttls'), 'imap'],
      [at(rig.smtp.tls, 'tls'), 'smtp'],
      [at(rig.smtp.starttls, 'starttls'), 'smtp'],
    ];
    for (const [server, protocol] of cases) {
      const info = await readServerCertificate(server, protocol);
      expect(info?.sha256, `${protocol} ${server.security}`).toBe(rigSha256);
      expect(info?.pem.trim()).toBe(rig.caPem.trim());
    }
  });

  it('returns nothing for plaintext settings, for a server without STARTTLS, and on a closed port', async () => {
    expect(await readServerCertificate(at(rig.imap.starttls, 'plain'), 'imap')).toBeUndefined();
    const noStarttls = { host: rig.imap.noStarttlsHost, port: rig.imap.noStarttls };
    expect(
      await readServerCertificate({ ...noStarttls, security: 'starttls' }, 'imap'),
    ).toBeUndefined();
    expect(
      await readServerCertificate(at(rig.smtp.noStarttls, 'starttls'), 'smtp'),
    ).toBeUndefined();
    expect(await readServerCertificate(at(1, 'tls'), 'imap')).toBeUndefined();
  });
});

describe('readServerCertificate sends nothing it does not need', () => {
  let identity: { certPem: string; keyPem: string };
  let sha256 = '';

  beforeAll(async () => {
    identity = await createSelfSignedCertificate();
    sha256 = new X509Certificate(identity.certPem).fingerprint256;
  });

  it('IMAP: only "a STARTTLS" before the handshake, nothing after, then closes', async () => {
    const { port, recording } = await scriptedServer(
      '* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] fake ready\r\n',
      (line, reply) => {
        if (line !== 'a STARTTLS') return reply('a BAD unexpected\r\n');
        reply('* OK untagged noise is skipped\r\na OK Begin TLS negotiation now\r\n');
        return 'upgrade';
      },
      identity,
    );
    const info = await readServerCertificate(at(port, 'starttls'), 'imap');
    expect(info?.sha256).toBe(sha256);
    const r = await recording;
    await closedWithin(r, 1_000);
    // The plaintext part ends where the server hands the socket to TLS: no LOGIN, no ID, nothing.
    expect(r.plain).toBe('a STARTTLS\r\n');
    expect(r.secure).toBe('');
  });

  it('SMTP: only EHLO and STARTTLS before the handshake, nothing after, then closes', async () => {
    const { port, recording } = await scriptedServer(
      '220-fake.example ESMTP\r\n220 second greeting line\r\n',
      (line, reply) => {
        if (line === 'EHLO petrel.invalid') return reply('250-fake.example\r\n250 STARTTLS\r\n');
        if (line !== 'STARTTLS') return reply('500 unexpected\r\n');
        reply('220 2.0.0 Ready to start TLS\r\n');
        return 'upgrade';
      },
      identity,
    );
    const info = await readServerCertificate(at(port, 'starttls'), 'smtp');
    expect(info).toMatchObject({ sha256, subject: 'CN=localhost', issuer: 'CN=localhost' });
    const r = await recording;
    await closedWithin(r, 1_000);
    expect(r.plain).toBe('EHLO petrel.invalid\r\nSTARTTLS\r\n');
    expect(r.secure).toBe('');
  });

  it('gives up when the server refuses STARTTLS', async () => {
    const { port } = await scriptedServer(
      '* OK fake ready\r\n',
      (_line, reply) => reply('a NO not today\r\n'),
      identity,
    );
    const started = Date.now();
    expect(await readServerCertificate(at(port, 'starttls'), 'imap')).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('gives up after its timeout on a silent server', async () => {
    const { port } = await scriptedServer('', () => undefined, identity);
    const started = Date.now();
    const info = await readServerCertificate(at(port, 'starttls'), 'smtp', { timeoutMs: 300 });
    expect(info).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe('readServerGreeting', () => {
  it('reads the first line over plain TCP and over TLS, sending nothing', async () => {
    expect(await readServerGreeting(at(rig.imap.starttls, 'starttls'))).toMatch(/^\* OK /);
    expect(await readServerGreeting(at(rig.imap.tls, 'tls'))).toMatch(/^\* OK /);
    expect(await readServerGreeting(at(rig.smtp.starttls, 'starttls'))).toMatch(/^220 /);
  });

  it('returns nothing from a port that waits for TLS, and stops at once when aborted', async () => {
    expect(await readServerGreeting(at(rig.imap.tls, 'starttls'), { timeoutMs: 300 })).toBe(
      undefined,
    );
    const controller = new AbortController();
    const pending = readServerGreeting(at(rig.imap.tls, 'starttls'), {
      signal: controller.signal,
    });
    const started = Date.now();
    controller.abort();
    expect(await pending).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(200);
  });
});
