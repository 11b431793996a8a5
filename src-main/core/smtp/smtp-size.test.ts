import { describe, expect, it } from 'vitest';
import type { AccountSettings } from '#shared/accounts';
import { SIZE_TTL_MS, SmtpSizeLimits, sizeFromEhlo } from './smtp-size.ts';

const account: AccountSettings = {
  name: 'A',
  email: 'a@example.test',
  username: 'a@example.test',
  imap: { host: 'imap.example.test', port: 993, security: 'tls' },
  smtp: { host: 'smtp.example.test', port: 465, security: 'tls' },
};

describe('sizeFromEhlo', () => {
  it('reads the SIZE line of a multi-line EHLO reply', () => {
    const reply = '250-localhost\n250-PIPELINING\n250-SIZE 10240000\n250-VRFY\n250 8BITMIME';
    expect(sizeFromEhlo(reply)).toBe(10_240_000);
    expect(sizeFromEhlo('250-a\r\n250 SIZE 35882577\r\n')).toBe(35_882_577);
  });

  it('has no limit for SIZE alone, SIZE 0, or no SIZE', () => {
    expect(sizeFromEhlo('250-localhost\n250 SIZE')).toBeUndefined();
    expect(sizeFromEhlo('250-localhost\n250 SIZE 0')).toBeUndefined();
    expect(sizeFromEhlo('250-localhost\n250-SIZES 12\n250 8BITMIME')).toBeUndefined();
  });
});

describe('SmtpSizeLimits', () => {
  it('caches nothing after a failed look, and a learned SIZE for an hour', async () => {
    let clock = 0;
    const replies: (string | Error)[] = [new Error('refused'), '250 SIZE 1000', '250 SIZE 2000'];
    let asked = 0;
    const limits = new SmtpSizeLimits(
      async () => {
        asked++;
        const next = replies.shift();
        if (next instanceof Error) throw next;
        return next ?? '';
      },
      () => clock,
    );
    expect(await limits.of(account, 'pw')).toEqual({ server: 'smtp.example.test' });
    expect(await limits.of(account, 'pw')).toEqual({ server: 'smtp.example.test', maxBytes: 1000 });
    expect(await limits.of(account, 'pw')).toEqual({ server: 'smtp.example.test', maxBytes: 1000 });
    expect(asked).toBe(2);
    clock += SIZE_TTL_MS;
    expect(await limits.of(account, 'pw')).toEqual({ server: 'smtp.example.test', maxBytes: 2000 });
  });
});
