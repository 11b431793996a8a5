import { describe, expect, it } from 'vitest';
import {
  addressKey,
  formatAddress,
  formatAddressList,
  isValidAddress,
  normalizeAddress,
  parseAddressList,
  sameAddress,
  toAsciiDomain,
} from './addresses.ts';

describe('parseAddressList', () => {
  it('splits on commas, semicolons and line breaks', () => {
    expect(parseAddressList('a@x.org, b@y.org; c@z.org\nd@w.org\r\ne@v.org')).toEqual({
      addresses: [
        { address: 'a@x.org' },
        { address: 'b@y.org' },
        { address: 'c@z.org' },
        { address: 'd@w.org' },
        { address: 'e@v.org' },
      ],
      invalid: [],
    });
  });

  it('keeps commas inside quoted names, angle brackets and comments', () => {
    expect(
      parseAddressList(
        '"Doe, Jane" <jane@x.org>, bob@y.org (Bob, the builder), Ann Lee <ann@z.org>',
      ),
    ).toEqual({
      addresses: [
        { name: 'Doe, Jane', address: 'jane@x.org' },
        { name: 'Bob, the builder', address: 'bob@y.org' },
        { name: 'Ann Lee', address: 'ann@z.org' },
      ],
      invalid: [],
    });
  });

  it('unescapes quoted names and collapses whitespace', () => {
    expect(parseAddressList('"Jane \\"JD\\"   Doe" <jane@x.org>').addresses).toEqual([
      { name: 'Jane "JD" Doe', address: 'jane@x.org' },
    ]);
    expect(parseAddressList('  <jane@x.org>  ').addresses).toEqual([{ address: 'jane@x.org' }]);
    expect(parseAddressList('Jane\tDoe < jane@x.org >').addresses).toEqual([
      { name: 'Jane Doe', address: 'jane@x.org' },
    ]);
  });

  it('accepts several bare addresses separated by spaces', () => {
    expect(parseAddressList('a@x.org b@y.org').addresses).toEqual([
      { address: 'a@x.org' },
      { address: 'b@y.org' },
    ]);
    expect(parseAddressList('Jane jane@x.org').invalid).toEqual(['Jane jane@x.org']);
  });

  it('skips empty entries and removes duplicates case-insensitively', () => {
    expect(parseAddressList(',, a@X.org ;; A@x.ORG,\n\n b@y.org ,').addresses).toEqual([
      { address: 'a@x.org' },
      { address: 'b@y.org' },
    ]);
    expect(parseAddressList('')).toEqual({ addresses: [], invalid: [] });
  });

  it('reports invalid entries as typed', () => {
    const { addresses, invalid } = parseAddressList(
      'jane, @x.org, a@, a@b, root@localhost, a b@x.org, a@1.2.3.4, a@[1.2.3.4], ok@x.org',
    );
    expect(addresses).toEqual([{ address: 'ok@x.org' }]);
    expect(invalid).toEqual([
      'jane',
      '@x.org',
      'a@',
      'a@b',
      'root@localhost',
      'a b@x.org',
      'a@1.2.3.4',
      'a@[1.2.3.4]',
    ]);
  });

  it('refuses malformed structure', () => {
    for (const entry of [
      'Jane <jane@x.org> trailing',
      'Jane <jane@x.org> "quoted"',
      'Jane <jane@x.org',
      'Jane jane@x.org>',
      '<a@x.org> <b@x.org>',
      '"Jane" jane@x.org',
      '"unterminated <jane@x.org>',
      '(unterminated jane@x.org',
      '<@route.org:jane@x.org>',
      '"quoted local"@x.org',
    ]) {
      expect(parseAddressList(entry), entry).toEqual({ addresses: [], invalid: [entry] });
    }
  });

  it('never takes a display name as the address (Mailsploit)', () => {
    expect(parseAddressList('"ceo@bank.com" <evil@attacker.org>').addresses).toEqual([
      { name: 'ceo@bank.com', address: 'evil@attacker.org' },
    ]);
    expect(parseAddressList('ceo@bank.com <evil@attacker.org>').addresses).toEqual([
      { name: 'ceo@bank.com', address: 'evil@attacker.org' },
    ]);
    // Encoded words are never decoded: they stay the name they are.
    const encoded = '=?utf-8?b?Y2VvQGJhbmsuY29tDQo=?= <evil@attacker.org>';
    expect(parseAddressList(encoded).addresses).toEqual([
      { name: '=?utf-8?b?Y2VvQGJhbmsuY29tDQo=?=', address: 'evil@attacker.org' },
    ]);
    // A legal (if odd) local part: it stays literal, and the mail goes to attacker.org as shown.
    expect(parseAddressList('=?utf-8?q?ceo=40bank.com?=@attacker.org').addresses).toEqual([
      { address: '=?utf-8?q?ceo=40bank.com?=@attacker.org' },
    ]);
  });

  it('refuses control characters anywhere, names included', () => {
    const hostile = [
      '"Jane\r\nBcc: spy@evil.org" <jane@x.org>',
      '"Jane\nDoe" <jane@x.org>',
      'Jane\u0000 <jane@x.org>',
      '<jane@x.org\u0000>',
      '"Jane\u2028" <jane@x.org>',
      '(Jane\r\n) jane@x.org',
      '"x\u007f" <jane@x.org>',
    ];
    for (const entry of hostile) {
      const result = parseAddressList(entry);
      expect(result.addresses, JSON.stringify(entry)).toEqual([]);
      expect(result.invalid, JSON.stringify(entry)).toHaveLength(1);
      expect(result.invalid[0]).not.toMatch(/[\r\n\0\u2028\u007f]/);
    }
  });

  it('an unquoted line break splits, so it cannot carry a header', () => {
    expect(parseAddressList('jane@x.org\r\nBcc: spy@evil.org')).toEqual({
      addresses: [{ address: 'jane@x.org' }],
      invalid: ['Bcc: spy@evil.org'],
    });
  });

  it('parses very long lists in linear time', () => {
    const input = Array.from({ length: 20_000 }, (_, i) => `"User, ${i}" <u${i}@x.org>`).join(', ');
    const started = Date.now();
    const { addresses, invalid } = parseAddressList(input);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(addresses).toHaveLength(20_000);
    expect(invalid).toEqual([]);
    expect(addresses[19_999]).toEqual({ name: 'User, 19999', address: 'u19999@x.org' });
  });

  it('survives hostile nesting and huge entries', () => {
    const deep = `${'('.repeat(50_000)}a@x.org`;
    expect(parseAddressList(deep).addresses).toEqual([]);
    const long = `${'a'.repeat(100_000)}@x.org`;
    expect(parseAddressList(long).invalid).toHaveLength(1);
    const quotes = '"'.repeat(100_001);
    expect(parseAddressList(quotes).addresses).toEqual([]);
  });
});

