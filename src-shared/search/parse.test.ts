import { describe, expect, it } from 'vitest';
import { parseDate, parseSearchQuery } from './parse.ts';
import type { SearchQuery, SearchTerm } from './query.ts';

/** Sunday 15 March 2026, 14:30 local time. */
const NOW = new Date(2026, 2, 15, 14, 30);
const day = (y: number, m: number, d: number): number => new Date(y, m - 1, d).getTime();

function terms(input: string): SearchTerm[] {
  const parsed = parseSearchQuery(input, NOW);
  if (!parsed.ok) throw new Error(`${input}: ${parsed.error} at ${parsed.at}`);
  return parsed.query.terms;
}

function error(input: string): { error: string; at: number } {
  const parsed = parseSearchQuery(input, NOW);
  if (parsed.ok) throw new Error(`${input} parsed: ${JSON.stringify(parsed.query)}`);
  return { error: parsed.error, at: parsed.at };
}

const word = (w: string, more: Partial<SearchTerm> = {}): SearchTerm =>
  ({
    kind: 'text',
    words: [w],
    phrase: false,
    prefix: false,
    negated: false,
    typed: w,
    ...more,
  }) as SearchTerm;

describe('free words', () => {
  it('an empty or blank query has no terms', () => {
    expect(parseSearchQuery('', NOW)).toEqual<{ ok: true; query: SearchQuery }>({
      ok: true,
      query: { terms: [] },
    });
    expect(terms('   \t ')).toEqual([]);
  });

  it('each word is a term; the last one, still being typed, is a prefix', () => {
    expect(terms('quarterly harb')).toEqual([word('quarterly'), word('harb', { prefix: true })]);
  });

  it('a space after the last word ends it: no prefix', () => {
    expect(terms('quarterly harb ')).toEqual([word('quarterly'), word('harb')]);
  });

  it('folds case and diacritics but keeps what was typed', () => {
    expect(terms('Café ')).toEqual([
      {
        kind: 'text',
        words: ['cafe'],
        phrase: false,
        prefix: false,
        negated: false,
        typed: 'Café',
      },
    ]);
  });

  it('a token of several words is a phrase (addresses, hyphens)', () => {
    expect(terms('alice@example.test foo-bar')).toEqual([
      {
        kind: 'text',
        words: ['alice', 'example', 'test'],
        phrase: true,
        prefix: false,
        negated: false,
        typed: 'alice@example.test',
      },
      {
        kind: 'text',
        words: ['foo', 'bar'],
        phrase: true,
        prefix: true,
        negated: false,
        typed: 'foo-bar',
      },
    ]);
  });

  it('skips punctuation-only tokens, which no index holds', () => {
    expect(terms('budget - final')).toEqual([word('budget'), word('final', { prefix: true })]);
  });

  it('a query of punctuation only is an error, not "everything"', () => {
    expect(error('🎉 !!')).toEqual({
      error: 'nothing to search for in "🎉": search finds letters and digits',
      at: 0,
    });
  });

  it('"Re:", times and URLs are words, not filters', () => {
    expect(terms('Re: meeting')).toEqual([
      word('re', { typed: 'Re:' }),
      word('meeting', { prefix: true }),
    ]);
    expect(terms('12:30 ')).toEqual([
      {
        kind: 'text',
        words: ['12', '30'],
        phrase: true,
        prefix: false,
        negated: false,
        typed: '12:30',
      },
    ]);
    expect(terms('https://example.test/x ')[0]).toMatchObject({
      words: ['https', 'example', 'test', 'x'],
      phrase: true,
    });
  });
});

describe('quotes', () => {
  it('a quoted phrase: its words in order, never a prefix', () => {
    expect(terms('"Quarterly Report"')).toEqual([
      {
        kind: 'text',
        words: ['quarterly', 'report'],
        phrase: true,
        prefix: false,
        negated: false,
        typed: 'Quarterly Report',
      },
    ]);
  });

  it('a quoted single word is exact too', () => {
    expect(terms('"harb"')).toEqual([word('harb', { phrase: true })]);
  });

  it('a quote ends the token before it: a"b c"', () => {
    expect(terms('a"b c"')).toEqual([
      word('a'),
      {
        kind: 'text',
        words: ['b', 'c'],
        phrase: true,
        prefix: false,
        negated: false,
        typed: 'b c',
      },
    ]);
  });

  it('a quoted filter is searched as text', () => {
    expect(terms('"foo:bar"')).toEqual([
      {
        kind: 'text',
        words: ['foo', 'bar'],
        phrase: true,
        prefix: false,
        negated: false,
        typed: 'foo:bar',
      },
    ]);
  });

  it('an unclosed quote is an error at the quote', () => {
    expect(error('hello "world')).toEqual({ error: 'a quote is not closed', at: 6 });
    expect(error('subject:"world')).toEqual({ error: 'a quote is not closed', at: 8 });
  });

  it('empty quotes or quotes of punctuation are errors', () => {
    expect(error('a ""')).toEqual({ error: 'the quotes are empty', at: 2 });
    expect(error('"--"')).toEqual({
      error: 'nothing to search for in "--": search finds letters and digits',
      at: 0,
    });
  });
});

