import { describe, expect, it } from 'vitest';
import {
  MAX_REFERENCES,
  attribution,
  forwardHeaderBlock,
  forwardSubject,
  hasHeaderBreak,
  newMessageId,
  normalizeMessageId,
  quotePlain,
  replyRecipients,
  replySubject,
  stripHeaderBreaks,
  threadHeaders,
} from './compose.ts';

describe('replySubject and forwardSubject', () => {
  it('adds Re: once', () => {
    expect(replySubject('Lunch')).toBe('Re: Lunch');
    expect(replySubject('Re: Lunch')).toBe('Re: Lunch');
    expect(replySubject('Re: Re: Lunch')).toBe('Re: Lunch');
    expect(replySubject('RE: Lunch')).toBe('Re: Lunch');
    expect(replySubject('re:Lunch')).toBe('Re: Lunch');
    expect(replySubject('Re[2]: Lunch')).toBe('Re: Lunch');
    expect(replySubject('Re(3) : Lunch')).toBe('Re: Lunch');
    expect(replySubject('AW: SV: Antw: Odp: Lunch')).toBe('Re: Lunch');
    expect(replySubject('Re： Lunch')).toBe('Re: Lunch');
    expect(replySubject('')).toBe('Re:');
  });

  it('keeps prefixes that do not lead, and words that only look like one', () => {
    expect(replySubject('Fwd: Lunch')).toBe('Re: Fwd: Lunch');
    expect(replySubject('Lunch Re: dinner')).toBe('Re: Lunch Re: dinner');
    expect(replySubject('Reply needed')).toBe('Re: Reply needed');
    expect(replySubject('Area: 51')).toBe('Re: Area: 51');
  });

  it('adds Fwd: once and keeps a forwarded reply recognizable', () => {
    expect(forwardSubject('Lunch')).toBe('Fwd: Lunch');
    expect(forwardSubject('Fwd: Lunch')).toBe('Fwd: Lunch');
    expect(forwardSubject('FW: Fwd: Lunch')).toBe('Fwd: Lunch');
    expect(forwardSubject('WG: Lunch')).toBe('Fwd: Lunch');
    expect(forwardSubject('TR: Lunch')).toBe('Fwd: Lunch');
    expect(forwardSubject('Re: Lunch')).toBe('Fwd: Re: Lunch');
    expect(forwardSubject('Fwd: Re: Lunch')).toBe('Fwd: Re: Lunch');
  });

  it('never carries a line break', () => {
    expect(replySubject('Hi\r\nBcc: spy@evil.org')).toBe('Re: Hi Bcc: spy@evil.org');
    expect(forwardSubject('\r\nRe: x')).toBe('Fwd: Re: x');
  });
});

describe('stripHeaderBreaks and hasHeaderBreak', () => {
  it('turns control runs into one space and trims', () => {
    expect(stripHeaderBreaks('  a\r\n\tb\u0000c\u2028d\u0085e\u007f ')).toBe('a b c d e');
    expect(stripHeaderBreaks('plain')).toBe('plain');
  });

  it('detects what it would strip', () => {
    expect(hasHeaderBreak('a\nb')).toBe(true);
    expect(hasHeaderBreak('a\rb')).toBe(true);
    expect(hasHeaderBreak('a\u0000')).toBe(true);
    expect(hasHeaderBreak('a\u2029')).toBe(true);
    expect(hasHeaderBreak('Café: naïve — ok')).toBe(false);
  });
});

const me = 'me@petrel.org';
const alt = 'Me.Too@Petrel.org';
const own = [me, alt];
const jane = { name: 'Jane', address: 'jane@x.org' };
const bob = { name: 'Bob', address: 'bob@y.org' };
const carol = { address: 'carol@z.org' };

