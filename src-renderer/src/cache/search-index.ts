/**
 * The local search index: which messages each word occurs in, and in which fields; and, for every
 * indexed message, the few columns filters need (date, size, unread, flagged, attachment, body
 * cached). A search (`search-local.ts`) answers from these alone and reads messages only for the
 * page it shows.
 *
 * Layout. Messages get numbers in the order they are indexed, in chunks of `CHUNK_DOCS`:
 * - `searchBlocks`: per chunk, the postings of consecutive words packed in rows of about 16 KB
 *   (`SearchBlockRow`): for each word, the chunk's local numbers of the messages it occurs in
 *   (`Uint16Array`, ascending) and the fields of each (`FIELD` bits: subject, from, to, cc, body,
 *   preview). So `subject:harbour` and `from:alice` are answered from postings too.
 * - `searchDocs`, one row per chunk: row id, date, size and `DOC` bits of each of its messages. All
 *   chunks are held in memory (`loadSearchDocs`: about 30 bytes plus the row id per message, with
 *   the order by date), so that filters, scope, counts and the newest-first order cost no reads.
 *
 * Why not in the cache writer's transactions: an IndexedDB index entry costs about 20 µs in
 * Chromium and a message has about 180 distinct words with its body, which made sync 3.5× slower.
 * Why blocks: one row per word per chunk was about 30,000 writes of ~45 µs for a chunk.
 * So `apply.ts` only queues what a batch changed (`searchPending`, one row per batch), and this
 * indexer takes it in, in the background, a chunk at a time:
 * - rows put or given text: indexed, unless already indexed with everything they have now (a UID's
 *   message never changes; a replayed batch changes nothing). A message whose body was cached
 *   after it was indexed without is indexed again under a new number; the old one is marked gone;
 * - flags changed: the `DOC` bits updated in place;
 * - expunged, folders dropped (removed, UIDVALIDITY reset), accounts removed, UID reconciliation:
 *   marked gone. A gone message is skipped by every search; its postings stay until its chunk has
 *   `COMPACT_AFTER` of them, when the idle indexer drops them (`compactNext`).
 *
 * Crash safety: a step writes its postings and the chunks' columns in one transaction, then
 * deletes its pending rows. A step cut short before the first commit is done again whole; after
 * it, the messages are found indexed and only their flags are brought up to date.
 */
import { Dexie } from 'dexie';
import { htmlToPlainText } from '#shared/html-text';
import { folderIdOfRowId, uidOfRowId, type MessageRow } from '#shared/mail';
import { foldedWords, foldText } from '#shared/search/fold';
import { uidSetMatcher } from '#shared/uid-set';
import type {
  BodyRow,
  PetrelDb,
  SearchBlockRow,
  SearchDocsRow,
  SearchPendingRow,
  SearchPosting,
} from './db.ts';

/** Set to 'off' in localStorage, the app does not index (the sync benchmark's reference runs). */
export const SEARCH_INDEX_OFF_KEY = 'petrel.bench.searchIndex';

/** Messages per chunk (local numbers are `Uint16`). */
export const CHUNK_DOCS = 8_192;
/** Body text indexed per message: the first 64 KB (of characters) of its cached text parts. */
export const BODY_TEXT_LIMIT = 64 * 1024;

/** Fields a word occurs in, as bits of `SearchBlockRow.fields`. */
export const FIELD = {
  subject: 1,
  from: 2,
  to: 4,
  cc: 8,
  /** The body's text, or the preview when the body is not cached (as `body:` reads it). */
  body: 16,
  /** The preview of a message whose body is cached (a free word finds it; `body:` does not). */
  preview: 32,
} as const;
export const ANY_FIELD = 63;

/** What the index knows of a message, as bits of `SearchDocsRow.bits`. */
export const DOC = { unread: 1, flagged: 2, attachment: 4, body: 8, gone: 16 } as const;

/** Messages read per transaction. */
const READ_PAGE = 500;
/** Messages of a chunk marked gone, not yet dropped from its postings, that start a compaction. */
export const COMPACT_AFTER = CHUNK_DOCS / 4;
/** A block of postings is cut when it holds this much (3 bytes an entry, 2 a word's letter). */
const BLOCK_BYTES = 16 * 1024;
/** Messages whose words are computed between two yields to the page. */
const WORDS_SLICE = 100;
/** Pause between steps while there is work, so that sync and the UI go on between them. */
const STEP_PAUSE_MS = 50;
/** How long the indexer waits while the cache writer is busy, and for how long at most. */
const BUSY_WAIT_MS = 1_000;
const MAX_DEFER_MS = 30_000;
/** How often an idle indexer looks for new work, and how long it waits after a failed step. */
const IDLE_POLL_MS = 2_000;
const ERROR_PAUSE_MS = 30_000;
/** How long after the app starts the indexer first looks. */
const START_DELAY_MS = 3_000;