describe('field filters', () => {
  it('from:, to:, cc: match by word prefix, wherever they stand', () => {
    expect(terms('from:ali to:bob cc:Carol x')).toEqual([
      word('ali', { field: 'from', prefix: true }),
      word('bob', { field: 'to', prefix: true }),
      word('carol', { field: 'cc', prefix: true, typed: 'Carol' }),
      word('x', { prefix: true }),
    ]);
  });

  it('an address value is the phrase of its words', () => {
    expect(terms('from:alice@example.test ')).toEqual([
      {
        kind: 'text',
        words: ['alice', 'example', 'test'],
        field: 'from',
        phrase: true,
        prefix: true,
        negated: false,
        typed: 'alice@example.test',
      },
    ]);
  });

  it('a quoted value is an exact phrase: to:"Bob Smith"', () => {
    expect(terms('to:"Bob Smith"')).toEqual([
      {
        kind: 'text',
        words: ['bob', 'smith'],
        field: 'to',
        phrase: true,
        prefix: false,
        negated: false,
        typed: 'Bob Smith',
      },
    ]);
  });

  it('subject: and body: take a word (a prefix when typed last) or a phrase', () => {
    expect(terms('subject:budget body:"next steps" body:harb')).toEqual([
      word('budget', { field: 'subject' }),
      {
        kind: 'text',
        words: ['next', 'steps'],
        field: 'body',
        phrase: true,
        prefix: false,
        negated: false,
        typed: 'next steps',
      },
      word('harb', { field: 'body', prefix: true }),
    ]);
  });

  it('keys are case-insensitive', () => {
    expect(terms('FROM:bob Subject:x ')).toEqual([
      word('bob', { field: 'from', prefix: true }),
      word('x', { field: 'subject' }),
    ]);
  });

  it('an empty value is an error at the key', () => {
    expect(error('hello from:')).toEqual({ error: 'from: needs a value', at: 6 });
    expect(error('subject: budget')).toEqual({ error: 'subject: needs a value', at: 0 });
    expect(error('to:""')).toEqual({ error: 'to: needs a value', at: 0 });
  });

  it('a value without letters or digits is an error', () => {
    expect(error('from:@@')).toEqual({
      error: 'from: needs a word to search for, not "@@"',
      at: 5,
    });
  });
});

describe('other filters', () => {
  it('has:attachment', () => {
    expect(terms('has:attachment')).toEqual([{ kind: 'hasAttachment', negated: false }]);
    expect(terms('has:Attachments')).toEqual([{ kind: 'hasAttachment', negated: false }]);
    expect(error('has:pdf')).toEqual({ error: 'has: takes attachment', at: 4 });
  });

  it('is:unread, is:read, is:flagged', () => {
    expect(terms('is:unread is:READ is:flagged')).toEqual([
      { kind: 'flag', flag: 'unread', negated: false },
      { kind: 'flag', flag: 'read', negated: false },
      { kind: 'flag', flag: 'flagged', negated: false },
    ]);
    expect(error('x is:maybe')).toEqual({ error: 'is: takes unread, read or flagged', at: 5 });
  });

  it('in: a role, path or name, folded; quotes for spaces', () => {
    expect(terms('in:Inbox in:Projects/2026 in:"Project X"')).toEqual([
      { kind: 'in', folder: 'inbox', negated: false },
      { kind: 'in', folder: 'projects/2026', negated: false },
      { kind: 'in', folder: 'project x', negated: false },
    ]);
  });

  it('account: a name or address, folded', () => {
    expect(terms('account:Work account:alice@example.test')).toEqual([
      { kind: 'account', account: 'work', negated: false },
      { kind: 'account', account: 'alice@example.test', negated: false },
    ]);
  });

  it('an unknown filter is an error that names the known ones', () => {
    const { error: message, at } = error('hello foo:bar');
    expect(at).toBe(6);
    expect(message).toMatch(
      /^unknown filter foo: — try from:, to:, cc:, subject:, body:, has:, is:/,
    );
    expect(message).toContain('larger:, smaller:');
    expect(message).toContain('quotes');
  });
});

