import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderIdOf, type MessageRow } from '#shared/mail';
import type { SearchQuery, SearchTerm } from '#shared/search/query';
import { applyBatch } from './apply.ts';
import { openCache, type PetrelDb } from './db.ts';
import {
  runSearchIndexer,
  searchIndexState,
  searchIndexStep,
  startSearchIndexer,
} from './search-index.ts';
import { searchLocal, type SearchScope } from './search-local.ts';
import { batch, checkpoint, folder, freshDb, message, pause } from './test-support.ts';

const ACCOUNT = 'acc1';
const OTHER = 'acc2';
const INBOX = folderIdOf(ACCOUNT, 'INBOX');
const ARCHIVE = folderIdOf(ACCOUNT, 'Archive');
const OTHER_INBOX = folderIdOf(OTHER, 'INBOX');
const FOLDERS = [
  folder(ACCOUNT, 'INBOX', { role: 'inbox' }),
  folder(ACCOUNT, 'Archive'),
  folder(OTHER, 'INBOX', { role: 'inbox' }),
];
const ALL: SearchScope = {
  accountIds: [ACCOUNT, OTHER],
  accounts: [
    { id: ACCOUNT, name: 'Work', email: 'me@work.example' },
    { id: OTHER, name: 'Home', email: 'me@home.example' },
  ],
};

let db: PetrelDb;

beforeEach(async () => {
  db = freshDb();
  await applyBatch(db, batch(ACCOUNT, { folders: { put: FOLDERS.slice(0, 2) } }));
  await applyBatch(db, batch(OTHER, { folders: { put: FOLDERS.slice(2) } }));
});

afterEach(async () => {
  await db.delete();
});

const text = (words: string[], extra: Partial<Extract<SearchTerm, { kind: 'text' }>> = {}) =>
  ({ kind: 'text', words, phrase: false, prefix: false, negated: false, ...extra }) as SearchTerm;
const q = (...terms: SearchTerm[]): SearchQuery => ({ terms });

const put = (folderId: string, rows: MessageRow[]) =>
  applyBatch(
    db,
    batch(folderId.slice(0, folderId.indexOf(':')), {
      folderId,
      put: rows,
      checkpoint: checkpoint(),
    }),
  );

const putBody = (row: MessageRow, body: string, contentType = 'text/plain', part = '1') =>
  applyBatch(
    db,
    batch(row.accountId, {
      folderId: row.folderId,
      bodies: [{ rowId: row.id, part, contentType, text: body, size: body.length }],
    }),
  );

/** Ids found, after the indexer has caught up (the pending path has its own tests). */
const ids = async (query: SearchQuery, scope = ALL, limit = 50) => {
  await runSearchIndexer(db);
  return (await searchLocal(db, query, scope, { limit })).rows.map((row) => row.id);
};

const plain = (folderId: string, uid: number, extra: Partial<MessageRow> = {}) =>
  message(folderId, uid, { subject: `Note ${uid}`, preview: 'nothing here', ...extra });

/** Word → row ids of every posting row, for comparing the index before and after. */
async function postings(): Promise<Record<string, string[]>> {
  const all: Record<string, string[]> = {};
  for (const row of await db.searchPostings.toArray()) {
    all[row.word] = [...(all[row.word] ?? []), ...row.ids].sort();
  }
  return all;
}

