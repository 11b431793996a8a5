import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accountIdOfFolderId, folderIdOf, type MessageRow } from '#shared/mail';
import type { SearchQuery, SearchTerm } from '#shared/search/query';
import { applyBatch } from './apply.ts';
import { openCache, type PetrelDb } from './db.ts';
import {
  CHUNK_DOCS,
  COMPACT_AFTER,
  DOC,
  FIELD,
  forgetSearchDocs,
  loadSearchDocs,
  readPostings,
  runSearchIndexer,
  searchIndexStep,
  startSearchIndexer,
} from './search-index.ts';
import { CHECK_LIMIT, searchLocal, type SearchScope } from './search-local.ts';
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
    batch(accountIdOfFolderId(folderId), {
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

/** Word → "number:fields" of every posting row, for comparing the index before and after. */
async function postings(): Promise<Record<string, string[]>> {
  const all: Record<string, string[]> = {};
  for (const block of await db.searchBlocks.toArray()) {
    block.words.forEach((word, w) => {
      const entries: string[] = [];
      for (let i = block.starts[w]!; i < block.starts[w + 1]!; i++) {
        entries.push(`${block.chunk * CHUNK_DOCS + block.docs[i]!}:${block.fields[i]}`);
      }
      all[word] = [...(all[word] ?? []), ...entries].sort();
    });
  }
  return all;
}

/** A word's postings, chunk by chunk, as the search reads them. */
async function postingsOf(word: string) {
  return (await readPostings(db, await loadSearchDocs(db), word, false, 1_000)).postings;
}

/** The stored columns of every indexed message, by row id (gone ones left out). */
async function storedDocs(): Promise<Record<string, { number: number; bits: number }>> {
  const docs: Record<string, { number: number; bits: number }> = {};
  for (const chunk of await db.searchDocs.orderBy('chunk').toArray()) {
    chunk.rowIds.forEach((rowId, i) => {
      const bits = chunk.bits[i] as number;
      if (!(bits & DOC.gone)) docs[rowId] = { number: chunk.chunk * CHUNK_DOCS + i, bits };
    });
  }
  return docs;
}

describe('the cache writer queues, the indexer indexes', () => {
  it('a batch queues what it changed that the index holds, one pending row per batch', async () => {
    const rows = [plain(INBOX, 1), plain(INBOX, 2)];
    await put(INBOX, rows);
    await putBody(rows[0]!, 'hello');
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, flags: [{ uid: 1, flags: [] }] }));
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, remove: [2] }));
    await applyBatch(db, batch(ACCOUNT, { folderId: ARCHIVE, reset: true, keepOnly: '1:5' }));
    const pending = await db.searchPending.toArray();
    expect(pending.map(({ id: _, ...row }) => row)).toEqual([
      { rowIds: [rows[0]!.id, rows[1]!.id] },
      { rowIds: [], textIds: [rows[0]!.id] },
      { rowIds: [], flagIds: [rows[0]!.id] },
      { rowIds: [], removedIds: [rows[1]!.id] },
      { rowIds: [], droppedFolders: [ARCHIVE], keepOnly: { folderId: ARCHIVE, uids: '1:5' } },
    ]);
    expect(await db.searchBlocks.count()).toBe(0);
  });

  it('writes one posting row per word per chunk: local numbers and the fields of each', async () => {
    const rows = [
      plain(INBOX, 1, { subject: 'Café opening', preview: 'the cafe' }),
      plain(INBOX, 2, {
        subject: 'closing',
        from: [{ name: 'Cafe Owner', address: 'owner@cafe.example' }],
      }),
    ];
    await put(INBOX, rows);
    await runSearchIndexer(db);
    expect(await db.searchPending.count()).toBe(0);
    const [cafe, ...more] = await postingsOf('cafe');
    expect(more).toEqual([]);
    expect(cafe!.chunk).toBe(0);
    expect([...cafe!.docs]).toEqual([0, 1]);
    expect([...cafe!.fields]).toEqual([FIELD.subject | FIELD.body, FIELD.from]);
    expect(await storedDocs()).toEqual({
      [rows[0]!.id]: { number: 0, bits: DOC.unread },
      [rows[1]!.id]: { number: 1, bits: DOC.unread },
    });
  });

  it('fills a chunk over several steps and starts the next one when it is full', async () => {
    const many = Array.from({ length: CHUNK_DOCS + 2 }, (_, i) =>
      message(INBOX, i + 1, { subject: i % 2 ? 'odd' : 'even', preview: '' }),
    );
    await put(INBOX, many.slice(0, 3));
    expect(await searchIndexStep(db)).toBe(true);
    await put(INBOX, many.slice(3));
    await runSearchIndexer(db);
    const odd = await postingsOf('odd');
    expect(odd.map((posting) => [posting.chunk, posting.docs.length])).toEqual([
      [0, CHUNK_DOCS / 2],
      [1, 1],
    ]);
    expect((await db.searchDocs.toArray()).map((chunk) => chunk.rowIds.length)).toEqual([
      CHUNK_DOCS,
      2,
    ]);
    const result = await searchLocal(db, q(text(['odd'])), ALL, { limit: 2 });
    expect(result.rows.map((row) => row.uid)).toEqual([CHUNK_DOCS + 2, CHUNK_DOCS]);
    expect(result.total).toBe(CHUNK_DOCS / 2 + 1);
  }, 60_000);

  it('cuts postings into blocks and merges later words into the right ones', async () => {
    // 3,000 distinct words in one step (several blocks), then words before, between and after
    // them in small steps, some of them words already indexed.
    const word = (n: number) => `w${String(n).padStart(5, '0')}`;
    const first = Array.from({ length: 1_500 }, (_, i) =>
      message(INBOX, i + 1, { subject: `${word(i * 2 + 10)} ${word(i * 2 + 11)}`, preview: '' }),
    );
    await put(INBOX, first);
    await runSearchIndexer(db);
    const blocksBefore = await db.searchBlocks.count();
    expect(blocksBefore).toBeGreaterThan(1);
    const later = [word(1), word(1_500), word(1_501), word(99_999), word(11)].map((w, i) =>
      message(INBOX, 2_000 + i, { subject: w, preview: '' }),
    );
    for (const row of later) {
      await put(INBOX, [row]);
      await runSearchIndexer(db);
    }
    const uidsOf = async (w: string) =>
      (await searchLocal(db, q(text([w])), ALL, { limit: 10 })).rows
        .map((row) => row.uid)
        .sort((a, b) => a - b);
    expect(await uidsOf(word(1))).toEqual([2_000]);
    expect(await uidsOf(word(10))).toEqual([1]);
    expect(await uidsOf(word(11))).toEqual([1, 2_004]);
    expect(await uidsOf(word(1_500))).toEqual([746, 2_001]);
    expect(await uidsOf(word(1_501))).toEqual([746, 2_002]);
    expect(await uidsOf(word(3_009))).toEqual([1_500]);
    expect(await uidsOf(word(99_999))).toEqual([2_003]);
    // Every word once, in order, block after block; every block's first word is its key.
    const blocks = await db.searchBlocks.orderBy('[chunk+first]').toArray();
    const words = blocks.flatMap((block) => block.words);
    expect(words).toEqual([...new Set(words)].sort());
    for (const block of blocks) expect(block.first).toBe(block.words[0]);
    expect(await storedDocs()).toHaveProperty(`${INBOX}#2004`);
  }, 30_000);

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
    const docs = await storedDocs();
    await applyBatch(db, first);
    await applyBatch(db, bodies);
    expect(await ids(q(text(['budget']), text(['hi'])))).toEqual(once);
    expect(await postings()).toEqual(before);
    expect(await storedDocs()).toEqual(docs);
  });

  it('a body cached later indexes the message again; its earlier entry is gone', async () => {
    const row = plain(INBOX, 1, { subject: 'Ferry' });
    await put(INBOX, [row]);
    await runSearchIndexer(db);
    await putBody(row, 'timetable');
    await runSearchIndexer(db);
    expect(await storedDocs()).toEqual({
      [row.id]: { number: 1, bits: DOC.unread | DOC.body },
    });
    const found = await searchLocal(db, q(text(['ferry'])), ALL, { limit: 5 });
    expect(found.rows.map((r) => r.id)).toEqual([row.id]);
    expect(found.total).toBe(1);
  });

  it('flag changes update the index in place, without indexing again', async () => {
    const row = plain(INBOX, 1, { subject: 'Tide', flags: [] });
    await put(INBOX, [row]);
    const unread = q(text(['tide']), { kind: 'flag', flag: 'unread', negated: false });
    expect(await ids(unread)).toEqual([row.id]);
    const words = await postings();
    await applyBatch(
      db,
      batch(ACCOUNT, { folderId: INBOX, flags: [{ uid: 1, flags: ['\\Seen', '\\Flagged'] }] }),
    );
    expect(await ids(unread)).toEqual([]);
    expect(await ids(q({ kind: 'flag', flag: 'flagged', negated: false }))).toEqual([row.id]);
    expect(await storedDocs()).toEqual({ [row.id]: { number: 0, bits: DOC.flagged } });
    expect(await postings()).toEqual(words);
  });

  it('a step cut short after its commit leaves nothing twice', async () => {
    const rows = [plain(INBOX, 1, { subject: 'Pier' }), plain(INBOX, 2, { subject: 'Pier' })];
    await put(INBOX, rows);
    const pending = await db.searchPending.toArray();
    await runSearchIndexer(db);
    // As if the pending rows' deletion had not happened, and the page was reloaded.
    await db.searchPending.bulkAdd(pending);
    forgetSearchDocs(db);
    await runSearchIndexer(db);
    expect(Object.keys(await storedDocs())).toHaveLength(2);
    expect((await db.searchDocs.toArray()).map((chunk) => chunk.rowIds.length)).toEqual([2]);
    expect((await searchLocal(db, q(text(['pier'])), ALL, { limit: 5 })).total).toBe(2);
  });

  it('drops the postings of a chunk’s gone messages once there are enough of them', async () => {
    const count = COMPACT_AFTER + 50;
    await put(
      INBOX,
      Array.from({ length: count }, (_, i) =>
        message(INBOX, i + 1, { subject: i < 50 ? 'kelp forest' : 'kelp', preview: '' }),
      ),
    );
    await runSearchIndexer(db);
    const entries = async () => (await postingsOf('kelp')).reduce((n, p) => n + p.docs.length, 0);
    expect(await entries()).toBe(count);
    // Expunged, all but the first 50, less one: not enough to compact.
    const gone = Array.from({ length: COMPACT_AFTER }, (_, i) => 51 + i);
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, remove: gone.slice(1) }));
    await runSearchIndexer(db);
    expect(await entries()).toBe(count);
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, remove: gone.slice(0, 1) }));
    await runSearchIndexer(db);
    expect(await entries()).toBe(50);
    expect((await db.searchDocs.get(0))?.purged).toBe(COMPACT_AFTER);
    expect(await postingsOf('forest')).toHaveLength(1);
    const found = await searchLocal(db, q(text(['kelp'])), ALL, { limit: 5 });
    expect(found.total).toBe(50);
    expect(found.rows.map((row) => row.uid)).toEqual([50, 49, 48, 47, 46]);
    // Read again from storage: the same.
    forgetSearchDocs(db);
    expect((await searchLocal(db, q(text(['kelp'])), ALL, { limit: 5 })).total).toBe(50);
  }, 30_000);

  it('a step that fails writes nothing, and a later one indexes everything', async () => {
    await put(INBOX, [plain(INBOX, 1, { subject: 'Buoy' })]);
    const failing = vi
      .spyOn(db.searchDocs, 'bulkPut')
      .mockRejectedValueOnce(new Error('The disk is full'));
    await expect(searchIndexStep(db)).rejects.toThrow('The disk is full');
    failing.mockRestore();
    expect(await db.searchBlocks.count()).toBe(0);
    expect(await db.searchPending.count()).toBe(1);
    // Meanwhile a search checks the pending message on its row.
    expect(
      (await searchLocal(db, q(text(['buoy'])), ALL, { limit: 5 })).rows.map((r) => r.id),
    ).toEqual([`${INBOX}#1`]);
    await runSearchIndexer(db);
    expect(await storedDocs()).toEqual({ [`${INBOX}#1`]: { number: 0, bits: DOC.unread } });
    expect(await ids(q(text(['buoy'])))).toEqual([`${INBOX}#1`]);
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
    const stop = startSearchIndexer(db, { startDelayMs: 0 });
    try {
      await put(INBOX, [plain(INBOX, 1, { subject: 'fresh' })]);
      for (let i = 0; i < 100 && (await db.searchPending.count()) > 0; i++) await pause(50);
      expect(await db.searchPending.count()).toBe(0);
      expect(Object.keys(await storedDocs())).toEqual([`${INBOX}#1`]);
      expect((await postingsOf('fresh')).map((posting) => [...posting.docs])).toEqual([[0]]);
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

  it('without a word: flags and the scope from the index, counted exactly', async () => {
    await runSearchIndexer(db);
    const unread = await searchLocal(db, q({ kind: 'flag', flag: 'unread', negated: false }), ALL, {
      limit: 2,
    });
    expect(unread.rows.map((row) => row.id)).toEqual([`${OTHER_INBOX}#6`, `${ARCHIVE}#5`]);
    expect(unread.truncated).toBe(true);
    expect(unread.total).toBe(4);
    const flagged = await searchLocal(
      db,
      q({ kind: 'flag', flag: 'flagged', negated: false }),
      ALL,
      {
        limit: 10,
      },
    );
    expect(flagged.rows.map((row) => row.id)).toEqual([`${INBOX}#4`]);
    expect(flagged.total).toBe(1);
    const read = q({ kind: 'flag', flag: 'read', negated: false });
    expect(await ids(read)).toEqual([`${INBOX}#4`, `${INBOX}#1`]);
    // A flag changed here (a task) shows before the server's batch does: rows are checked.
    const first = (await db.messages.get(`${INBOX}#1`))!;
    await db.messages.put({ ...first, flags: [] });
    expect(await ids(read)).toEqual([`${INBOX}#4`]);
    // A one-letter prefix as typed: every word it starts, from the index.
    const letter = await searchLocal(db, q(text(['h'], { prefix: true })), ALL, { limit: 10 });
    expect(letter.rows).toHaveLength(6);
    expect(letter.total).toBe(6);
    const none = await searchLocal(db, q(text(['q'], { prefix: true })), ALL, { limit: 10 });
    expect(none).toMatchObject({ rows: [], total: 0 });
  });

  it('a phrase is checked on rows, at most CHECK_LIMIT of them, and says how many were not', async () => {
    await put(
      ARCHIVE,
      Array.from({ length: CHECK_LIMIT + 50 }, (_, i) =>
        message(ARCHIVE, 100 + i, { subject: 'plans for the harbour', preview: '' }),
      ),
    );
    const result = await searchLocal(db, q(text(['harbour', 'plans'], { phrase: true })), ALL, {
      limit: 10,
    });
    await runSearchIndexer(db);
    const indexed = await searchLocal(db, q(text(['harbour', 'plans'], { phrase: true })), ALL, {
      limit: 10,
    });
    // The newest 2,000 candidates have both words, not as the phrase: the two older that do are
    // not reached, and the result says so.
    expect(indexed.rows).toEqual([]);
    expect(indexed.unchecked).toBe(CHECK_LIMIT + 52 - CHECK_LIMIT);
    expect(indexed.total).toBeUndefined();
    expect(result.coverage.indexing).toBe(true);
  }, 30_000);

  it('a query of more words than it narrows by still checks the rest', async () => {
    const words = Array.from({ length: 300 }, (_, i) => `w${i}`);
    await put(ARCHIVE, [
      plain(ARCHIVE, 10, { subject: words.join(' ') }),
      plain(ARCHIVE, 11, { subject: words.slice(0, 299).join(' ') }),
    ]);
    expect(await ids(q(...words.map((word) => text([word]))))).toEqual([`${ARCHIVE}#10`]);
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
