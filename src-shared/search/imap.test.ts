import { describe, expect, it } from 'vitest';
import { APPROXIMATE, folderMatches, toImapSearch, type ImapTranslation } from './imap.ts';
import { parseSearchQuery } from './parse.ts';
import type { SearchQuery } from './query.ts';

const NOW = new Date(2026, 2, 15, 14, 30);

function query(input: string): SearchQuery {
  const parsed = parseSearchQuery(input, NOW);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.query;
}

const imap = (input: string): ImapTranslation => toImapSearch(query(input));

describe('toImapSearch', () => {
  it('an empty query (or only in:/account:) searches all', () => {
    expect(imap('')).toEqual({ search: { all: true }, approximate: [] });
    expect(imap('in:inbox account:work')).toEqual({ search: { all: true }, approximate: [] });
  });

  it('a free word is TEXT, as typed; the server matching substrings is approximate', () => {
    expect(imap('Café')).toEqual({
      search: { text: 'Café' },
      approximate: [APPROXIMATE.substring],
    });
  });

  it('a phrase is one TEXT string', () => {
    expect(imap('"quarterly report"').search).toEqual({ text: 'quarterly report' });
  });

  it('several free words: one TEXT each, ANDed through NOT NOT', () => {
    expect(imap('crane harbour tuesday').search).toEqual({
      text: 'crane',
      not: { not: { text: 'harbour', not: { not: { text: 'tuesday' } } } },
    });
  });

  it('field filters are FROM, TO, CC, SUBJECT, BODY', () => {
    expect(
      imap('from:alice@example.test to:bob cc:carol subject:"next steps" body:crane').search,
    ).toEqual({
      from: 'alice@example.test',
      to: 'bob',
      cc: 'carol',
      subject: 'next steps',
      body: 'crane',
    });
  });

  it('flags: SEEN/UNSEEN, FLAGGED, negation flips them', () => {
    expect(imap('is:unread').search).toEqual({ seen: false });
    expect(imap('is:read').search).toEqual({ seen: true });
    expect(imap('is:flagged').search).toEqual({ flagged: true });
    expect(imap('-is:unread').search).toEqual({ seen: true });
    expect(imap('-is:flagged').search).toEqual({ flagged: false });
    expect(imap('is:flagged').approximate).toEqual([]);
  });

  it('has:attachment is a Content-Type header search, said to be approximate', () => {
    expect(imap('has:attachment')).toEqual({
      search: { header: { 'Content-Type': 'multipart/mixed' } },
      approximate: [APPROXIMATE.attachment],
    });
    expect(imap('-has:attachment').search).toEqual({
      not: { header: { 'Content-Type': 'multipart/mixed' } },
    });
  });

  it('dates: the local day, as SINCE and BEFORE; negation swaps them', () => {
    expect(imap('after:2026-03-01 before:7d')).toEqual({
      search: { since: '2026-03-01', before: '2026-03-08' },
      approximate: [APPROXIMATE.dates],
    });
    expect(imap('-before:2026-03-01').search).toEqual({ since: '2026-03-01' });
    expect(imap('-after:2025-12').search).toEqual({ before: '2025-12-01' });
    expect(imap('after:yesterday').search).toEqual({ since: '2026-03-14' });
  });

  it('sizes: LARGER and SMALLER in bytes', () => {
    expect(imap('larger:500k smaller:2M')).toEqual({
      search: { larger: 512_000, smaller: 2_097_152 },
      approximate: [],
    });
    expect(imap('-larger:1M').search).toEqual({ not: { larger: 1_048_576 } });
  });

  it('negated text is NOT', () => {
    expect(imap('-from:bob').search).toEqual({ not: { from: 'bob' } });
    expect(imap('-"a b"').search).toEqual({ not: { text: 'a b' } });
  });

  it('a second negation goes down as ¬(a ∨ ¬rest)', () => {
    expect(imap('-spam -from:bob').search).toEqual({
      not: { or: [{ text: 'spam' }, { not: { not: { from: 'bob' } } }] },
    });
  });

  it('mixes keys in one object where they do not collide', () => {
    expect(imap('budget from:alice is:unread -crane larger:1k crane2').search).toEqual({
      text: 'budget',
      from: 'alice',
      seen: false,
      not: { or: [{ text: 'crane' }, { not: { text: 'crane2' } }] },
      larger: 1024,
    });
  });

  it('terms built in code without `typed` send their words', () => {
    const built: SearchQuery = {
      terms: [
        { kind: 'text', words: ['next', 'steps'], phrase: true, prefix: false, negated: false },
      ],
    };
    expect(toImapSearch(built).search).toEqual({ text: 'next steps' });
  });
});

describe('folderMatches', () => {
  const inbox = { path: 'INBOX', name: 'INBOX', role: 'inbox' };
  const projects = { path: 'Projects/2026', name: '2026', delimiter: '/' };
  const work = { name: 'Work', email: 'alice@work.test' };
  const home = { name: 'Home', email: 'alice@home.test' };

  it('every folder of every account without in:/account:', () => {
    expect(folderMatches(query('crane'), inbox, work)).toBe(true);
    expect(folderMatches(query('crane'), projects, home)).toBe(true);
  });

  it('in: chooses folders, account: accounts, both together', () => {
    expect(folderMatches(query('in:inbox'), inbox, work)).toBe(true);
    expect(folderMatches(query('in:inbox'), projects, work)).toBe(false);
    expect(folderMatches(query('in:projects/2026'), projects, home)).toBe(true);
    expect(folderMatches(query('account:work'), projects, work)).toBe(true);
    expect(folderMatches(query('account:work'), projects, home)).toBe(false);
    expect(folderMatches(query('in:inbox account:home'), inbox, home)).toBe(true);
    expect(folderMatches(query('in:inbox account:home'), inbox, work)).toBe(false);
  });

  it('negated: every other folder or account', () => {
    expect(folderMatches(query('-in:inbox'), inbox, work)).toBe(false);
    expect(folderMatches(query('-in:inbox'), projects, work)).toBe(true);
    expect(folderMatches(query('-account:work'), inbox, home)).toBe(true);
  });
});