/** The text of a message's cached parts: text/plain as is, text/html as text, in section order. */
export function bodyTextOf(parts: readonly BodyRow[], limit = BODY_TEXT_LIMIT): string | undefined {
  const texts = parts
    .filter((part) => part.text !== undefined)
    .sort((a, b) => a.part.localeCompare(b.part, undefined, { numeric: true }))
    .map((part) =>
      /^text\/html\b/i.test(part.contentType)
        ? htmlToPlainText((part.text as string).slice(0, limit * 4))
        : (part.text as string),
    );
  if (texts.length === 0) return undefined;
  return texts.join('\n').slice(0, limit);
}

/** The cached body text of each of `rowIds` that has a text part. */
export async function bodyTexts(
  db: PetrelDb,
  rowIds: readonly string[],
): Promise<Map<string, string>> {
  // One key range per message, all requested at once: `anyOf` walks a cursor, a step per part.
  const parts = await Promise.all(
    rowIds.map((rowId) =>
      db.bodies
        .where('[rowId+part]')
        .between([rowId, Dexie.minKey], [rowId, Dexie.maxKey], true, true)
        .toArray(),
    ),
  );
  const texts = new Map<string, string>();
  parts.forEach((list, i) => {
    const text = list.length ? bodyTextOf(list) : undefined;
    if (text !== undefined) texts.set(rowIds[i] as string, text);
  });
  return texts;
}

/**
 * A message's words, each with the fields it occurs in (`FIELD` bits), as `matchesMessage` reads
 * them: subject, every name and address, the body (or the preview when there is no body).
 */
export function messageWords(row: MessageRow, body: string | undefined): Map<string, number> {
  const words = new Map<string, number>();
  const add = (text: string | undefined, bit: number) => {
    if (!text) return;
    for (const word of foldedWords(foldText(text))) words.set(word, (words.get(word) ?? 0) | bit);
  };
  add(row.subject, FIELD.subject);
  for (const [list, bit] of [
    [row.from, FIELD.from],
    [row.to, FIELD.to],
    [row.cc, FIELD.cc],
  ] as const) {
    for (const address of list) {
      add(address.name, bit);
      add(address.address, bit);
    }
  }
  if (body === undefined) add(row.preview, FIELD.body);
  else {
    add(row.preview, FIELD.preview);
    add(body, FIELD.body);
  }
  return words;
}

/** FNV-1a over the text's UTF-16 units, never 0 (0 stands for no text). */
export function textHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0 || 1;
}

export function docBits(row: MessageRow, hasBody: boolean): number {
  return (
    (row.flags.includes('\\Seen') ? 0 : DOC.unread) |
    (row.flags.includes('\\Flagged') ? DOC.flagged : 0) |
    (row.hasAttachments ? DOC.attachment : 0) |
    (hasBody ? DOC.body : 0)
  );
}

/**
 * Every indexed message, by number (`chunk * CHUNK_DOCS + local`), in memory: the columns of
 * `searchDocs`, the folder of each (an index into `folderIds`), the number of each live row id,
 * and the numbers newest first.
 */
export class SearchDocs {
  /** Numbers in use: every chunk before the last is full. */
  length = 0;
  rowIds: string[] = [];
  dates = new Float64Array(1024);
  sizes = new Float64Array(1024);
  bits = new Uint8Array(1024);
  texts = new Uint32Array(1024);
  folders = new Uint16Array(1024);
  readonly folderIds: string[] = [];
  private readonly folderIndex = new Map<string, number>();
  /** The number of each row id not gone. */
  readonly byRow = new Map<string, number>();
  private ordered = new Uint32Array(0);
  private unordered: number[] = [];
  /** Chunks changed in memory and not written yet. */
  readonly dirty = new Set<number>();
  /** Per chunk, the first word of each of its blocks of postings, ascending. */
  blocks: string[][] = [];
  /** Per chunk: messages marked gone, and how many of them had their postings dropped. */
  readonly gone: number[] = [];
  readonly purged: number[] = [];

