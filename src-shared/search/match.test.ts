import { describe, expect, it } from 'vitest';
import type { MessageRow } from '../mail.ts';
import { accountIs, folderIs, matchesMessage, needsBody, type SearchableMessage } from './match.ts';
import { parseSearchQuery } from './parse.ts';

const NOW = new Date(2026, 2, 15, 14, 30);

function row(over: Partial<MessageRow> = {}): MessageRow {
  return {
    id: 'acc:INBOX#1',
    folderId: 'acc:INBOX',
    accountId: 'acc',
    uid: 1,
    date: new Date(2026, 2, 10, 9, 0).getTime(),
    flags: ['\\Seen'],
    size: 20_000,
    subject: 'Quarterly report: Café budget',
    from: [{ name: 'Alice Ämmälä', address: 'alice@example.test' }],
    to: [
      { name: 'Bob Smith', address: 'bob@example.test' },
      { name: 'Dana', address: 'dana@corp.test' },
    ],
    cc: [{ address: 'carol@example.test' }],
    threadId: '<t@example.test>',
    preview: 'Hello team, the harbour project is late',
    hasAttachments: false,
    ...over,
  };
}

function message(
  over: Partial<SearchableMessage> = {},
  rowOver: Partial<MessageRow> = {},
): SearchableMessage {
  return {
    row: row(rowOver),
    bodyText:
      'Hello team, the harbour project is late. The new crane arrives next Tuesday.\nRegards',
    folder: { path: 'INBOX', name: 'INBOX', role: 'inbox', delimiter: '/' },
    account: { name: 'Work', email: 'alice@example.test' },
    ...over,
  };
}

function matches(input: string, m: SearchableMessage = message()): boolean {
  const parsed = parseSearchQuery(input, NOW);
  if (!parsed.ok) throw new Error(parsed.error);
  return matchesMessage(parsed.query, m);
}

describe('free words', () => {
  it('match whole folded words in any field', () => {
    expect(matches('quarterly ')).toBe(true); // subject
    expect(matches('cafe ')).toBe(true); // subject, diacritic folded
    expect(matches('ammala ')).toBe(true); // from name
    expect(matches('corp ')).toBe(true); // to address
    expect(matches('carol ')).toBe(true); // cc address
    expect(matches('harbour ')).toBe(true); // preview
    expect(matches('crane ')).toBe(true); // body only
    expect(matches('giraffe ')).toBe(false);
  });

  it('all words must match', () => {
    expect(matches('crane budget ')).toBe(true);
    expect(matches('crane giraffe ')).toBe(false);
  });

  it('are words, not substrings, except the last one typed', () => {
    expect(matches('harb ')).toBe(false);
    expect(matches('harb')).toBe(true);
    expect(matches('arbour')).toBe(false); // a prefix, not a substring
  });

  it('a body not cached is searched through its preview only', () => {
    const noBody = message({ bodyText: undefined });
    expect(matches('harbour ', noBody)).toBe(true);
    expect(matches('crane ', noBody)).toBe(false);
  });
});

describe('phrases', () => {
  it('need the words next to each other, in order', () => {
    expect(matches('"new crane arrives"')).toBe(true);
    expect(matches('"crane new"')).toBe(false);
    expect(matches('"new arrives"')).toBe(false);
  });

  it('stay within one field', () => {
    // "budget" ends the subject, "alice" starts the from address: not one phrase.
    expect(matches('"budget alice"')).toBe(false);
    // "smith" ends Bob's name and "dana" is the next recipient: not one phrase.
    expect(matches('to:"smith dana"')).toBe(false);
    expect(matches('to:"bob smith"')).toBe(true);
  });

  it('a bare address or hyphenated token is a phrase, prefix on its last word when typed last', () => {
    expect(matches('bob@example.test ')).toBe(true);
    expect(matches('bob@example.org ')).toBe(false);
    expect(matches('alice@exa')).toBe(true);
  });
});

describe('field filters', () => {
  it('from: to: cc: look at names and addresses of that field only', () => {
    expect(matches('from:alice x', message({}, { subject: 'x' }))).toBe(true);
    expect(matches('from:ali x', message({}, { subject: 'x' }))).toBe(true); // word prefix
    expect(matches('from:bob ')).toBe(false);
    expect(matches('to:bob ')).toBe(true);
    expect(matches('to:smith ')).toBe(true);
    expect(matches('cc:carol@example.test ')).toBe(true);
    expect(matches('cc:bob ')).toBe(false);
    expect(matches('from:alice@example.test ')).toBe(true);
    expect(matches('from:alice@example.org ')).toBe(false);
  });

  it('subject: and body: look in that field only', () => {
    expect(matches('subject:budget ')).toBe(true);
    expect(matches('subject:crane ')).toBe(false);
    expect(matches('body:crane ')).toBe(true);
    expect(matches('body:budget ')).toBe(false);
    expect(matches('body:"next tuesday"')).toBe(true);
  });

  it('body: falls back to the preview when the body is not cached', () => {
    const noBody = message({ bodyText: undefined });
    expect(matches('body:harbour ', noBody)).toBe(true);
    expect(matches('body:crane ', noBody)).toBe(false);
  });
});

