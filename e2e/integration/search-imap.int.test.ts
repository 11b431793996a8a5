/**
 * The server step's half of search, against Dovecot: queries parsed by `parseSearchQuery` and
 * translated by `toImapSearch` go through imapflow's `client.search()` unchanged and find the
 * messages they should — field filters, phrases, body words, flags, sizes, dates, negation, and
 * several terms of one kind at once (the NOT NOT nesting).
 */
import { randomBytes } from 'node:crypto';
import type { ImapFlow, SearchObject } from 'imapflow';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { toImapSearch } from '#shared/search/imap';
import { parseSearchQuery } from '#shared/search/parse';
import { newUserAccount, otherClient } from './harness.ts';

const rig = inject('mailRig');
const NOW = new Date(2026, 2, 15, 12, 0);

interface Seed {
  from: string;
  subject: string;
  body: string;
  /** INTERNALDATE, noon UTC: far from any day boundary in any time zone. */
  date: string;
  flags: string[];
  attachment?: Buffer;
}

function raw(seed: Seed): string {
  const headers = [
    `From: ${seed.from}`,
    'To: Team <team@example.test>',
    `Subject: ${seed.subject}`,
    `Message-ID: <${randomBytes(8).toString('hex')}@example.test>`,
    'MIME-Version: 1.0',
  ];
  if (!seed.attachment) {
    return [...headers, 'Content-Type: text/plain; charset=utf-8', '', seed.body, ''].join('\r\n');
  }
  const boundary = `b-${randomBytes(6).toString('hex')}`;
  return [
    ...headers,
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    seed.body,
    `--${boundary}`,
    'Content-Type: application/octet-stream; name="data.bin"',
    'Content-Disposition: attachment; filename="data.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    seed.attachment.toString('base64').replace(/.{76}/g, '$&\r\n'),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

const SEEDS = {
  report: {
    from: 'Alice Example <alice@example.test>',
    subject: 'Quarterly report for the harbour',
    body: 'The crane arrives on Tuesday.',
    date: '2026-01-10T12:00:00Z',
    flags: ['\\Seen'],
  },
  lunch: {
    from: 'Bob Builder <bob@example.test>',
    subject: 'Lunch',
    body: 'Meet at the café near the harbour project.',
    date: '2026-02-20T12:00:00Z',
    flags: [],
    attachment: randomBytes(60_000),
  },
  draft: {
    from: 'Carol <carol@example.test>',
    subject: 'Report draft',
    body: 'Nothing to see yet.',
    date: '2026-03-05T12:00:00Z',
    flags: ['\\Seen', '\\Flagged'],
  },
} satisfies Record<string, Seed>;
type Name = keyof typeof SEEDS;

let client: ImapFlow;
const uids = new Map<number, Name>();

beforeAll(async () => {
  const { user } = await newUserAccount(rig, 'search');
  client = await otherClient(rig, user);
  for (const [name, seed] of Object.entries(SEEDS) as [Name, Seed][]) {
    const appended = await client.append('INBOX', raw(seed), seed.flags, new Date(seed.date));
    if (!appended || appended.uid === undefined) throw new Error('APPEND gave no UID');
    uids.set(appended.uid, name);
  }
  return () => client.logout();
});

/** The names of the seeded messages that the query finds on the server. */
async function found(input: string): Promise<Name[]> {
  const parsed = parseSearchQuery(input, NOW);
  if (!parsed.ok) throw new Error(`${input}: ${parsed.error}`);
  // What main passes on: the translation must be an imapflow SearchObject as it is.
  const search: SearchObject = toImapSearch(parsed.query).search;
  const lock = await client.getMailboxLock('INBOX', { readOnly: true });
  try {
    const result = await client.search(search, { uid: true });
    if (!Array.isArray(result)) throw new Error(`SEARCH failed for ${input}`);
    return result.map((uid) => uids.get(uid) ?? (`uid ${uid}` as Name)).sort();
  } finally {
    lock.release();
  }
}

describe('toImapSearch through imapflow against Dovecot', () => {
  it('an empty query finds everything', async () => {
    expect(await found('')).toEqual(['draft', 'lunch', 'report']);
  });

  it('from:, subject:"phrase", body words', async () => {
    expect(await found('from:alice')).toEqual(['report']);
    expect(await found('from:bob@example.test')).toEqual(['lunch']);
    expect(await found('subject:"quarterly report"')).toEqual(['report']);
    expect(await found('subject:"report quarterly"')).toEqual([]);
    expect(await found('crane')).toEqual(['report']);
    expect(await found('body:harbour')).toEqual(['lunch']);
  });

  it('several free words must all match (one TEXT each)', async () => {
    expect(await found('harbour')).toEqual(['lunch', 'report']);
    expect(await found('harbour crane')).toEqual(['report']);
    expect(await found('harbour crane lunch')).toEqual([]);
  });

  it('non-ASCII text goes as typed, matched case-insensitively', async () => {
    expect(await found('Café')).toEqual(['lunch']);
    expect(await found('CAFÉ')).toEqual(['lunch']);
    // Dovecot's i;unicode-casemap also drops the accent; servers differ, hence "approximate".
    expect(await found('cafe')).toEqual(['lunch']);
  });

  it('the server matches substrings, wider than the local word match (reported approximate)', async () => {
    expect(await found('arbou ')).toEqual(['lunch', 'report']);
  });

  it('is:unread, is:read, is:flagged', async () => {
    expect(await found('is:unread')).toEqual(['lunch']);
    expect(await found('is:read')).toEqual(['draft', 'report']);
    expect(await found('is:flagged')).toEqual(['draft']);
  });

  it('larger:, smaller:, has:attachment', async () => {
    expect(await found('larger:40k')).toEqual(['lunch']);
    expect(await found('smaller:40k')).toEqual(['draft', 'report']);
    expect(await found('has:attachment')).toEqual(['lunch']);
  });

  it('before: and after:', async () => {
    expect(await found('before:2026-02-01')).toEqual(['report']);
    expect(await found('after:2026-02-01')).toEqual(['draft', 'lunch']);
    expect(await found('after:2026-02 before:2026-03')).toEqual(['lunch']);
  });

  it('negation, alone and with other terms', async () => {
    expect(await found('-from:alice')).toEqual(['draft', 'lunch']);
    expect(await found('harbour -from:bob')).toEqual(['report']);
    expect(await found('-is:unread -has:attachment')).toEqual(['draft', 'report']);
    expect(await found('-crane -lunch')).toEqual(['draft']);
    expect(await found('report -crane -lunch is:read')).toEqual(['draft']);
  });
});