  /** Numbers newest first (gone ones included), ties by row id, descending. */
  order(): Uint32Array {
    if (this.unordered.length === 0) return this.ordered;
    const added = this.unordered.sort(this.newer);
    const merged = new Uint32Array(this.ordered.length + added.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < this.ordered.length && j < added.length) {
      const a = this.ordered[i] as number;
      const b = added[j] as number;
      if (this.newer(a, b) <= 0) {
        merged[k++] = a;
        i++;
      } else {
        merged[k++] = b;
        j++;
      }
    }
    while (i < this.ordered.length) merged[k++] = this.ordered[i++] as number;
    while (j < added.length) merged[k++] = added[j++] as number;
    this.ordered = merged;
    this.unordered = [];
    return merged;
  }

  private readonly newer = (a: number, b: number): number => {
    const byDate = (this.dates[b] as number) - (this.dates[a] as number);
    if (byDate !== 0) return byDate;
    const ra = this.rowIds[a] as string;
    const rb = this.rowIds[b] as string;
    return ra < rb ? 1 : ra > rb ? -1 : 0;
  };

  folderOf(folderId: string): number {
    let index = this.folderIndex.get(folderId);
    if (index === undefined) {
      index = this.folderIds.length;
      this.folderIds.push(folderId);
      this.folderIndex.set(folderId, index);
    }
    return index;
  }

  /** Appends a message; its number. */
  add(rowId: string, date: number, size: number, bits: number, text: number): number {
    const doc = this.length++;
    this.grow(this.length);
    this.rowIds[doc] = rowId;
    this.dates[doc] = date;
    this.sizes[doc] = size;
    this.bits[doc] = bits;
    this.texts[doc] = text;
    this.folders[doc] = this.folderOf(folderIdOfRowId(rowId));
    const before = this.byRow.get(rowId);
    if (before !== undefined) this.markGone(before);
    this.byRow.set(rowId, doc);
    this.unordered.push(doc);
    this.dirty.add(Math.floor(doc / CHUNK_DOCS));
    return doc;
  }

  setBits(doc: number, bits: number): void {
    if (this.bits[doc] === bits) return;
    this.bits[doc] = bits;
    this.dirty.add(Math.floor(doc / CHUNK_DOCS));
  }

  markGone(doc: number): void {
    const bits = this.bits[doc] as number;
    if (bits & DOC.gone) return;
    this.setBits(doc, bits | DOC.gone);
    const chunk = Math.floor(doc / CHUNK_DOCS);
    this.gone[chunk] = (this.gone[chunk] ?? 0) + 1;
    if (this.byRow.get(this.rowIds[doc] as string) === doc) {
      this.byRow.delete(this.rowIds[doc] as string);
    }
  }

  /** Marks gone every live message of the folders `drop` says. */
  dropWhere(drop: (folderId: string) => boolean, keepRow?: (rowId: string) => boolean): void {
    const folders = this.folderIds.map((id) => drop(id));
    for (let doc = 0; doc < this.length; doc++) {
      if (!folders[this.folders[doc] as number]) continue;
      if (keepRow?.(this.rowIds[doc] as string)) continue;
      this.markGone(doc);
    }
  }

  /** The stored form of one chunk. */
  chunkRow(chunk: number): SearchDocsRow {
    const start = chunk * CHUNK_DOCS;
    const end = Math.min(this.length, start + CHUNK_DOCS);
    return {
      chunk,
      rowIds: this.rowIds.slice(start, end),
      dates: this.dates.slice(start, end),
      sizes: this.sizes.slice(start, end),
      bits: this.bits.slice(start, end),
      texts: this.texts.slice(start, end),
      purged: this.purged[chunk] ?? 0,
    };
  }

  /** Takes in a stored chunk (loading, in chunk order). */
  load(row: SearchDocsRow): void {
    const start = row.chunk * CHUNK_DOCS;
    this.length = start + row.rowIds.length;
    this.grow(this.length);
    this.dates.set(row.dates, start);
    this.sizes.set(row.sizes, start);
    this.bits.set(row.bits, start);
    this.texts.set(row.texts, start);
    this.purged[row.chunk] = row.purged ?? 0;
    this.gone[row.chunk] = row.bits.reduce(
      (sum, bits) => sum + ((bits & DOC.gone) !== 0 ? 1 : 0),
      0,
    );
    row.rowIds.forEach((rowId, i) => {
      const doc = start + i;
      this.rowIds[doc] = rowId;
      this.folders[doc] = this.folderOf(folderIdOfRowId(rowId));
      if (!((row.bits[i] as number) & DOC.gone)) this.byRow.set(rowId, doc);
      this.unordered.push(doc);
    });
  }