describe('dates', () => {
  it('YYYY-MM-DD and YYYY-MM, at local midnight', () => {
    expect(terms('before:2026-03-01 after:2025-12')).toEqual([
      { kind: 'date', op: 'before', at: day(2026, 3, 1), negated: false },
      { kind: 'date', op: 'after', at: day(2025, 12, 1), negated: false },
    ]);
  });

  it('today, yesterday and Nd/Nw/Nm/Ny from now', () => {
    const at = (text: string): number | undefined => parseDate(text, NOW);
    expect(at('today')).toBe(day(2026, 3, 15));
    expect(at('Yesterday')).toBe(day(2026, 3, 14));
    expect(at('7d')).toBe(day(2026, 3, 8));
    expect(at('20d')).toBe(day(2026, 2, 23));
    expect(at('2w')).toBe(day(2026, 3, 1));
    expect(at('3m')).toBe(day(2025, 12, 15));
    expect(at('1y')).toBe(day(2025, 3, 15));
    expect(at('0d')).toBe(day(2026, 3, 15));
  });

  it('a month back from the 31st is the end of the shorter month', () => {
    expect(parseDate('1m', new Date(2026, 2, 31, 9))).toBe(day(2026, 2, 28));
    expect(parseDate('1m', new Date(2024, 2, 31, 9))).toBe(day(2024, 2, 29));
  });

  it('days that do not exist are errors, with where', () => {
    expect(error('before:2026-13-45')).toEqual({
      error: 'not a date: 2026-13-45 (use YYYY-MM-DD)',
      at: 7,
    });
    expect(error('after:2026-02-30').error).toBe('not a date: 2026-02-30 (use YYYY-MM-DD)');
    expect(error('after:2026-3-1').error).toBe('not a date: 2026-3-1 (use YYYY-MM-DD)');
    expect(error('after:tomorrow')).toEqual({
      error: 'not a date: tomorrow (use YYYY-MM-DD, YYYY-MM, today, yesterday or 7d, 2w, 3m, 1y)',
      at: 6,
    });
  });
});

describe('sizes', () => {
  it('k, M, G are powers of 1024; bare numbers are bytes', () => {
    expect(terms('larger:500k smaller:2M larger:1.5MB smaller:1G larger:1200')).toEqual([
      { kind: 'size', op: 'larger', bytes: 500 * 1024, negated: false },
      { kind: 'size', op: 'smaller', bytes: 2 * 1024 ** 2, negated: false },
      { kind: 'size', op: 'larger', bytes: 1.5 * 1024 ** 2, negated: false },
      { kind: 'size', op: 'smaller', bytes: 1024 ** 3, negated: false },
      { kind: 'size', op: 'larger', bytes: 1200, negated: false },
    ]);
  });

  it('anything else is an error', () => {
    expect(error('larger:big')).toEqual({
      error: 'not a size: big (use 500k, 2M, 1.5MB or a number of bytes)',
      at: 7,
    });
    expect(error('smaller:5x').error).toMatch(/^not a size: 5x/);
    expect(error('smaller:0')).toEqual({ error: 'smaller: needs a size above 0', at: 8 });
  });
});

describe('negation', () => {
  it('- negates any term', () => {
    expect(terms('-spam -from:bob -"a b" -is:unread -has:attachment -in:trash')).toEqual([
      word('spam', { negated: true }),
      word('bob', { field: 'from', prefix: true, negated: true }),
      { kind: 'text', words: ['a', 'b'], phrase: true, prefix: false, negated: true, typed: 'a b' },
      { kind: 'flag', flag: 'unread', negated: true },
      { kind: 'hasAttachment', negated: true },
      { kind: 'in', folder: 'trash', negated: true },
    ]);
    expect(terms('-account:work -before:7d -larger:1M')).toEqual([
      { kind: 'account', account: 'work', negated: true },
      { kind: 'date', op: 'before', at: day(2026, 3, 8), negated: true },
      { kind: 'size', op: 'larger', bytes: 1024 ** 2, negated: true },
    ]);
  });

  it('a negated last word is not a prefix', () => {
    expect(terms('budget -draft')).toEqual([word('budget'), word('draft', { negated: true })]);
  });

  it('a dash inside a word does not negate', () => {
    expect(terms('e-mail ')[0]).toMatchObject({ words: ['e', 'mail'], negated: false });
  });

  it('errors inside a negated term point at the value', () => {
    expect(error('-is:maybe')).toEqual({ error: 'is: takes unread, read or flagged', at: 4 });
  });
});