describe('the cache writer queues, the indexer indexes', () => {
  it('a batch that puts rows or caches text queues their ids, one pending row per batch', async () => {
    const rows = [plain(INBOX, 1), plain(INBOX, 2)];
    await put(INBOX, rows);
    await putBody(rows[0]!, 'hello');
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, flags: [{ uid: 1, flags: [] }] }));
    const pending = await db.searchPending.toArray();
    expect(pending.map((row) => row.rowIds)).toEqual([[rows[0]!.id, rows[1]!.id], [rows[0]!.id]]);
    expect(await db.searchPostings.count()).toBe(0);
  });

  it('writes one posting row per word per chunk, with ids and dates, and empties the queue', async () => {
    const rows = [
      plain(INBOX, 1, { subject: 'Café opening' }),
      plain(INBOX, 2, { subject: 'cafe closing' }),
    ];
    await put(INBOX, rows);
    await runSearchIndexer(db);
    expect(await db.searchPending.count()).toBe(0);
    expect(await db.searchPostings.get(['cafe', 0])).toEqual({
      word: 'cafe',
      chunk: 0,
      ids: [rows[0]!.id, rows[1]!.id],
      dates: [rows[0]!.date, rows[1]!.date],
    });
    expect(await searchIndexState(db)).toMatchObject({ chunk: 0, chunkMessages: 2, indexed: 2 });
  });

  it('fills a chunk over several steps and starts the next when it would overfill', async () => {
    await put(INBOX, [plain(INBOX, 1, { subject: 'gull' }), plain(INBOX, 2, { subject: 'gull' })]);
    expect(await searchIndexStep(db, 3)).toBe(true);
    await put(INBOX, [plain(INBOX, 3, { subject: 'gull' })]);
    expect(await searchIndexStep(db, 3)).toBe(true);
    await put(INBOX, [plain(INBOX, 4, { subject: 'gull' })]);
    expect(await searchIndexStep(db, 3)).toBe(true);
    expect(await searchIndexStep(db, 3)).toBe(false);
    const gull = await db.searchPostings
      .where('[word+chunk]')
      .between(['gull', 0], ['gull', 9])
      .toArray();
    expect(gull.map((row) => [row.chunk, row.ids.length])).toEqual([
      [0, 3],
      [1, 1],
    ]);
    expect(await ids(q(text(['gull'])))).toEqual([4, 3, 2, 1].map((uid) => `${INBOX}#${uid}`));
  });

  it('indexes cached bodies (text and HTML), a part cached after its message was indexed too', async () => {
    const row = plain(INBOX, 1);
    await put(INBOX, [row, plain(INBOX, 2)]);
    expect(await ids(q(text(['harbour'])))).toEqual([]);
    await putBody(row, 'Meet me at the harbour.');
    expect(await ids(q(text(['harbour'])))).toEqual([row.id]);
    await putBody(row, '<p>The <b>lighthouse</b> keeper</p>', 'text/html', '2');
    expect(await ids(q(text(['lighthouse'])))).toEqual([row.id]);
    expect(await ids(q(text(['harbour'])))).toEqual([row.id]);
    expect(await ids(q(text(['b'])))).toEqual([]);
  });

  it('applying the same batches again changes no posting and no result', async () => {
    const rows = [plain(INBOX, 1, { subject: 'Budget' }), plain(INBOX, 2)];
    const first = batch(ACCOUNT, { folderId: INBOX, put: rows, checkpoint: checkpoint() });
    const bodies = batch(ACCOUNT, {
      folderId: INBOX,
      bodies: [{ rowId: rows[0]!.id, part: '1', contentType: 'text/plain', text: 'hi', size: 2 }],
    });
    await applyBatch(db, first);
    await applyBatch(db, bodies);
    const once = await ids(q(text(['budget']), text(['hi'])));
    const before = await postings();
    await applyBatch(db, first);
    await applyBatch(db, bodies);
    expect(await ids(q(text(['budget']), text(['hi'])))).toEqual(once);
    expect(await postings()).toEqual(before);
  });

  it('expunged messages, a reset folder and a removed account leave the results', async () => {
    await put(INBOX, [
      plain(INBOX, 1, { subject: 'alpha' }),
      plain(INBOX, 2, { subject: 'alpha' }),
    ]);
    await put(ARCHIVE, [plain(ARCHIVE, 1, { subject: 'alpha' })]);
    await put(OTHER_INBOX, [plain(OTHER_INBOX, 1, { subject: 'alpha' })]);
    await runSearchIndexer(db);
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, remove: [2] }));
    await applyBatch(db, batch(ACCOUNT, { folderId: ARCHIVE, reset: true }));
    expect(await ids(q(text(['alpha'])))).toEqual([`${OTHER_INBOX}#1`, `${INBOX}#1`]);
    await applyBatch(db, batch(OTHER, { removeAccount: true }));
    expect(await ids(q(text(['alpha'])))).toEqual([`${INBOX}#1`]);
  });

  it('runs in the background and follows the writer', async () => {
    const stop = startSearchIndexer(db);
    try {
      await put(INBOX, [plain(INBOX, 1, { subject: 'fresh' })]);
      for (let i = 0; i < 100 && (await db.searchPending.count()) > 0; i++) await pause(50);
      expect(await db.searchPending.count()).toBe(0);
      expect((await db.searchPostings.get(['fresh', 0]))?.ids).toEqual([`${INBOX}#1`]);
    } finally {
      stop();
    }
  });
});

