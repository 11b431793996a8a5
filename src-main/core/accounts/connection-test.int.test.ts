/**
 * testConnection against the real Dovecot/Postfix rig (and a few local sockets that misbehave on
 * purpose). Each test creates its own user.
 */
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import type {
  AccountSettings,
  ConnectionProblem,
  ConnectionTestResult,
  ServerSettings,
} from '#shared/accounts';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createSelfSignedCertificate,
  createUser,
  type MailRig,
} from '../../../e2e/mailserver/rig.ts';
import { testConnection } from './connection-test.ts';

const rig: MailRig = inject('mailRig');
const rigSha256 = new X509Certificate(rig.caPem).fingerprint256;
const pinned = { pem: rig.caPem, sha256: rigSha256 };

interface User {
  address: string;
  password: string;
}

function account(
  user: User,
  imap: Partial<ServerSettings>,
  smtp: Partial<ServerSettings>,
): AccountSettings {
  return {
    name: 'Test',
    email: user.address,
    username: user.address,
    imap: { host: rig.host, port: rig.imap.starttls, security: 'starttls', ...imap },
    smtp: { host: rig.host, port: rig.smtp.starttls, security: 'starttls', ...smtp },
  };
}

function problemsOf(result: ConnectionTestResult): Record<'imap' | 'smtp', ConnectionProblem> {
  if (result.ok) throw new Error('expected the connection test to fail, it succeeded');
  const imap = result.problems.find((p) => p.server === 'imap');
  const smtp = result.problems.find((p) => p.server === 'smtp');
  if (!imap || !smtp) throw new Error(`expected both servers to fail: ${JSON.stringify(result)}`);
  return { imap, smtp };
}

/** A port nothing listens on (the kernel just handed it out and it was closed again). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, rig.host, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server that counts connections and never says a word. */
async function silentServer(host: string): Promise<{
  port: number;
  connections: () => number;
  close: () => Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** This machine's first non-loopback IPv4 address, if it has one. */
function externalAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    const found = list?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  return undefined;
}

