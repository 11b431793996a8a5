import type { AccountSettings, Security } from '#shared/accounts';
import { PetrelError } from '#shared/result';
import { describe, expect, it } from 'vitest';
import { createSmtpTransport, smtpTransportOptions } from './smtp-transport.ts';

function account(security: Security, host = 'smtp.example.com', port = 587): AccountSettings {
  return {
    name: 'Work',
    email: 'bob@example.com',
    username: 'bob',
    imap: { host: 'imap.example.com', port: 993, security: 'tls' },
    smtp: { host, port, security },
  };
}

describe('smtpTransportOptions', () => {
  it('uses implicit TLS for "tls"', () => {
    const o = smtpTransportOptions(account('tls', 'smtp.example.com', 465), 'pw');
    expect(o).toMatchObject({ host: 'smtp.example.com', port: 465, secure: true });
    expect(o.requireTLS).toBeUndefined();
    expect(o.ignoreTLS).toBeUndefined();
  });

  it('requires STARTTLS for "starttls" (never falls back to plaintext)', () => {
    const o = smtpTransportOptions(account('starttls'), 'pw');
    expect(o).toMatchObject({ secure: false, requireTLS: true });
    expect(o.ignoreTLS).toBeUndefined();
  });

  it('allows "plain" only to a loopback host, and then skips STARTTLS', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.2']) {
      const o = smtpTransportOptions(account('plain', host, 25), 'pw');
      expect(o).toMatchObject({ secure: false, ignoreTLS: true });
      expect(o.requireTLS).toBeUndefined();
    }
    const remote = (): unknown => smtpTransportOptions(account('plain', 'smtp.example.com'), 'pw');
    expect(remote).toThrow(PetrelError);
    expect(remote).toThrow(/only allowed to this computer.*smtp\.example\.com.*TLS or STARTTLS/);
    try {
      remote();
    } catch (err) {
      expect((err as PetrelError).code).toBe('invalid-argument');
    }
  });

  it('always verifies certificates and refuses file and URL content', () => {
    for (const security of ['tls', 'starttls'] as const) {
      const o = smtpTransportOptions(account(security), 'pw');
      expect(o.tls?.rejectUnauthorized).toBe(true);
      expect(o.tls?.servername).toBe('smtp.example.com');
      expect(o).toMatchObject({ disableFileAccess: true, disableUrlAccess: true });
    }
  });

  it('pins a trusted certificate through tls.ts', () => {
    const a = account('tls');
    a.smtp.trustedCertificate = { sha256: 'AB:CD', pem: 'PEM' };
    const o = smtpTransportOptions(a, 'pw');
    expect(o.tls?.ca).toEqual(['PEM']);
    expect(o.tls?.checkServerIdentity).toBeTypeOf('function');
    expect(o.tls?.rejectUnauthorized).toBe(true);
  });

  it('logs in with the account user name and sets finite timeouts', () => {
    const o = smtpTransportOptions(account('starttls'), 's3cret');
    expect(o.auth).toEqual({ user: 'bob', pass: 's3cret' });
    for (const t of [o.connectionTimeout, o.greetingTimeout, o.socketTimeout]) {
      expect(t).toBeGreaterThan(0);
      expect(t).toBeLessThanOrEqual(5 * 60_000);
    }
    // The machine's host name is not sent in EHLO.
    expect(o.name).toBe('[127.0.0.1]');
  });
});

describe('createSmtpTransport', () => {
  it('builds a transport with those options, without connecting', () => {
    const transport = createSmtpTransport(account('starttls'), 'pw');
    expect(transport.options).toMatchObject({ requireTLS: true, disableFileAccess: true });
    transport.close();
  });
});