describe('flags, attachments, dates, sizes', () => {
  it('is:unread is no \\Seen; is:read; is:flagged', () => {
    const unread = message({}, { flags: [] });
    const flagged = message({}, { flags: ['\\Seen', '\\Flagged'] });
    expect(matches('is:unread', unread)).toBe(true);
    expect(matches('is:unread')).toBe(false);
    expect(matches('is:read')).toBe(true);
    expect(matches('is:read', unread)).toBe(false);
    expect(matches('is:flagged', flagged)).toBe(true);
    expect(matches('is:flagged')).toBe(false);
  });

  it('has:attachment reads the row', () => {
    expect(matches('has:attachment', message({}, { hasAttachments: true }))).toBe(true);
    expect(matches('has:attachment')).toBe(false);
  });

  it('before: is strictly before the day, after: from its midnight on', () => {
    expect(matches('after:2026-03-10')).toBe(true);
    expect(matches('after:2026-03-11')).toBe(false);
    expect(matches('before:2026-03-10')).toBe(false);
    expect(matches('before:2026-03-11')).toBe(true);
    expect(matches('after:7d')).toBe(true); // since 8 March
    expect(matches('after:3d')).toBe(false); // since 12 March
  });

  it('larger: and smaller: compare the size strictly', () => {
    expect(matches('larger:19k')).toBe(true);
    expect(matches('larger:20000')).toBe(false);
    expect(matches('smaller:20001')).toBe(true);
    expect(matches('smaller:20000')).toBe(false);
  });
});

describe('in: and account:', () => {
  it('in: by role, path, or name', () => {
    const projects = { path: 'Work.Projects 2026', name: 'Projects 2026', delimiter: '.' };
    expect(folderIs('inbox', { path: 'INBOX', name: 'INBOX', role: 'inbox' })).toBe(true);
    expect(folderIs('sent', { path: 'Sent Items', name: 'Sent Items', role: 'sent' })).toBe(true);
    expect(folderIs('spam', { path: 'Junk', name: 'Junk', role: 'junk' })).toBe(true);
    expect(folderIs('work/projects 2026', projects)).toBe(true);
    expect(folderIs('work.projects 2026', projects)).toBe(true);
    expect(folderIs('projects 2026', projects)).toBe(true);
    expect(folderIs('projects', projects)).toBe(false);
    expect(folderIs('sent', projects)).toBe(false);
    expect(matches('in:inbox')).toBe(true);
    expect(matches('in:"Sent Items"')).toBe(false);
  });

  it('account: by name or address, folded, as a prefix', () => {
    const account = { name: 'Büro Mail', email: 'alice@example.test' };
    expect(accountIs('buro', account)).toBe(true);
    expect(accountIs('buro mail', account)).toBe(true);
    expect(accountIs('mail', account)).toBe(true);
    expect(accountIs('alice@example.test', account)).toBe(true);
    expect(accountIs('alice@', account)).toBe(true);
    expect(accountIs('example', account)).toBe(true);
    expect(accountIs('home', account)).toBe(false);
    expect(matches('account:work')).toBe(true);
    expect(matches('account:home')).toBe(false);
  });
});

describe('negation', () => {
  it('inverts each kind of term', () => {
    expect(matches('-crane ')).toBe(false);
    expect(matches('-giraffe ')).toBe(true);
    expect(matches('-from:alice ')).toBe(false);
    expect(matches('-from:bob ')).toBe(true);
    expect(matches('-"crane new"')).toBe(true);
    expect(matches('-is:unread')).toBe(true);
    expect(matches('-is:read')).toBe(false);
    expect(matches('-has:attachment')).toBe(true);
    expect(matches('-in:inbox')).toBe(false);
    expect(matches('-account:work')).toBe(false);
    expect(matches('-before:2026-03-11')).toBe(false);
    expect(matches('-larger:1M')).toBe(true);
  });

  it('combines with the other terms', () => {
    expect(matches('crane -giraffe is:read ')).toBe(true);
    expect(matches('crane -budget ')).toBe(false);
  });
});

describe('needsBody', () => {
  const needs = (input: string): boolean => {
    const parsed = parseSearchQuery(input, NOW);
    if (!parsed.ok) throw new Error(parsed.error);
    return needsBody(parsed.query);
  };

  it('is true for words anywhere and body: terms', () => {
    expect(needs('crane')).toBe(true);
    expect(needs('"new crane"')).toBe(true);
    expect(needs('from:alice body:crane')).toBe(true);
  });

  it('is false for header-only, negated and non-text terms', () => {
    expect(needs('')).toBe(false);
    expect(needs('from:alice subject:budget to:bob cc:carol')).toBe(false);
    expect(needs('-crane is:unread has:attachment in:inbox larger:1M after:7d')).toBe(false);
  });
});

describe('empty query', () => {
  it('matches every message', () => {
    expect(matches('')).toBe(true);
  });
});