  private grow(size: number): void {
    if (size <= this.dates.length) return;
    const capacity = Math.max(size, this.dates.length * 2);
    const dates = new Float64Array(capacity);
    dates.set(this.dates);
    this.dates = dates;
    const sizes = new Float64Array(capacity);
    sizes.set(this.sizes);
    this.sizes = sizes;
    const bits = new Uint8Array(capacity);
    bits.set(this.bits);
    this.bits = bits;
    const texts = new Uint32Array(capacity);
    texts.set(this.texts);
    this.texts = texts;
    const folders = new Uint16Array(capacity);
    folders.set(this.folders);
    this.folders = folders;
  }
}

const loaded = new WeakMap<PetrelDb, Promise<SearchDocs>>();

/** The index's messages, read once per database and then kept up to date by the indexer. */
export function loadSearchDocs(db: PetrelDb): Promise<SearchDocs> {
  let docs = loaded.get(db);
  if (!docs) {
    docs = (async () => {
      const table = new SearchDocs();
      // A chunk at a time, ordered as it comes, with the page's turn between: 100,000 messages
      // at once were a 150 ms task.
      const keys = await db.searchDocs.orderBy('chunk').primaryKeys();
      for (const key of keys) {
        const row = await db.searchDocs.get(key);
        if (row) table.load(row);
        table.order();
        await yieldToPage();
      }
      table.blocks = await blockDirectory(db);
      return table;
    })();
    docs.catch(() => loaded.delete(db));
    loaded.set(db, docs);
  }
  return docs;
}

/** Forgets the loaded index (tests: after the database was changed behind the indexer's back). */
export function forgetSearchDocs(db: PetrelDb): void {
  loaded.delete(db);
}

/** The first words of every chunk's blocks, from the keys alone. */
async function blockDirectory(db: PetrelDb): Promise<string[][]> {
  const directory: string[][] = [];
  for (const [chunk, first] of await db.searchBlocks.toCollection().primaryKeys()) {
    (directory[chunk] ??= []).push(first);
  }
  return directory;
}

