import type { FetchMessageObject } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { textPart } from '#shared/mime';
import { parseReferences, toMessageRow } from './message-mapper.ts';
import { previewsFromFirstPart, previewText } from './preview.ts';

const ctx = { accountId: 'acc', folderId: 'acc:INBOX', isInbox: true };

function message(overrides: Partial<FetchMessageObject> = {}): FetchMessageObject {
  return {
    seq: 1,
    uid: 42,
    flags: new Set(['\\Seen']),
    size: 1234,
    internalDate: new Date('2026-01-02T03:04:05Z'),
    envelope: {
      subject: 'Hello',
      messageId: '<m1@example.test>',
      inReplyTo: '<parent@example.test>',
      from: [{ name: 'Ann', address: 'ann@example.test' }],
      to: [{ address: 'bob@example.test' }],
    },
    headers: Buffer.from('References: <root@example.test>\r\n <parent@example.test>\r\n\r\n'),
    bodyStructure: {
      type: 'multipart/mixed',
      childNodes: [
        {
          part: '1',
          type: 'multipart/alternative',
          childNodes: [
            {
              part: '1.1',
              type: 'text/plain',
              encoding: 'quoted-printable',
              parameters: { charset: 'utf-8' },
            },
            { part: '1.2', type: 'text/html', encoding: 'base64' },
          ],
        },
        {
          part: '2',
          type: 'application/pdf',
          disposition: 'attachment',
          dispositionParameters: { filename: 'a.pdf' },
        },
      ],
    },
    ...overrides,
  };
}

describe('toMessageRow', () => {
  it('keeps what a list needs, with stable ids and the thread root', () => {
    const row = toMessageRow(message(), ctx);
    expect(row).toMatchObject({
      id: 'acc:INBOX#42',
      uid: 42,
      date: Date.parse('2026-01-02T03:04:05Z'),
      flags: ['\\Seen'],
      subject: 'Hello',
      messageId: 'm1@example.test',
      inReplyTo: 'parent@example.test',
      threadId: 'root@example.test',
      hasAttachments: true,
      unifiedInbox: 1,
    });
    expect(textPart(row.structure!)).toMatchObject({ part: '1.1', type: 'text/plain' });
  });

  it('survives a message with no envelope or structure', () => {
    const row = toMessageRow({ seq: 1, uid: 7 }, { ...ctx, isInbox: false });
    expect(row).toMatchObject({
      subject: '',
      from: [],
      threadId: 'acc:INBOX#7',
      hasAttachments: false,
    });
    expect(row.unifiedInbox).toBeUndefined();
  });

  it('reads folded References headers', () => {
    expect(parseReferences(Buffer.from('References: <a@x>\r\n\t<b@x> <c@x>\r\n'))).toEqual([
      'a@x',
      'b@x',
      'c@x',
    ]);
  });
});

describe('previews', () => {
  it('decodes quoted-printable in the declared charset and drops quoted lines', () => {
    const raw = Buffer.from('Gr=C3=BC=C3=9Fe,\r\n> old quote\r\nsee you =\r\nsoon');
    expect(
      previewText(raw, {
        part: '1',
        type: 'text/plain',
        encoding: 'quoted-printable',
        charset: 'utf-8',
      }),
    ).toBe('Grüße, see you soon');
  });

  it('decodes a truncated base64 HTML part into text', () => {
    const html = '<html><head><style>p{}</style></head><body><p>Hi &amp; welcome</p></body></html>';
    const b64 = Buffer.from(Buffer.from(html).toString('base64').slice(0, 90));
    expect(previewText(b64, { part: '1', type: 'text/html', encoding: 'base64' })).toBe(
      'Hi & welcome',
    );
  });

  it('uses part 1 fetched with the list only where part 1 is the text', () => {
    const single = toMessageRow(
      message({ uid: 1, bodyStructure: { type: 'text/plain', parameters: { charset: 'utf-8' } } }),
      ctx,
    );
    const nested = toMessageRow(message({ uid: 2 }), ctx);
    const missing = previewsFromFirstPart(
      [single, nested],
      new Map([
        [1, Buffer.from('Plain body')],
        [2, Buffer.from('--boundary\r\nContent-Type: text/plain')],
      ]),
    );
    expect(single.preview).toBe('Plain body');
    expect(missing).toEqual([nested]);
  });
});
