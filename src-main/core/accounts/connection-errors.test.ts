/**
 * The error objects below are copies of what imapflow 2.10.2 and nodemailer 10.6.1 produced
 * against the Dovecot/Postfix rig (recorded field by field; connection-test.int.test.ts checks
 * the same cases against the real servers).
 */
import type { ServerSettings } from '#shared/accounts';
import { describe, expect, it } from 'vitest';
import {
  classifyImapError,
  classifySmtpError,
  greetingProtocol,
  hostPort,
  implicitTlsPortProblem,
  plaintextRefusedProblem,
  protocolProblem,
} from './connection-errors.ts';

function libError(message: string, props: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), props);
}

const imap143: ServerSettings = { host: '127.0.0.1', port: 143, security: 'starttls' };
const imap993: ServerSettings = { host: 'imap.example.com', port: 993, security: 'tls' };
const smtp587: ServerSettings = { host: '127.0.0.1', port: 587, security: 'starttls' };
const smtp465: ServerSettings = { host: 'smtp.example.com', port: 465, security: 'tls' };
const user = 'bob@example.test';

describe('classifyImapError', () => {
  it('reports a refused login as auth-failed, naming user and server', () => {
    const err = libError('Command failed', {
      response: '4 NO [AUTHENTICATIONFAILED] Authentication failed.',
      responseStatus: 'NO',
      executedCommand: '4 AUTHENTICATE PLAIN',
      responseText: 'Authentication failed.',
      serverResponseCode: 'AUTHENTICATIONFAILED',
      authenticationFailed: true,
    });
    const p = classifyImapError(err, imap143, user);
    expect(p).toMatchObject({ server: 'imap', kind: 'auth-failed' });
    expect(p.message).toBe(
      'The password for bob@example.test was not accepted by the IMAP server 127.0.0.1:143. Check the user name and password.',
    );
  });

  it('passes on what the server says for unusual login refusals', () => {
    const err = libError('Command failed', {
      responseStatus: 'NO',
      responseText: 'Account is locked, contact your admin',
      serverResponseCode: 'CONTACTADMIN',
      authenticationFailed: true,
    });
    const p = classifyImapError(err, imap143, user);
    expect(p.kind).toBe('auth-failed');
    expect(p.message).toContain('"Account is locked, contact your admin"');
  });

  it('tells an expired password and an unavailable password check apart', () => {
    const expired = libError('Command failed', {
      serverResponseCode: 'EXPIRED',
      authenticationFailed: true,
    });
    expect(classifyImapError(expired, imap143, user).message).toMatch(/has expired/);
    const unavailable = libError('Command failed', {
      responseText: 'Temporary authentication failure',
      serverResponseCode: 'UNAVAILABLE',
      authenticationFailed: true,
    });
    expect(classifyImapError(unavailable, imap143, user)).toMatchObject({
      kind: 'unknown',
      message: expect.stringMatching(/could not check the password right now/),
    });
  });

  it('reports LOGINDISABLED as a refusal to log in without encryption', () => {
    // imapflow's AuthenticationFailure subclass: only the flag and the message.
    const err = libError('Login is disabled', { authenticationFailed: true });
    expect(classifyImapError(err, imap143, user).kind).toBe('plaintext-refused');
  });

  it('reports a missing STARTTLS (imapflow: tlsFailed, no code)', () => {
    const err = libError('Server does not support STARTTLS', { tlsFailed: true });
    const p = classifyImapError(err, imap143, user);
    expect(p.kind).toBe('starttls-unavailable');
    expect(p.message).toMatch(/127\.0\.0\.1:143 does not offer STARTTLS/);
    expect(p.message).toMatch(/port 993/);
  });

  it('reports a PREAUTH greeting under required STARTTLS', () => {
    const err = libError('STARTTLS is not possible after a PREAUTH greeting', { tlsFailed: true });
    expect(classifyImapError(err, imap143).message).toMatch(/PREAUTH/);
  });

  it('treats data injected before the STARTTLS handshake as a TLS failure', () => {
    const err = libError('Server sent data after the STARTTLS response …', {
      code: 'STARTTLS_INJECTION',
      tlsFailed: true,
    });
    expect(classifyImapError(err, imap143).kind).toBe('tls-failed');
  });

  it('maps Node network errors passed through by imapflow', () => {
    const refused = libError('connect ECONNREFUSED 127.0.0.1:1', {
      errno: -111,
      code: 'ECONNREFUSED',
      syscall: 'connect',
      address: '127.0.0.1',
      port: 1,
    });
    expect(classifyImapError(refused, imap143)).toMatchObject({
      kind: 'connection-refused',
      message: expect.stringMatching(/127\.0\.0\.1:143 refused the connection/),
    });
    const notFound = libError('getaddrinfo ENOTFOUND nonexistent.invalid', {
      errno: -3008,
      code: 'ENOTFOUND',
      syscall: 'getaddrinfo',
      hostname: 'nonexistent.invalid',
    });
    const server = { ...imap993, host: 'nonexistent.invalid' };
    expect(classifyImapError(notFound, server)).toMatchObject({
      kind: 'host-not-found',
      message: expect.stringContaining('"nonexistent.invalid" does not exist'),
    });
    const dnsDown = libError('getaddrinfo EAI_AGAIN imap.example.com', { code: 'EAI_AGAIN' });
    expect(classifyImapError(dnsDown, imap993)).toMatchObject({
      kind: 'host-not-found',
      message: expect.stringMatching(/internet connection/),
    });
    const unreachable = libError('connect ENETUNREACH', { code: 'ENETUNREACH' });
    expect(classifyImapError(unreachable, imap993).kind).toBe('connection-refused');
  });

  it('maps imapflow timeouts', () => {
    for (const code of ['GREETING_TIMEOUT', 'CONNECT_TIMEOUT', 'UPGRADE_TIMEOUT', 'ETIMEOUT']) {
      const err = libError('Failed to receive greeting from server in required time', {
        code,
        details: { greetingTimeout: 2000 },
      });
      expect(classifyImapError(err, imap143).kind).toBe('timeout');
    }
  });

  it('maps certificate failures, with or without tlsFailed (implicit TLS / STARTTLS)', () => {
    const implicit = libError('self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const p = classifyImapError(implicit, imap993);
    expect(p.kind).toBe('certificate-untrusted');
    expect(p.message).toMatch(/imap\.example\.com:993 is self-signed/);
    const upgraded = libError('self-signed certificate', {
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      tlsFailed: true,
    });
    expect(classifyImapError(upgraded, imap143).kind).toBe('certificate-untrusted');
    const altname = libError("Hostname/IP does not match certificate's altnames: …", {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      reason: "Host: other.example. is not in the cert's altnames: DNS:localhost",
      host: 'other.example',
    });
    expect(classifyImapError(altname, imap993).message).toMatch(/another name/);
    const expired = libError('certificate has expired', { code: 'CERT_HAS_EXPIRED' });
    expect(classifyImapError(expired, imap993).message).toMatch(/has expired/);
    const chain = libError('unable to verify the first certificate', {
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(classifyImapError(chain, imap993).kind).toBe('certificate-untrusted');
  });

  it('says a pinned certificate was replaced, also for tls.ts own pin error (no code)', () => {
    const pinned: ServerSettings = { ...imap993, trustedCertificate: { sha256: 'AA', pem: 'x' } };
    const pinError = libError(
      'The certificate of imap.example.com is not the one you chose to trust.',
    );
    const p = classifyImapError(pinError, pinned);
    expect(p.kind).toBe('certificate-untrusted');
    expect(p.message).toMatch(/not the one you chose to trust/);
    const other = libError('self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(classifyImapError(other, pinned).message).toMatch(/not the one you chose to trust/);
  });

  it('explains TLS spoken to a plaintext port (OpenSSL: wrong version number)', () => {
    const err = libError(
      '800CC2FD857F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n',
      {
        library: 'SSL routines',
        reason: 'wrong version number',
        code: 'ERR_SSL_WRONG_VERSION_NUMBER',
      },
    );
    const p = classifyImapError(err, { ...imap993, port: 143 });
    expect(p.kind).toBe('tls-failed');
    expect(p.message).toMatch(/port 993/);
    expect(p.message).toMatch(/STARTTLS with port 143/);
  });

  it('treats other handshake failures as tls-failed', () => {
    const reset = libError(
      'Client network socket disconnected before secure TLS connection was established',
      { code: 'ECONNRESET' },
    );
    expect(classifyImapError(reset, imap993).kind).toBe('tls-failed');
    const alert = libError('tlsv1 alert protocol version', {
      code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
      reason: 'tlsv1 alert protocol version',
    });
    expect(classifyImapError(alert, imap993)).toMatchObject({
      kind: 'tls-failed',
      message: expect.stringContaining('(tlsv1 alert protocol version)'),
    });
  });

  it('reports parser errors as protocol, and a closed connection with its BYE reason', () => {
    expect(classifyImapError(libError('x', { code: 'ParserError11' }), imap143).kind).toBe(
      'protocol',
    );
    const bye = libError('Unexpected close', {
      code: 'ClosedAfterConnectText',
      reason: 'Too many connections',
    });
    expect(classifyImapError(bye, imap143)).toMatchObject({
      kind: 'unknown',
      message: expect.stringContaining('"Too many connections"'),
    });
  });

  it('keeps the raw text for anything else', () => {
    const p = classifyImapError(libError('Something odd', { code: 'EWEIRD' }), imap143);
    expect(p).toMatchObject({ kind: 'unknown', message: expect.stringContaining('Something odd') });
    expect(p.message).toContain('EWEIRD');
    expect(classifyImapError('a string', imap143).message).toContain('a string');
  });
});

describe('classifySmtpError', () => {
  it('reports EAUTH 535 as auth-failed without the server jargon', () => {
    const err = libError(
      'Invalid login: 535 5.7.8 Error: authentication failed: (reason unavailable)',
      {
        code: 'EAUTH',
        response: '535 5.7.8 Error: authentication failed: (reason unavailable)',
        responseCode: 535,
        permanent: true,
        command: 'AUTH PLAIN',
      },
    );
    const p = classifySmtpError(err, smtp587, user);
    expect(p).toMatchObject({ server: 'smtp', kind: 'auth-failed' });
    expect(p.message).toBe(
      'The password for bob@example.test was not accepted by the SMTP server 127.0.0.1:587. Check the user name and password.',
    );
  });

  it('passes on the reason of other login refusals (e.g. 534 app password required)', () => {
    const err = libError('Invalid login: 534-5.7.9 Application-specific password required.', {
      code: 'EAUTH',
      response: '534-5.7.9 Application-specific password required.',
      responseCode: 534,
      command: 'AUTH PLAIN',
    });
    const p = classifySmtpError(err, smtp465, user);
    expect(p.kind).toBe('auth-failed');
    expect(p.message).toContain('"Application-specific password required."');
  });

  it('tells a server without AUTH from a wrong password', () => {
    const err = libError('Invalid login: 503 5.5.1 Error: authentication not enabled', {
      code: 'EAUTH',
      response: '503 5.5.1 Error: authentication not enabled',
      responseCode: 503,
      command: 'AUTH PLAIN',
    });
    expect(classifySmtpError(err, smtp587).kind).toBe('protocol');
  });

  it('reports a refused STARTTLS (requireTLS) as starttls-unavailable, quoting the server', () => {
    const err = libError(
      'Error upgrading connection with STARTTLS: 502 5.5.1 Error: command not implemented',
      {
        code: 'ETLS',
        response: '502 5.5.1 Error: command not implemented',
        responseCode: 502,
        permanent: true,
        command: 'STARTTLS',
      },
    );
    const p = classifySmtpError(err, smtp587);
    expect(p.kind).toBe('starttls-unavailable');
    expect(p.message).toContain('"Error: command not implemented"');
    expect(p.message).toMatch(/port 465/);
  });

  it('reads Node codes from originalCode (nodemailer replaces code)', () => {
    const refused = libError('connect ECONNREFUSED 127.0.0.1:1', {
      errno: -111,
      code: 'ESOCKET',
      syscall: 'connect',
      originalCode: 'ECONNREFUSED',
      command: 'CONN',
    });
    expect(classifySmtpError(refused, smtp587).kind).toBe('connection-refused');
    const dns = libError('getaddrinfo ENOTFOUND nonexistent.invalid', {
      code: 'EDNS',
      originalCode: 'ENOTFOUND',
      command: 'CONN',
    });
    expect(classifySmtpError(dns, smtp465).kind).toBe('host-not-found');
    const cert = libError('self-signed certificate', {
      code: 'ESOCKET',
      originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      command: 'CONN',
    });
    expect(classifySmtpError(cert, smtp587).kind).toBe('certificate-untrusted');
    const wrongPort = libError('…ssl3_get_record:wrong version number…', {
      library: 'SSL routines',
      reason: 'wrong version number',
      code: 'ESOCKET',
      originalCode: 'ERR_SSL_WRONG_VERSION_NUMBER',
      command: 'CONN',
    });
    const p = classifySmtpError(wrongPort, { ...smtp465, port: 587 });
    expect(p.kind).toBe('tls-failed');
    expect(p.message).toMatch(/TLS with port 465, or STARTTLS with port 587/);
  });

  it('maps every nodemailer timeout', () => {
    for (const timeoutType of ['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'SOCKET_TIMEOUT']) {
      const err = libError('Greeting never received', {
        timeoutType,
        code: 'ETIMEDOUT',
        command: 'CONN',
      });
      expect(classifySmtpError(err, smtp587).kind).toBe('timeout');
    }
  });

  it('reports a non-SMTP greeting as protocol, naming what answered', () => {
    const greeting = '* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot (Debian) ready.';
    const err = libError(`Invalid greeting. response=${greeting}: ${greeting}`, {
      code: 'EPROTOCOL',
      response: greeting,
      command: 'CONN',
    });
    const p = classifySmtpError(err, smtp587);
    expect(p.kind).toBe('protocol');
    expect(p.message).toMatch(/answered like an IMAP server/);
  });

  it('treats a failed STARTTLS handshake without a reply as tls-failed', () => {
    const err = libError('Error initiating TLS - Connection closed unexpectedly', {
      code: 'ETLS',
      command: 'STARTTLS',
    });
    expect(classifySmtpError(err, smtp587).kind).toBe('tls-failed');
  });
});

describe('problem builders', () => {
  it('refuses plaintext to another computer in a sentence', () => {
    const p = plaintextRefusedProblem('imap', {
      host: 'mail.example.com',
      port: 143,
      security: 'plain',
    });
    expect(p).toMatchObject({ server: 'imap', kind: 'plaintext-refused' });
    expect(p.message).toMatch(/mail\.example\.com is another computer/);
  });

  it('suggests TLS for an implicit-TLS port and STARTTLS ports for the protocol', () => {
    const p = implicitTlsPortProblem('smtp', { host: 'h', port: 465, security: 'starttls' });
    expect(p.kind).toBe('tls-failed');
    expect(p.message).toMatch(/Choose TLS for port 465, or use STARTTLS with port 587/);
  });

  it('names what answered on a wrong port', () => {
    const p = protocolProblem('imap', imap143, 'smtp');
    expect(p.message).toMatch(/does not speak IMAP\. It answered like an SMTP server/);
  });

  it('strips control and bidi characters from server text', () => {
    const err = libError('x', {
      code: 'EAUTH',
      responseCode: 534,
      response: '534 5.7.9 evil\u202etxt.exe\r\nmore',
    });
    const p = classifySmtpError(err, smtp587);
    expect(p.message).not.toMatch(/[\u202e\r\n]/);
    expect(p.message).toContain('evil txt.exe more');
  });
});

describe('greetingProtocol and hostPort', () => {
  it('recognises greetings', () => {
    expect(greetingProtocol('* OK Dovecot ready.')).toBe('imap');
    expect(greetingProtocol('220 localhost ESMTP Postfix')).toBe('smtp');
    expect(greetingProtocol('220-mx.example.com ESMTP')).toBe('smtp');
    expect(greetingProtocol('+OK POP3 ready')).toBe('pop3');
    expect(greetingProtocol('SSH-2.0-OpenSSH_9.2')).toBe('ssh');
    expect(greetingProtocol('garbage')).toBeUndefined();
  });

  it('brackets IPv6 literals', () => {
    expect(hostPort({ host: '::1', port: 993 })).toBe('[::1]:993');
    expect(hostPort({ host: 'imap.example.com', port: 993 })).toBe('imap.example.com:993');
  });
});