describe('caches from before the index (schema 5)', () => {
  it('the upgrade queues every cached message, and the indexer indexes headers and bodies', async () => {
    const name = `petrel-test-${crypto.randomUUID()}`;
    const old = openCache(name, 5);
    const rows = Array.from({ length: 7 }, (_, i) => plain(INBOX, i + 1, { subject: `topic${i}` }));
    await old.folders.bulkPut(FOLDERS);
    await old.messages.bulkPut(rows);
    await old.bodies.put({
      rowId: rows[0]!.id,
      part: '1',
      folderId: INBOX,
      contentType: 'text/plain',
      text: 'seaweed',
      size: 7,
      fetchedAt: 0,
    });
    old.close();
    const upgraded = openCache(name);
    try {
      const pending = await upgraded.searchPending.toArray();
      expect(pending.flatMap((row) => row.rowIds).sort()).toEqual(rows.map((row) => row.id).sort());
      await runSearchIndexer(upgraded, 3);
      const found = async (word: string) =>
        (await searchLocal(upgraded, q(text([word])), ALL, { limit: 10 })).rows.map((r) => r.id);
      expect(await found('topic3')).toEqual([rows[3]!.id]);
      expect(await found('seaweed')).toEqual([rows[0]!.id]);
    } finally {
      await upgraded.delete();
    }
  });
});