describe('testConnection', () => {
  let otherCertPem = '';

  beforeAll(async () => {
    // A second self-signed certificate, for a pin that names another certificate than the rig's.
    otherCertPem = (await createSelfSignedCertificate()).certPem;
  });

  it('succeeds over STARTTLS with the rig certificate pinned', async () => {
    const user = await createUser(rig, 'ct-starttls');
    const settings = account(user, { trustedCertificate: pinned }, { trustedCertificate: pinned });
    expect(await testConnection(settings, user.password)).toEqual({ ok: true });
  });

  it('succeeds over implicit TLS with the rig certificate pinned', async () => {
    const user = await createUser(rig, 'ct-tls');
    const settings = account(
      user,
      { port: rig.imap.tls, security: 'tls', trustedCertificate: pinned },
      { port: rig.smtp.tls, security: 'tls', trustedCertificate: pinned },
    );
    expect(await testConnection(settings, user.password)).toEqual({ ok: true });
  });

  it('succeeds without encryption to this computer, when chosen', async () => {
    const user = await createUser(rig, 'ct-plain');
    const settings = account(
      user,
      { host: rig.imap.noStarttlsHost, port: rig.imap.noStarttls, security: 'plain' },
      { port: rig.smtp.plain, security: 'plain' },
    );
    expect(await testConnection(settings, user.password)).toEqual({ ok: true });
  });

  it('reports a wrong password for both servers', async () => {
    const user = await createUser(rig, 'ct-wrongpass');
    const settings = account(user, { trustedCertificate: pinned }, { trustedCertificate: pinned });
    const { imap, smtp } = problemsOf(await testConnection(settings, 'not-the-password'));
    expect(imap.kind).toBe('auth-failed');
    expect(imap.message).toBe(
      `The password for ${user.address} was not accepted by the IMAP server ${rig.host}:${rig.imap.starttls}. Check the user name and password.`,
    );
    expect(smtp.kind).toBe('auth-failed');
    expect(smtp.message).toContain(`${rig.host}:${rig.smtp.starttls}`);
  });

  it('reports a closed port as connection-refused', async () => {
    const user = await createUser(rig, 'ct-refused');
    const port = await closedPort();
    const settings = account(user, { port, security: 'tls' }, { port, security: 'starttls' });
    const { imap, smtp } = problemsOf(await testConnection(settings, user.password));
    expect(imap.kind).toBe('connection-refused');
    expect(smtp.kind).toBe('connection-refused');
    expect(imap.message).toContain(`${rig.host}:${port}`);
  });

  it('reports an unknown host name as host-not-found', async () => {
    const user = await createUser(rig, 'ct-dns');
    const host = 'nonexistent.invalid';
    const settings = account(user, { host, port: 993, security: 'tls' }, { host, port: 465 });
    const { imap, smtp } = problemsOf(await testConnection(settings, user.password));
    expect(imap).toMatchObject({ kind: 'host-not-found' });
    expect(smtp).toMatchObject({ kind: 'host-not-found' });
    expect(smtp.message).toContain('"nonexistent.invalid"');
  });

  it('reports a server that accepts and never greets as timeout, within the limit', async () => {
    const user = await createUser(rig, 'ct-silent');
    const silent = await silentServer(rig.host);
    try {
      const settings = account(
        user,
        { port: silent.port, security: 'starttls' },
        { port: silent.port, security: 'tls' },
      );
      const started = Date.now();
      const result = await testConnection(settings, user.password, { timeoutMs: 1_000 });
      const { imap, smtp } = problemsOf(result);
      expect(imap.kind).toBe('timeout');
      expect(smtp.kind).toBe('timeout');
      expect(imap.message).toContain(`${rig.host}:${silent.port}`);
      // 1 s for the attempt plus at most 1 s of looking at the silent port, plus slack.
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      await silent.close();
    }
  });

  it('reports an untrusted certificate with its details, over STARTTLS and TLS', async () => {
    const user = await createUser(rig, 'ct-untrusted');
    const variants = [
      account(user, {}, {}),
      account(
        user,
        { port: rig.imap.tls, security: 'tls' },
        { port: rig.smtp.tls, security: 'tls' },
      ),
    ];
    for (const settings of variants) {
      const { imap, smtp } = problemsOf(await testConnection(settings, user.password));
      for (const p of [imap, smtp]) {
        expect(p.kind).toBe('certificate-untrusted');
        expect(p.message).toMatch(/self-signed/);
        expect(p.certificate?.sha256).toBe(rigSha256);
        expect(p.certificate?.subject).toBe('CN=localhost');
        expect(p.certificate?.issuer).toBe('CN=localhost');
        expect(new X509Certificate(p.certificate?.pem ?? '').fingerprint256).toBe(rigSha256);
        expect(Date.parse(p.certificate?.validTo ?? '')).toBeGreaterThan(Date.now());
      }
    }
  });

  it('refuses a pinned certificate whose fingerprint is not the server certificate', async () => {
    const user = await createUser(rig, 'ct-wrongpin');
    const wrongSha = rigSha256.replace(/^[0-9A-F]{2}/, (b) => (b === '00' ? '01' : '00'));
    const pins = [
      // The rig's certificate, but the recorded fingerprint is someone else's.
      { pem: rig.caPem, sha256: wrongSha },
      // A consistent pin of another certificate: the server's has "changed".
      { pem: otherCertPem, sha256: new X509Certificate(otherCertPem).fingerprint256 },
    ];
    for (const pin of pins) {
      const settings = account(
        user,
        { port: rig.imap.tls, security: 'tls', trustedCertificate: pin },
        { trustedCertificate: pin },
      );
      const { imap, smtp } = problemsOf(await testConnection(settings, user.password));
      for (const p of [imap, smtp]) {
        expect(p.kind).toBe('certificate-untrusted');
        expect(p.message).toMatch(/not the one you chose to trust/);
        // What the server really presents, so the user can compare and decide again.
        expect(p.certificate?.sha256).toBe(rigSha256);
      }
    }
  });

  it('reports servers without STARTTLS when STARTTLS is required', async () => {
    const user = await createUser(rig, 'ct-nostarttls');
    const settings = account(
      user,
      { host: rig.imap.noStarttlsHost, port: rig.imap.noStarttls, security: 'starttls' },
      { port: rig.smtp.noStarttls, security: 'starttls' },
    );
    const { imap, smtp } = problemsOf(await testConnection(settings, user.password));
    expect(imap.kind).toBe('starttls-unavailable');
    expect(imap.message).toContain(`${rig.imap.noStarttlsHost}:${rig.imap.noStarttls}`);
    expect(smtp.kind).toBe('starttls-unavailable');
    expect(smtp.message).toContain(`${rig.host}:${rig.smtp.noStarttls}`);
  });

  it('reports TLS spoken to a STARTTLS port as tls-failed, suggesting the usual ports', async () => {
    const user = await createUser(rig, 'ct-tls-on-starttls');
    const settings = account(
      user,
      { port: rig.imap.starttls, security: 'tls', trustedCertificate: pinned },
      { port: rig.smtp.starttls, security: 'tls', trustedCertificate: pinned },
    );
    const { imap, smtp } = problemsOf(await testConnection(settings, user.password));
    expect(imap.kind).toBe('tls-failed');
    expect(imap.message).toMatch(/TLS with port 993, or STARTTLS with port 143/);
    expect(smtp.kind).toBe('tls-failed');
    expect(smtp.message).toMatch(/TLS with port 465, or STARTTLS with port 587/);
  });

  it('recognises STARTTLS configured on an implicit-TLS port', async () => {
    const user = await createUser(rig, 'ct-starttls-on-tls');
    const settings = account(
      user,
      { port: rig.imap.tls, security: 'starttls', trustedCertificate: pinned },
      { port: rig.smtp.tls, security: 'starttls', trustedCertificate: pinned },
    );
    const result = await testConnection(settings, user.password, { timeoutMs: 1_500 });
    const { imap, smtp } = problemsOf(result);
    expect(imap.kind).toBe('tls-failed');
    expect(imap.message).toMatch(/expects TLS from the start/);
    expect(smtp.kind).toBe('tls-failed');
    expect(smtp.message).toMatch(/expects TLS from the start/);
  });

  it('reports the wrong protocol on a port as protocol', async () => {
    const user = await createUser(rig, 'ct-protocol');
    // Crossed over: IMAP settings pointing at Postfix, SMTP settings pointing at Dovecot.
    const settings = account(
      user,
      { port: rig.smtp.plain, security: 'starttls' },
      { port: rig.imap.starttls, security: 'starttls' },
    );
    const result = await testConnection(settings, user.password, { timeoutMs: 1_500 });
    const { imap, smtp } = problemsOf(result);
    expect(imap.kind).toBe('protocol');
    expect(imap.message).toMatch(/answered like an SMTP server/);
    expect(smtp.kind).toBe('protocol');
    expect(smtp.message).toMatch(/answered like an IMAP server/);
  });

  it('refuses plaintext to another computer without connecting', async () => {
    const address = externalAddress();
    if (!address) throw new Error('this test needs a non-loopback IPv4 address on this machine');
    const user = await createUser(rig, 'ct-plain-remote');
    const listener = await silentServer(address);
    try {
      const settings = account(
        user,
        { host: address, port: listener.port, security: 'plain' },
        { host: address, port: listener.port, security: 'plain' },
      );
      const { imap, smtp } = problemsOf(await testConnection(settings, user.password));
      expect(imap.kind).toBe('plaintext-refused');
      expect(smtp.kind).toBe('plaintext-refused');
      expect(imap.message).toContain(address);
      // Give a stray connection time to arrive before asserting there was none.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(listener.connections()).toBe(0);
    } finally {
      await listener.close();
    }
  });

  it('tests each server on its own: a good IMAP server is not blamed for a bad SMTP one', async () => {
    const user = await createUser(rig, 'ct-mixed');
    const settings = account(
      user,
      { trustedCertificate: pinned },
      { port: await closedPort(), trustedCertificate: pinned },
    );
    const result = await testConnection(settings, user.password);
    expect(result).toEqual({
      ok: false,
      problems: [expect.objectContaining({ server: 'smtp', kind: 'connection-refused' })],
    });
  });
});