describe('replyRecipients', () => {
  const incoming = {
    from: [jane],
    to: [{ name: 'Me', address: 'ME@petrel.org' }, bob],
    cc: [carol, { address: 'me.too@petrel.org' }, { address: 'JANE@x.org' }],
  };

  it('reply goes to the sender', () => {
    expect(replyRecipients(incoming, own, 'reply')).toEqual({ to: [jane], cc: [], skipped: [] });
  });

  it('reply prefers Reply-To', () => {
    const list = { name: 'List', address: 'list@lists.org' };
    expect(replyRecipients(incoming, own, 'reply', [list]).to).toEqual([list]);
    expect(replyRecipients(incoming, own, 'reply', []).to).toEqual([jane]);
  });

  it('reply all adds To and Cc without me and without duplicates', () => {
    expect(replyRecipients(incoming, own, 'replyAll')).toEqual({
      to: [jane, bob],
      cc: [carol],
      skipped: [],
    });
  });

  it('reply all with Reply-To replaces the sender', () => {
    const list = { address: 'list@lists.org' };
    expect(replyRecipients(incoming, own, 'replyAll', [list])).toEqual({
      to: [list, bob],
      cc: [carol, { address: 'JANE@x.org' }],
      skipped: [],
    });
  });

  it('replying to my own message goes to its recipients', () => {
    const sent = { from: [{ address: 'me@PETREL.org' }], to: [bob], cc: [carol] };
    expect(replyRecipients(sent, own, 'reply')).toEqual({ to: [bob], cc: [], skipped: [] });
    expect(replyRecipients(sent, own, 'replyAll')).toEqual({ to: [bob], cc: [carol], skipped: [] });
  });

  it('a note to myself is answered to myself, once', () => {
    const note = { from: [{ address: me }], to: [{ address: me }, { address: alt }], cc: [] };
    expect(replyRecipients(note, own, 'replyAll')).toEqual({
      to: [{ address: me }],
      cc: [],
      skipped: [],
    });
  });

  it('skips invalid addresses and cleans names', () => {
    const hostile = {
      from: [{ name: 'Jane\r\nBcc: spy@evil.org', address: 'jane@x.org' }],
      to: [{ address: 'bad\r\n@x.org' }, { name: 'undisclosed-recipients' }, bob],
      cc: [],
    };
    expect(replyRecipients(hostile, own, 'replyAll')).toEqual({
      to: [{ name: 'Jane Bcc: spy@evil.org', address: 'jane@x.org' }, bob],
      cc: [],
      skipped: [{ address: 'bad\r\n@x.org' }],
    });
  });

  it('handles long recipient lists', () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({ address: `u${i % 1000}@x.org` }));
    const result = replyRecipients({ from: [jane], to: many, cc: many }, own, 'replyAll');
    expect(result.to).toHaveLength(1001);
    expect(result.to[1000]).toEqual({ address: 'u999@x.org' });
    expect(result.cc).toEqual([]);
  });
});

describe('threadHeaders', () => {
  it('References are the parent References plus its Message-ID', () => {
    expect(
      threadHeaders({ messageId: '<c@x>', references: ['<a@x>', '<b@x>'], inReplyTo: '<b@x>' }),
    ).toEqual({ inReplyTo: '<c@x>', references: ['<a@x>', '<b@x>', '<c@x>'] });
  });

  it('falls back to In-Reply-To, then to nothing', () => {
    expect(threadHeaders({ messageId: '<c@x>', inReplyTo: '<b@x>' })).toEqual({
      inReplyTo: '<c@x>',
      references: ['<b@x>', '<c@x>'],
    });
    expect(threadHeaders({ messageId: '<c@x>' })).toEqual({
      inReplyTo: '<c@x>',
      references: ['<c@x>'],
    });
    expect(threadHeaders({})).toEqual({ references: [] });
    expect(threadHeaders({ references: ['<a@x>'] })).toEqual({ references: ['<a@x>'] });
  });

  it('accepts a cached row: thread root and In-Reply-To, a row-id thread dropped', () => {
    expect(
      threadHeaders({ messageId: '<c@x>', references: ['<a@x>', '<b@x>'], inReplyTo: '<b@x>' }),
    ).toEqual(threadHeaders({ messageId: 'c@x', references: ['a@x', 'b@x'] }));
    expect(
      threadHeaders({ messageId: '<c@x>', references: ['acc:INBOX#5', undefined] }).references,
    ).toEqual(['<c@x>']);
    expect(
      threadHeaders({ messageId: '<c@x>', references: ['<c@x>', '<c@x>'] }).references,
    ).toEqual(['<c@x>']);
  });

  it('drops values that are not Message-IDs', () => {
    expect(
      threadHeaders({
        messageId: '<c@x>\r\nBcc: spy@evil.org',
        references: ['<a@x> <b@x>', '<ok@x>', 'no-at', '<a@b@c>', '<>'],
      }),
    ).toEqual({ references: ['<ok@x>'] });
  });

  it('caps long threads, keeping the first and the last ones', () => {
    const references = Array.from({ length: 100 }, (_, i) => `<m${i}@x>`);
    const { references: capped } = threadHeaders({ messageId: '<new@x>', references });
    expect(capped).toHaveLength(MAX_REFERENCES);
    expect(capped[0]).toBe('<m0@x>');
    expect(capped[1]).toBe(`<m${100 - MAX_REFERENCES + 2}@x>`);
    expect(capped.at(-2)).toBe('<m99@x>');
    expect(capped.at(-1)).toBe('<new@x>');
  });

  it('normalizeMessageId adds brackets and refuses the rest', () => {
    expect(normalizeMessageId(' a.b@c.d ')).toBe('<a.b@c.d>');
    expect(normalizeMessageId('<a@b>')).toBe('<a@b>');
    expect(normalizeMessageId('a b@c')).toBeUndefined();
    expect(normalizeMessageId(`<${'a'.repeat(300)}@b>`)).toBeUndefined();
    expect(normalizeMessageId('<é@b>')).toBeUndefined();
    expect(normalizeMessageId(undefined)).toBeUndefined();
  });
});