describe('searchLocal', () => {
  beforeEach(async () => {
    await put(INBOX, [
      plain(INBOX, 1, { subject: 'Harbour plans', flags: ['\\Seen'] }),
      plain(INBOX, 2, { subject: 'Harbourmaster visit', flags: [] }),
      plain(INBOX, 3, { subject: 'Lunch', preview: 'harbour view tomorrow', hasAttachments: true }),
      plain(INBOX, 4, { subject: 'Re: harbour plans', flags: ['\\Flagged', '\\Seen'] }),
    ]);
    await put(ARCHIVE, [plain(ARCHIVE, 5, { subject: 'harbour archive' })]);
    await put(OTHER_INBOX, [plain(OTHER_INBOX, 6, { subject: 'Harbour at home' })]);
  });

  it('a word, across accounts and folders, newest first', async () => {
    expect(await ids(q(text(['harbour'])))).toEqual([
      `${OTHER_INBOX}#6`,
      `${ARCHIVE}#5`,
      `${INBOX}#4`,
      `${INBOX}#3`,
      `${INBOX}#1`,
    ]);
  });

  it('the last word as a prefix, a phrase, two words, a field, a negation', async () => {
    expect(await ids(q(text(['harbourm'], { prefix: true })))).toEqual([`${INBOX}#2`]);
    expect(await ids(q(text(['ha'], { prefix: true })))).toHaveLength(6);
    expect(await ids(q(text(['harbour', 'plans'], { phrase: true })))).toEqual([
      `${INBOX}#4`,
      `${INBOX}#1`,
    ]);
    expect(await ids(q(text(['plans', 'harbour'], { phrase: true })))).toEqual([]);
    expect(await ids(q(text(['harbour']), text(['view'])))).toEqual([`${INBOX}#3`]);
    expect(await ids(q(text(['harbour'], { field: 'subject' }), text(['lunch'])))).toEqual([]);
    expect(await ids(q(text(['harbour']), text(['plans'], { negated: true })))).toEqual([
      `${OTHER_INBOX}#6`,
      `${ARCHIVE}#5`,
      `${INBOX}#3`,
    ]);
  });

  it('a phrase in a body not in the headers', async () => {
    await putBody(plain(INBOX, 2), 'the quarterly harbour review is due');
    expect(await ids(q(text(['harbour', 'review'], { phrase: true })))).toEqual([`${INBOX}#2`]);
    expect(await ids(q(text(['review', 'harbour'], { phrase: true })))).toEqual([]);
  });

  it('flags, attachments, in:, account:, and the scope', async () => {
    expect(
      await ids(q(text(['harbour']), { kind: 'flag', flag: 'flagged', negated: false })),
    ).toEqual([`${INBOX}#4`]);
    expect(await ids(q(text(['harbour']), { kind: 'hasAttachment', negated: false }))).toEqual([
      `${INBOX}#3`,
    ]);
    expect(
      await ids(q(text(['harbour']), { kind: 'in', folder: 'archive', negated: false })),
    ).toEqual([`${ARCHIVE}#5`]);
    expect(
      await ids(q(text(['harbour']), { kind: 'account', account: 'home', negated: false })),
    ).toEqual([`${OTHER_INBOX}#6`]);
    expect(await ids(q(text(['harbour'])), { ...ALL, folderId: ARCHIVE })).toEqual([
      `${ARCHIVE}#5`,
    ]);
    expect(await ids(q(text(['harbour'])), { ...ALL, accountIds: [OTHER] })).toEqual([
      `${OTHER_INBOX}#6`,
    ]);
  });

  it('without a word: a newest-first walk, bounded, that says so', async () => {
    const flagged = q({ kind: 'flag', flag: 'flagged', negated: false });
    const unread = await searchLocal(db, q({ kind: 'flag', flag: 'unread', negated: false }), ALL, {
      limit: 2,
    });
    expect(unread.rows.map((row) => row.id)).toEqual([`${OTHER_INBOX}#6`, `${ARCHIVE}#5`]);
    expect(unread.truncated).toBe(true);
    expect(unread.walked?.complete).toBe(false);
    const bounded = await searchLocal(db, flagged, ALL, { limit: 10, walkLimit: 2 });
    expect(bounded.rows).toEqual([]);
    expect(bounded.walked).toEqual({ examined: 2, complete: false });
    const all = await searchLocal(db, flagged, ALL, { limit: 10 });
    expect(all.rows.map((row) => row.id)).toEqual([`${INBOX}#4`]);
    expect(all.walked).toEqual({ examined: 6, complete: true });
    // A one-letter prefix is not looked up: it walks.
    const letter = await searchLocal(db, q(text(['h'], { prefix: true })), ALL, { limit: 10 });
    expect(letter.walked?.complete).toBe(true);
    expect(letter.rows).toHaveLength(6);
  });

  it('truncates at the limit', async () => {
    await runSearchIndexer(db);
    const result = await searchLocal(db, q(text(['harbour'])), ALL, { limit: 3 });
    expect(result.rows.map((row) => row.id)).toEqual([
      `${OTHER_INBOX}#6`,
      `${ARCHIVE}#5`,
      `${INBOX}#4`,
    ]);
    expect(result.truncated).toBe(true);
  });

  it('finds messages not indexed yet, and says indexing when too many wait', async () => {
    expect(await db.searchPending.count()).toBeGreaterThan(0);
    const before = await searchLocal(db, q(text(['harbour'])), ALL, { limit: 3 });
    expect(before.rows.map((row) => row.id)).toEqual([
      `${OTHER_INBOX}#6`,
      `${ARCHIVE}#5`,
      `${INBOX}#4`,
    ]);
    expect(before.truncated).toBe(true);
    expect(before.coverage.indexing).toBe(false);
    // Indexed and pending at once: both are found, once each.
    await runSearchIndexer(db);
    await put(INBOX, [plain(INBOX, 7, { subject: 'harbour news' })]);
    expect(
      (await searchLocal(db, q(text(['harbour'])), ALL, { limit: 3 })).rows.map((row) => row.id),
    ).toEqual([`${INBOX}#7`, `${OTHER_INBOX}#6`, `${ARCHIVE}#5`]);
    await db.searchPending.add({
      rowIds: Array.from({ length: 5_001 }, (_, i) => `${INBOX}#${1000 + i}`),
    });
    await db.searchPending.add({ rowIds: [`${INBOX}#7`] });
    const busy = await searchLocal(db, q(text(['harbour'])), ALL, { limit: 3 });
    expect(busy.coverage.indexing).toBe(true);
    expect(busy.rows.map((row) => row.id)).toEqual([
      `${OTHER_INBOX}#6`,
      `${ARCHIVE}#5`,
      `${INBOX}#4`,
    ]);
  });

  it('coverage: messages searched, bodies cached since, bodies missing', async () => {
    await runSearchIndexer(db);
    const none = await searchLocal(db, q(text(['news'])), ALL, { limit: 5 });
    expect(none.coverage).toEqual({ messages: 6, bodiesMissing: 6, indexing: false });
    await putBody(plain(INBOX, 3), 'old news');
    await putBody(plain(INBOX, 4), 'new news');
    await runSearchIndexer(db);
    const result = await searchLocal(db, q(text(['news'])), ALL, { limit: 5 });
    expect(result.rows.map((row) => row.id)).toEqual([`${INBOX}#4`, `${INBOX}#3`]);
    expect(result.coverage).toEqual({
      messages: 6,
      bodiesMissing: 4,
      bodiesCachedSince: plain(INBOX, 3).date,
      indexing: false,
    });
    const archive = await searchLocal(
      db,
      q(text(['news'])),
      { ...ALL, folderId: ARCHIVE },
      { limit: 5 },
    );
    expect(archive.coverage).toEqual({ messages: 1, bodiesMissing: 1, indexing: false });
  });
});