/** The last index whose first word is at or before `word`; -1 when every one is after it. */
function floorIndex(firsts: readonly string[], word: string): number {
  let lo = 0;
  let hi = firsts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((firsts[mid] as string) <= word) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The first index of `words` (ascending) at or after `word`. */
function lowerBound(words: readonly string[], word: string): number {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((words[mid] as string) < word) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A word's postings in every chunk (a prefix's: those of every word it starts), reading at most
 * `cap` blocks; `capped` when it would take more.
 */
export async function readPostings(
  db: PetrelDb,
  docs: SearchDocs,
  word: string,
  prefix: boolean,
  cap: number,
): Promise<{ postings: SearchPosting[]; capped: boolean }> {
  const upper = prefix ? `${word}\uffff` : word;
  for (let attempt = 0; ; attempt++) {
    const keys: [number, string][] = [];
    docs.blocks.forEach((firsts, chunk) => {
      const from = Math.max(0, floorIndex(firsts, word));
      const to = floorIndex(firsts, upper);
      for (let i = from; i <= to; i++) keys.push([chunk, firsts[i] as string]);
    });
    if (keys.length > cap) return { postings: [], capped: true };
    const blocks = await db.searchBlocks.bulkGet(keys);
    // A step committed between the directory and the read: read the directory again.
    if (blocks.some((block) => block === undefined) && attempt === 0) {
      docs.blocks = await blockDirectory(db);
      continue;
    }
    const postings: SearchPosting[] = [];
    for (const block of blocks) {
      if (!block) continue;
      const end = prefix ? lowerBound(block.words, upper) : lowerBound(block.words, word) + 1;
      for (let i = lowerBound(block.words, word); i < Math.min(end, block.words.length); i++) {
        const found = block.words[i] as string;
        if (prefix ? !found.startsWith(word) : found !== word) continue;
        const start = block.starts[i] as number;
        const stop = block.starts[i + 1] as number;
        postings.push({
          word: found,
          chunk: block.chunk,
          docs: block.docs.subarray(start, stop),
          fields: block.fields.subarray(start, stop),
        });
      }
    }
    return { postings, capped: false };
  }
}

/** What pending rows say, taken in order: ids to index, ids whose flags changed. */
interface PendingWork {
  keys: number[];
  index: Set<string>;
  /** Of `index`: those whose text parts were cached (their text is read again). */
  text: Set<string>;
  flags: Set<string>;
  /** Changes marking messages gone, applied to the in-memory index at once. */
  drops: ((docs: SearchDocs) => void)[];
}

/** Ids (to index or re-flag) in pending rows, oldest first, about `max` of them. */
export async function readPending(
  db: PetrelDb,
  max: number,
): Promise<{ rows: SearchPendingRow[]; ids: Set<string>; complete: boolean }> {
  const rows: SearchPendingRow[] = [];
  const ids = new Set<string>();
  let after = 0;
  for (;;) {
    const page = await db.searchPending.where(':id').above(after).limit(20).toArray();
    for (const row of page) {
      if (ids.size >= max) return { rows, ids, complete: false };
      rows.push(row);
      for (const id of row.rowIds) ids.add(id);
      for (const id of row.textIds ?? []) ids.add(id);
      for (const id of row.flagIds ?? []) ids.add(id);
      after = row.id;
    }
    if (page.length < 20) return { rows, ids, complete: ids.size <= max };
  }
}

function pendingWork(rows: SearchPendingRow[]): PendingWork {
  const work: PendingWork = {
    keys: [],
    index: new Set(),
    text: new Set(),
    flags: new Set(),
    drops: [],
  };
  const forget = (gone: (rowId: string) => boolean) => {
    for (const id of work.index) if (gone(id)) work.index.delete(id);
    for (const id of work.text) if (gone(id)) work.text.delete(id);
    for (const id of work.flags) if (gone(id)) work.flags.delete(id);
  };
  for (const row of rows) {
    work.keys.push(row.id);
    // In the order apply.ts applied them: drops, reconciliation, puts, flags, expunges.
    const dropped = new Set(row.droppedFolders);
    const account = row.droppedAccount === undefined ? undefined : `${row.droppedAccount}:`;
    if (dropped.size || account) {
      const drop = (folderId: string) =>
        dropped.has(folderId) || (account !== undefined && folderId.startsWith(account));
      work.drops.push((docs) => docs.dropWhere(drop));
      forget((id) => drop(folderIdOfRowId(id)));
    }
    if (row.keepOnly) {
      const { folderId, uids } = row.keepOnly;
      const keep = uidSetMatcher(uids);
      work.drops.push((docs) =>
        docs.dropWhere(
          (id) => id === folderId,
          (rowId) => keep(uidOfRowId(rowId)),
        ),
      );
      forget((id) => folderIdOfRowId(id) === folderId && !keep(uidOfRowId(id)));
    }
    for (const id of row.rowIds) work.index.add(id);
    for (const id of row.textIds ?? []) {
      work.index.add(id);
      work.text.add(id);
    }
    for (const id of row.flagIds ?? []) work.flags.add(id);
    if (row.removedIds?.length) {
      const removed = new Set(row.removedIds);
      work.drops.push((docs) => {
        for (const id of removed) {
          const doc = docs.byRow.get(id);
          if (doc !== undefined) docs.markGone(doc);
        }
      });
      forget((id) => removed.has(id));
    }
  }
  return work;
}

/** Steps run one at a time per database (the background indexer, tests, the benchmark). */
const running = new WeakMap<PetrelDb, Promise<unknown>>();

/**
 * Takes in the next pending changes, about `max` messages to (re)index; false when nothing was
 * pending. `max` is a chunk by default, so that a first build writes each chunk's postings once.
 */
export function searchIndexStep(db: PetrelDb, max = CHUNK_DOCS): Promise<boolean> {
  const previous = running.get(db) ?? Promise.resolve();
  const step = previous
    .catch(() => {})
    .then(async () => (await indexNext(db, max)) || (await compactNext(db)));
  running.set(db, step);
  return step;
}

/** Lets the page paint and handle input between slices of work. */
function yieldToPage(): Promise<void> {
  if (typeof MessageChannel !== 'function') return Promise.resolve();
  return new Promise((resume) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      channel.port2.close();
      resume();
    };
    channel.port2.postMessage(null);
  });
}

