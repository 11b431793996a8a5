import { describe, expect, it } from 'vitest';
import type { SendMessageTask } from './tasks.ts';
import { apiArgs } from './validation.ts';

const parse = (value: unknown) => apiArgs.performTask.safeParse([value]);

const send: SendMessageTask = {
  type: 'sendMessage',
  accountId: 'acc1',
  outboxId: 'out-1',
  message: {
    messageId: '<abc.123@example.test>',
    from: { name: 'Alice', address: 'alice@example.test' },
    to: [{ address: 'bob@example.test' }],
    cc: [],
    bcc: [{ name: 'Eve', address: 'eve@example.test' }],
    subject: 'Hello',
    text: 'Hi',
    inReplyTo: '<parent@example.test>',
    references: ['<root@example.test>', '<parent@example.test>'],
    attachments: [{ filename: 'a.txt', contentType: 'text/plain', dataBase64: 'aGk=' }],
    date: 1_700_000_000_000,
  },
};

const withMessage = (change: Record<string, unknown>) => ({
  ...send,
  message: { ...send.message, ...change },
});

describe('performTask arguments: sendMessage', () => {
  it('accepts a well-formed message', () => {
    expect(parse(send).success).toBe(true);
    expect(parse(withMessage({ subject: 'Bcc: eve@example.test' })).success).toBe(true);
    expect(parse(withMessage({ subject: 'tab\there' })).success).toBe(true);
  });

  it('refuses CR and LF in every header-bound field', () => {
    const cases = [
      { subject: 'x\r\nBcc: eve@example.test' },
      { subject: 'x\nBcc: eve@example.test' },
      { subject: 'x\ry' },
      { from: { name: 'A\r\nBcc: eve@example.test', address: 'alice@example.test' } },
      { to: [{ address: 'bob@example.test\r\nBcc: eve@example.test' }] },
      { cc: [{ name: 'B\n', address: 'bob@example.test' }] },
      { messageId: '<a@b>\r\nBcc: eve@example.test' },
      { inReplyTo: '<a@b>\r\nX: y' },
      { references: ['<a@b>\nX: y'] },
      {
        attachments: [
          { filename: 'a\r\nBcc: eve@example.test', contentType: 'text/plain', dataBase64: '' },
        ],
      },
      { attachments: [{ filename: 'a.txt', contentType: 'text/plain\r\nX: y', dataBase64: '' }] },
    ];
    for (const change of cases)
      expect(parse(withMessage(change)).success, JSON.stringify(change)).toBe(false);
  });

  it('refuses attachments that point at a file or a URL', () => {
    const file = { filename: 'p', contentType: 'text/plain', dataBase64: '', path: '/etc/passwd' };
    const url = { filename: 'p', contentType: 'text/plain', dataBase64: '', href: 'http://x/' };
    const noData = { filename: 'p', contentType: 'text/plain', path: '/etc/passwd' };
    for (const a of [file, url, noData]) {
      expect(parse(withMessage({ attachments: [a] })).success).toBe(false);
    }
    expect(
      parse(withMessage({ attachments: [{ ...file, path: undefined, filename: '../x' }] })).success,
    ).toBe(false);
    expect(
      parse(
        withMessage({
          attachments: [{ filename: 'p', contentType: 'text/plain', dataBase64: 'not base64!' }],
        }),
      ).success,
    ).toBe(false);
  });

  it('refuses implausible addresses and ids, unknown keys, no recipients', () => {
    for (const address of [
      'bob',
      '"a@b"@example.test',
      'a b@example.test',
      'a@b@c',
      '<a@b>',
      'a@-x.test',
    ]) {
      expect(parse(withMessage({ to: [{ address }] })).success, address).toBe(false);
    }
    expect(parse(withMessage({ to: [{ name: 'Bob' }] })).success).toBe(false);
    expect(parse(withMessage({ messageId: 'abc@example.test' })).success).toBe(false);
    expect(parse(withMessage({ messageId: '<abc>' })).success).toBe(false);
    expect(parse(withMessage({ to: [], bcc: [] })).success).toBe(false);
    expect(parse(withMessage({ raw: 'From: x' })).success).toBe(false);
    expect(parse({ ...send, extra: 1 }).success).toBe(false);
    expect(parse(withMessage({ subject: 'x'.repeat(999) })).success).toBe(false);
  });

  it('bounds the attachments’ size', () => {
    const big = 'A'.repeat(20 * 1024 * 1024);
    const two = [
      { filename: 'a', contentType: 'application/octet-stream', dataBase64: big },
      { filename: 'b', contentType: 'application/octet-stream', dataBase64: big },
    ];
    expect(parse(withMessage({ attachments: two.slice(0, 1) })).success).toBe(true);
    expect(parse(withMessage({ attachments: two })).success).toBe(false);
  });
});