describe('normalizeAddress', () => {
  it('lowercases the domain and keeps the local part', () => {
    expect(normalizeAddress('Jane.Doe+tag@Example.ORG')).toBe('Jane.Doe+tag@example.org');
  });

  it('converts IDN domains to punycode', () => {
    expect(normalizeAddress('hans@münchen.de')).toBe('hans@xn--mnchen-3ya.de');
    expect(normalizeAddress('a@bücher.example')).toBe('a@xn--bcher-kva.example');
    expect(normalizeAddress('a@例え。テスト')).toBe('a@xn--r8jz45g.xn--zckzah');
    expect(normalizeAddress('a@xn--mnchen-3ya.de')).toBe('a@xn--mnchen-3ya.de');
    // A Cyrillic "а" in a look-alike of apple.com is shown for what it is.
    expect(normalizeAddress('ceo@аpple.com')).toMatch(/^ceo@xn--/);
  });

  it('refuses non-ASCII local parts and bad domains', () => {
    for (const bad of [
      'jürgen@x.org',
      'a..b@x.org',
      '.a@x.org',
      'a.@x.org',
      'a@-x.org',
      'a@x-.org',
      'a@x..org',
      'a@x.org.',
      'a@x_y.org',
      `${'a'.repeat(65)}@x.org`,
      `a@${'b'.repeat(64)}.org`,
      `a@${'bcdefghij.'.repeat(26)}org`,
      'a@b@x.org',
      'a@x.org\n',
    ]) {
      expect(isValidAddress(bad), bad).toBe(false);
    }
    expect(isValidAddress(`${'a'.repeat(64)}@x.org`)).toBe(true);
  });

  it('toAsciiDomain refuses numeric top-level labels and single labels', () => {
    expect(toAsciiDomain('localhost')).toBeUndefined();
    expect(toAsciiDomain('10.0.0.1')).toBeUndefined();
    expect(toAsciiDomain('mail.x.org')).toBe('mail.x.org');
  });
});

describe('sameAddress', () => {
  it('compares whole addresses case-insensitively, names ignored', () => {
    expect(sameAddress({ name: 'A', address: 'Jane@X.org' }, { address: 'jane@x.ORG' })).toBe(true);
    expect(sameAddress({ address: 'jane@x.org' }, { address: 'jane@y.org' })).toBe(false);
    expect(sameAddress({ address: ' jane@x.org ' }, { address: 'jane@x.org' })).toBe(true);
  });

  it('matches a Unicode domain with its punycode', () => {
    expect(sameAddress({ address: 'a@münchen.de' }, { address: 'a@xn--mnchen-3ya.de' })).toBe(true);
    expect(addressKey('A@MÜNCHEN.de')).toBe('a@xn--mnchen-3ya.de');
  });

  it('never matches a missing address', () => {
    expect(sameAddress({ name: 'x' }, { name: 'x' })).toBe(false);
  });
});

describe('formatAddress', () => {
  it('formats names and quotes specials', () => {
    expect(formatAddress({ address: 'a@x.org' })).toBe('a@x.org');
    expect(formatAddress({ name: 'Jane Doe', address: 'a@x.org' })).toBe('Jane Doe <a@x.org>');
    expect(formatAddress({ name: 'Doe, Jane', address: 'a@x.org' })).toBe('"Doe, Jane" <a@x.org>');
    expect(formatAddress({ name: 'J "JD" D\\', address: 'a@x.org' })).toBe(
      '"J \\"JD\\" D\\\\" <a@x.org>',
    );
    expect(formatAddress({ name: 'Group' })).toBe('Group');
  });

  it('shows control characters in names as spaces', () => {
    expect(formatAddress({ name: 'Jane\r\nBcc: x', address: 'a@x.org' })).toBe(
      '"Jane Bcc: x" <a@x.org>',
    );
  });

  it('round-trips through parseAddressList', () => {
    const list = [
      { name: 'Doe, Jane', address: 'jane@x.org' },
      { name: 'J "JD" (D) <x>', address: 'jd@y.org' },
      { address: 'plain@z.org' },
      { name: 'ceo@bank.com', address: 'evil@attacker.org' },
      { name: 'Back\\slash; semi', address: 'b@z.org' },
    ];
    expect(parseAddressList(formatAddressList(list))).toEqual({ addresses: list, invalid: [] });
  });
});