async function indexNext(db: PetrelDb, max: number): Promise<boolean> {
  const docs = await loadSearchDocs(db);
  const pending = await readPending(db, max);
  if (pending.rows.length === 0) return false;
  const work = pendingWork(pending.rows);

  for (const drop of work.drops) drop(docs);
  // Read the rows, and the text of those to index: not indexed yet, indexed without a body, or
  // given text since.
  const ids = [...new Set([...work.index, ...work.flags])];
  const rows = new Map<string, MessageRow>();
  const bodies = new Map<string, string>();
  const textRead = new Set<string>();
  for (let start = 0; start < ids.length; start += READ_PAGE) {
    // Short read transactions: a long one would hold up the cache writer's next batch.
    await db.transaction('r', db.messages, db.bodies, async () => {
      const page = ids.slice(start, start + READ_PAGE);
      const found = await db.messages.bulkGet(page);
      const needText: string[] = [];
      found.forEach((row) => {
        if (!row) return;
        rows.set(row.id, row);
        if (!work.index.has(row.id)) return;
        const doc = docs.byRow.get(row.id);
        const withBody = doc !== undefined && ((docs.bits[doc] as number) & DOC.body) !== 0;
        if (!withBody || work.text.has(row.id)) needText.push(row.id);
      });
      for (const id of needText) textRead.add(id);
      for (const [rowId, text] of await bodyTexts(db, needText)) bodies.set(rowId, text);
    });
  }

  const toIndex: MessageRow[] = [];
  const hashes = new Map<string, number>();
  for (const id of ids) {
    const row = rows.get(id);
    const doc = docs.byRow.get(id);
    if (!row) {
      if (doc !== undefined) docs.markGone(doc);
      continue;
    }
    const body = bodies.get(id);
    const hash = body === undefined ? 0 : textHash(body);
    hashes.set(id, hash);
    // Indexed with the text it has now (a message's text never changes; its flags may).
    const current = doc !== undefined && (!textRead.has(id) || docs.texts[doc] === hash);
    if (current) {
      const hasBody = ((docs.bits[doc] as number) & DOC.body) !== 0;
      docs.setBits(doc, docBits(row, hasBody));
    } else if (work.index.has(id)) toIndex.push(row);
  }

  // Words, in slices, with the page's turn between them.
  const firstDoc = docs.length;
  const perChunk = new Map<number, Map<string, { docs: number[]; fields: number[] }>>();
  const added: { row: MessageRow; bits: number }[] = [];
  for (let start = 0; start < toIndex.length; start += WORDS_SLICE) {
    if (start > 0) await yieldToPage();
    toIndex.slice(start, start + WORDS_SLICE).forEach((row, i) => {
      const doc = firstDoc + start + i;
      const chunk = Math.floor(doc / CHUNK_DOCS);
      const local = doc - chunk * CHUNK_DOCS;
      let postings = perChunk.get(chunk);
      if (!postings) perChunk.set(chunk, (postings = new Map()));
      for (const [word, fields] of messageWords(row, bodies.get(row.id))) {
        const posting = postings.get(word);
        if (posting) {
          posting.docs.push(local);
          posting.fields.push(fields);
        } else postings.set(word, { docs: [local], fields: [fields] });
      }
      added.push({ row, bits: docBits(row, bodies.has(row.id)) });
    });
  }

  // Postings and the messages' columns in one transaction, so that stored postings never name a
  // number the stored chunks do not have; then the pending rows, on their own (`searchPending` is
  // in every batch's scope). A crash between the two leaves them pending: the next step finds
  // them indexed with everything they have and only brings their flags up to date.
  for (const { row, bits } of added) {
    docs.add(row.id, row.date, row.size, bits, hashes.get(row.id) ?? 0);
  }
  const chunks = [...docs.dirty].map((chunk) => docs.chunkRow(chunk));
  docs.dirty.clear();
  const directory = new Map<number, string[]>();
  try {
    await db.transaction('rw', db.searchBlocks, db.searchDocs, async () => {
      for (const [chunk, postings] of perChunk) {
        directory.set(chunk, await writeBlocks(db, chunk, docs.blocks[chunk] ?? [], postings));
      }
      await db.searchDocs.bulkPut(chunks);
    });
  } catch (error) {
    // Nothing was written: the next step starts again from what is stored.
    forgetSearchDocs(db);
    throw error;
  }
  for (const [chunk, firsts] of directory) docs.blocks[chunk] = firsts;
  await db.searchPending.bulkDelete(work.keys);
  return true;
}

/** One word's postings while blocks are merged and cut. */
interface Entry {
  word: string;
  docs: ArrayLike<number>;
  fields: ArrayLike<number>;
}

