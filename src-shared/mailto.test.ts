import { describe, expect, it } from 'vitest';
import { parseMailto } from './mailto.ts';

const empty = { to: [], cc: [], bcc: [], invalid: [], ignored: [] };

describe('parseMailto', () => {
  it('returns undefined for other schemes', () => {
    expect(parseMailto('https://x.org/?to=a@x.org')).toBeUndefined();
    expect(parseMailto('file:///etc/passwd')).toBeUndefined();
    expect(parseMailto('javascript:alert(1)//mailto:a@x.org')).toBeUndefined();
    expect(parseMailto('')).toBeUndefined();
  });

  it('reads the simplest form, any case of the scheme', () => {
    expect(parseMailto('mailto:jane@x.org')).toEqual({ ...empty, to: [{ address: 'jane@x.org' }] });
    expect(parseMailto(' MAILTO:jane@x.org ')?.to).toEqual([{ address: 'jane@x.org' }]);
    expect(parseMailto('mailto:')).toEqual(empty);
  });

  it('reads every supported field (RFC 6068 examples)', () => {
    expect(
      parseMailto(
        'mailto:a@x.org,b@y.org?to=c@z.org&cc=d@x.org&bcc=e@x.org&subject=Hello%20there' +
          '&body=Line%201%0D%0ALine%202&in-reply-to=%3C3469A91.D10AF4C%40example.com%3E',
      ),
    ).toEqual({
      to: [{ address: 'a@x.org' }, { address: 'b@y.org' }, { address: 'c@z.org' }],
      cc: [{ address: 'd@x.org' }],
      bcc: [{ address: 'e@x.org' }],
      subject: 'Hello there',
      body: 'Line 1\nLine 2',
      inReplyTo: '<3469A91.D10AF4C@example.com>',
      invalid: [],
      ignored: [],
    });
  });

  it('percent-decodes addresses, names and parameter names', () => {
    expect(parseMailto('mailto:%22Doe%2C%20Jane%22%20%3Cjane@x.org%3E')?.to).toEqual([
      { name: 'Doe, Jane', address: 'jane@x.org' },
    ]);
    expect(parseMailto('mailto:?%53ubject=Hi&CC=a@x.org')).toEqual({
      ...empty,
      cc: [{ address: 'a@x.org' }],
      subject: 'Hi',
    });
    expect(parseMailto('mailto:hans@m%C3%BCnchen.de')?.to).toEqual([
      { address: 'hans@xn--mnchen-3ya.de' },
    ]);
  });

  it('keeps "+" as a plus sign', () => {
    expect(parseMailto('mailto:a+tag@x.org?subject=1+1')).toEqual({
      ...empty,
      to: [{ address: 'a+tag@x.org' }],
      subject: '1+1',
    });
  });

  it('never throws on malformed escapes', () => {
    expect(parseMailto('mailto:a@x.org?subject=100%&body=%E2%82%AC%FF%zz')).toEqual({
      ...empty,
      to: [{ address: 'a@x.org' }],
      subject: '100%',
      body: '€%FF%zz',
    });
  });

  it('ignores attachments and every other header', () => {
    const draft = parseMailto(
      'mailto:a@x.org?attach=file:///etc/passwd&Attachment=%2Fhome%2Fme%2F.ssh%2Fid_rsa' +
        '&file=C:%5Cboot.ini&from=ceo@bank.com&X-Mailer=evil&reply-to=spy@evil.org' +
        '&sender=x@y.org&references=%3Ca@b%3E&attach=/tmp/x',
    );
    expect(draft).toEqual({
      ...empty,
      to: [{ address: 'a@x.org' }],
      ignored: [
        'attach',
        'attachment',
        'file',
        'from',
        'x-mailer',
        'reply-to',
        'sender',
        'references',
      ],
    });
  });

  it('strips line breaks from the subject and keeps them in the body', () => {
    const draft = parseMailto(
      'mailto:a@x.org?subject=Hi%0D%0ABcc:%20spy@evil.org&body=a%0Db%0Ac%0D%0A%00d%09e%1Bf',
    );
    expect(draft?.subject).toBe('Hi Bcc: spy@evil.org');
    expect(draft?.body).toBe('a\nb\nc\nd\tef');
    expect(draft?.bcc).toEqual([]);
  });

  it('takes the first subject and body, but every recipient field', () => {
    expect(
      parseMailto('mailto:?subject=one&subject=two&body=1&body=2&cc=a@x.org&cc=b@x.org'),
    ).toEqual({
      ...empty,
      cc: [{ address: 'a@x.org' }, { address: 'b@x.org' }],
      subject: 'one',
      body: '1',
    });
  });

  it('reports invalid addresses, including hostile names', () => {
    const draft = parseMailto(
      'mailto:nobody?cc=%22Jane%0D%0ABcc:%20spy@evil.org%22%20%3Cjane@x.org%3E&bcc=@x.org',
    );
    expect(draft?.to).toEqual([]);
    expect(draft?.cc).toEqual([]);
    expect(draft?.invalid).toEqual(['nobody', '"Jane Bcc: spy@evil.org" <jane@x.org>', '@x.org']);
  });

  it('keeps encoded-word names as names', () => {
    expect(parseMailto('mailto:=%3Futf-8%3Fb%3FY2Vv%3F=%20%3Cevil@attacker.org%3E')?.to).toEqual([
      { name: '=?utf-8?b?Y2Vv?=', address: 'evil@attacker.org' },
    ]);
  });

  it('drops an in-reply-to that is not a Message-ID', () => {
    expect(parseMailto('mailto:a@x.org?in-reply-to=%3Ca%40b%3E%0D%0ABcc:x@y.org')).toEqual({
      ...empty,
      to: [{ address: 'a@x.org' }],
    });
  });

  it('lists each address once across to, cc and bcc', () => {
    expect(parseMailto('mailto:a@x.org?to=A@X.org&cc=a@x.org,b@x.org&bcc=B@x.org,c@x.org')).toEqual(
      {
        ...empty,
        to: [{ address: 'a@x.org' }],
        cc: [{ address: 'b@x.org' }],
        bcc: [{ address: 'c@x.org' }],
      },
    );
  });

  it('handles very long URLs', () => {
    const to = Array.from({ length: 5000 }, (_, i) => `to=u${i}@x.org`).join('&');
    const draft = parseMailto(`mailto:?${to}&body=${'x'.repeat(200_000)}`);
    expect(draft?.to).toHaveLength(5000);
    expect(draft?.body).toHaveLength(200_000);
  });
});
