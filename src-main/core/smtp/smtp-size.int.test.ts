/**
 * The SIZE Petrel learns from the rig's real Postfix equals the message_size_limit Postfix runs
 * with, over implicit TLS and over STARTTLS (where only the EHLO after the upgrade counts).
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import type { AccountSettings, ServerSettings } from '#shared/accounts';
import { createUser, type MailRig } from '../../../e2e/mailserver/rig.ts';
import { SmtpSizeLimits, readEhlo, sizeFromEhlo } from './smtp-size.ts';

const rig: MailRig = inject('mailRig');
const pinned = { pem: rig.caPem, sha256: new X509Certificate(rig.caPem).fingerprint256 };

function account(address: string, smtp: Partial<ServerSettings>): AccountSettings {
  return {
    name: 'Test',
    email: address,
    username: address,
    imap: { host: rig.host, port: rig.imap.tls, security: 'tls', trustedCertificate: pinned },
    smtp: {
      host: rig.host,
      port: rig.smtp.tls,
      security: 'tls',
      trustedCertificate: pinned,
      ...smtp,
    },
  };
}

/** What Postfix itself says its limit is (postconf reads the rig's main.cf and the defaults). */
async function postfixLimit(): Promise<number> {
  const { stdout } = await promisify(execFile)('/usr/sbin/postconf', [
    '-c',
    rig.postfixDir,
    '-h',
    'message_size_limit',
  ]);
  return Number(stdout.trim());
}

describe('SMTP SIZE', () => {
  it('is learned from the real Postfix over TLS and STARTTLS', async () => {
    const user = await createUser(rig, 'sizer');
    const expected = await postfixLimit();
    expect(expected).toBeGreaterThan(0);
    const limits = new SmtpSizeLimits();
    expect(await limits.of(account(user.address, {}), user.password)).toEqual({
      server: rig.host,
      maxBytes: expected,
    });
    const starttls = account(user.address, { port: rig.smtp.starttls, security: 'starttls' });
    const reply = await readEhlo(starttls, user.password);
    // Only the EHLO after STARTTLS is read: it no longer offers STARTTLS.
    expect(reply).not.toMatch(/STARTTLS/);
    expect(sizeFromEhlo(reply)).toBe(expected);
  });

  it('is unknown (no error) when the server cannot be reached', async () => {
    const user = await createUser(rig, 'sizer2');
    const limits = new SmtpSizeLimits();
    const untrusted = account(user.address, { trustedCertificate: undefined });
    expect(await limits.of(untrusted, user.password)).toEqual({ server: rig.host });
  });
});