/**
 * Adds a step's postings to a chunk: the blocks the new words fall in are read, merged with them
 * (a word's new numbers after its old ones) and cut again into blocks of about `BLOCK_BYTES`; a new
 * chunk is cut straight away. Returns the chunk's first words after the change.
 */
async function writeBlocks(
  db: PetrelDb,
  chunk: number,
  firsts: readonly string[],
  postings: Map<string, { docs: number[]; fields: number[] }>,
): Promise<string[]> {
  const words = [...postings.keys()].sort();
  const fresh = (word: string): Entry => {
    const posting = postings.get(word) as { docs: number[]; fields: number[] };
    return { word, docs: posting.docs, fields: posting.fields };
  };
  if (firsts.length === 0) {
    const rows = cutBlocks(chunk, words.map(fresh));
    await db.searchBlocks.bulkPut(rows);
    return rows.map((row) => row.first);
  }
  // The blocks touched: the one each new word falls in (a word before the first, the first).
  const touched = new Map<number, string[]>();
  for (const word of words) {
    const at = Math.max(0, floorIndex(firsts, word));
    const list = touched.get(at);
    if (list) list.push(word);
    else touched.set(at, [word]);
  }
  const indexes = [...touched.keys()];
  const keys = indexes.map((i): [number, string] => [chunk, firsts[i] as string]);
  const stored = await db.searchBlocks.bulkGet(keys);
  const rows: SearchBlockRow[] = [];
  indexes.forEach((index, n) => {
    const block = stored[n];
    const added = (touched.get(index) as string[]).map(fresh);
    rows.push(...cutBlocks(chunk, block ? mergeBlock(block, added) : added));
  });
  await db.searchBlocks.bulkDelete(keys);
  await db.searchBlocks.bulkPut(rows);
  const kept = firsts.filter((_, i) => !touched.has(i));
  return [...kept, ...rows.map((row) => row.first)].sort();
}

/** A block's words and new entries, in word order; a word in both gets its new numbers after. */
function mergeBlock(block: SearchBlockRow, added: Entry[]): Entry[] {
  const entries: Entry[] = [];
  let j = 0;
  const old = (i: number): Entry => {
    const start = block.starts[i] as number;
    const stop = block.starts[i + 1] as number;
    return {
      word: block.words[i] as string,
      docs: block.docs.subarray(start, stop),
      fields: block.fields.subarray(start, stop),
    };
  };
  for (let i = 0; i < block.words.length; i++) {
    const word = block.words[i] as string;
    while (j < added.length && (added[j] as Entry).word < word) entries.push(added[j++] as Entry);
    const before = old(i);
    if (j < added.length && (added[j] as Entry).word === word) {
      const more = added[j++] as Entry;
      const docs = new Uint16Array(before.docs.length + more.docs.length);
      const fields = new Uint8Array(docs.length);
      docs.set(before.docs);
      docs.set(more.docs, before.docs.length);
      fields.set(before.fields);
      fields.set(more.fields, before.fields.length);
      entries.push({ word, docs, fields });
    } else entries.push(before);
  }
  while (j < added.length) entries.push(added[j++] as Entry);
  return entries;
}

/** Entries (in word order) cut into blocks of about `BLOCK_BYTES`. */
function cutBlocks(chunk: number, entries: readonly Entry[]): SearchBlockRow[] {
  const rows: SearchBlockRow[] = [];
  let start = 0;
  while (start < entries.length) {
    let end = start;
    let bytes = 0;
    let count = 0;
    while (end < entries.length && (end === start || bytes < BLOCK_BYTES)) {
      const entry = entries[end++] as Entry;
      bytes += entry.docs.length * 3 + entry.word.length * 2;
      count += entry.docs.length;
    }
    const block = entries.slice(start, end);
    const starts = new Uint32Array(block.length + 1);
    const docs = new Uint16Array(count);
    const fields = new Uint8Array(count);
    let at = 0;
    block.forEach((entry, i) => {
      starts[i] = at;
      docs.set(entry.docs, at);
      fields.set(entry.fields, at);
      at += entry.docs.length;
    });
    starts[block.length] = at;
    rows.push({
      chunk,
      first: (block[0] as Entry).word,
      words: block.map((e) => e.word),
      starts,
      docs,
      fields,
    });
    start = end;
  }
  return rows;
}

/**
 * Drops the postings of messages marked gone from the first chunk that has at least
 * `COMPACT_AFTER` of them not dropped yet (mail expunged, or indexed again when its body came):
 * its blocks are read, filtered and cut again, in one transaction with the chunk's columns.
 * Numbers do not change. False when no chunk needed it.
 */