describe('newMessageId', () => {
  it('builds <random@domain>', () => {
    expect(newMessageId('petrel.org', () => '1f2e-3d4c')).toBe('<1f2e-3d4c@petrel.org>');
    expect(newMessageId('München.de', () => 'abc')).toBe('<abc@xn--mnchen-3ya.de>');
  });

  it('refuses unsafe parts', () => {
    expect(() => newMessageId('petrel.org', () => 'a b')).toThrow(RangeError);
    expect(() => newMessageId('petrel.org', () => 'a>\r\nX: y')).toThrow(RangeError);
    expect(() => newMessageId('petrel.org', () => '')).toThrow(RangeError);
    expect(() => newMessageId('localhost', () => 'abc')).toThrow(RangeError);
    expect(() => newMessageId('x.org>\r\n', () => 'abc')).toThrow(RangeError);
  });
});

const original = {
  date: Date.UTC(2026, 0, 15, 14, 30),
  subject: 'Plans\r\nFrom: ceo@bank.com',
  from: [jane],
  to: [bob, carol],
  cc: [] as { name?: string; address?: string }[],
};
const utc = { locale: 'en-US', timeZone: 'UTC' };

describe('attribution and quotePlain', () => {
  it('writes the attribution with the date in the locale', () => {
    expect(attribution(original, utc)).toBe('On Jan 15, 2026, 2:30 PM, Jane wrote:');
    expect(attribution({ ...original, from: [carol] }, utc)).toMatch(/carol@z\.org wrote:$/);
    expect(attribution({ ...original, from: [] }, utc)).toMatch(/unknown sender wrote:$/);
    expect(
      attribution({ ...original, from: [{ name: 'J\r\n> forged', address: 'j@x.org' }] }, utc),
    ).toMatch(/J > forged wrote:$/);
    expect(attribution(original, { locale: 'de-DE', timeZone: 'Europe/Berlin' })).toContain(
      '15.01.2026',
    );
  });

  it('quotes every line and deepens existing quotes', () => {
    expect(quotePlain('Hello\r\n\r\n> earlier\n>> older\nBye\n\n\n', 'On X, Jane wrote:')).toBe(
      'On X, Jane wrote:\n> Hello\n>\n>> earlier\n>>> older\n> Bye\n',
    );
    expect(quotePlain('', 'A:')).toBe('A:\n>\n');
  });
});

describe('forwardHeaderBlock', () => {
  it('writes the block in plain text', () => {
    expect(forwardHeaderBlock(original, utc)).toBe(
      [
        '---------- Forwarded message ---------',
        'From: Jane <jane@x.org>',
        'Date: Jan 15, 2026, 2:30 PM',
        'Subject: Plans From: ceo@bank.com',
        'To: Bob <bob@y.org>, carol@z.org',
        '',
      ].join('\n'),
    );
  });

  it('adds Cc when there is one', () => {
    expect(
      forwardHeaderBlock({ ...original, cc: [{ name: 'Dan\nX', address: 'd@x.org' }] }, utc),
    ).toContain('\nCc: Dan X <d@x.org>\n');
  });
});