async function compactNext(db: PetrelDb): Promise<boolean> {
  const docs = await loadSearchDocs(db);
  const chunk = docs.gone.findIndex(
    (gone, i) => gone !== undefined && gone - (docs.purged[i] ?? 0) >= COMPACT_AFTER,
  );
  if (chunk < 0) return false;
  const start = chunk * CHUNK_DOCS;
  const gone = docs.gone[chunk] as number;
  const isGone = (local: number) => ((docs.bits[start + local] as number) & DOC.gone) !== 0;
  let firsts: string[] = [];
  try {
    await db.transaction('rw', db.searchBlocks, db.searchDocs, async () => {
      const blocks = await db.searchBlocks
        .where('[chunk+first]')
        .between([chunk, Dexie.minKey], [chunk, Dexie.maxKey], true, true)
        .toArray();
      const entries: Entry[] = [];
      for (const block of blocks) {
        block.words.forEach((word, w) => {
          const docsOf: number[] = [];
          const fieldsOf: number[] = [];
          for (let i = block.starts[w] as number; i < (block.starts[w + 1] as number); i++) {
            const local = block.docs[i] as number;
            if (isGone(local)) continue;
            docsOf.push(local);
            fieldsOf.push(block.fields[i] as number);
          }
          if (docsOf.length) entries.push({ word, docs: docsOf, fields: fieldsOf });
        });
      }
      const rows = cutBlocks(chunk, entries);
      await db.searchBlocks.bulkDelete(blocks.map((b): [number, string] => [chunk, b.first]));
      await db.searchBlocks.bulkPut(rows);
      docs.purged[chunk] = gone;
      await db.searchDocs.put(docs.chunkRow(chunk));
      firsts = rows.map((row) => row.first);
    });
  } catch (error) {
    forgetSearchDocs(db);
    throw error;
  }
  docs.blocks[chunk] = firsts;
  return true;
}

/** Indexes everything pending now (tests, the benchmark); resolves when nothing is left. */
export async function runSearchIndexer(db: PetrelDb, max = CHUNK_DOCS): Promise<void> {
  while (await searchIndexStep(db, max)) {
    /* next step */
  }
}

/**
 * Keeps the index up to date in the background, from `START_DELAY_MS` after the app starts (its
 * first screens come first): a step, a pause, the next; when nothing is pending, a look every
 * `IDLE_POLL_MS`. While the cache writer is busy (a new pending row since
 * the last look: a first sync, the prefetch) it waits, for `MAX_DEFER_MS` at most, so that it does
 * not take the renderer's time from sync. Steps wait for an idle moment of the page when the
 * browser offers `requestIdleCallback`. Returns a function that stops it.
 */
export function startSearchIndexer(
  db: PetrelDb,
  {
    onError = (error) => console.error('Search indexer failed', error),
    startDelayMs = START_DELAY_MS,
  }: { onError?: (error: unknown) => void; startDelayMs?: number } = {},
): () => void {
  let stopped = false;
  const sleep = (ms: number) => new Promise((resume) => setTimeout(resume, ms));
  const idle = () =>
    new Promise<void>((resume) => {
      if (typeof requestIdleCallback === 'function') {
        requestIdleCallback(() => resume(), { timeout: 1_000 });
      } else resume();
    });
  void (async () => {
    // Not while the app opens: the first look waits until its first screens are shown.
    await sleep(startDelayMs);
    let lastKey: number | undefined;
    let deferredSince: number | undefined;
    while (!stopped) {
      try {
        const key = (await db.searchPending.orderBy(':id').lastKey()) as number | undefined;
        const busy = key !== undefined && key !== lastKey;
        lastKey = key;
        if (busy && Date.now() - (deferredSince ??= Date.now()) < MAX_DEFER_MS) {
          await sleep(BUSY_WAIT_MS);
          continue;
        }
        deferredSince = undefined;
        await idle();
        if (stopped) break;
        const worked = await searchIndexStep(db);
        await sleep(worked ? STEP_PAUSE_MS : IDLE_POLL_MS);
      } catch (error) {
        // Said, and tried again later: a step that failed wrote nothing (its work is still
        // pending), and searches check pending messages one by one meanwhile.
        if (stopped) break;
        onError(error);
        await sleep(ERROR_PAUSE_MS);
      }
    }
  })();
  return () => {
    stopped = true;
  };
}
