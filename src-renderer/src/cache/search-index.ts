/**
 * The local search index: for each word, the messages it occurs in, as postings per chunk of
 * about 5,000 indexed messages (`searchPostings`, one row per word per chunk, ids and dates
 * parallel so that hits sort newest first without reading a message).
 *
 * Why not in the cache writer's transactions: an IndexedDB index entry costs about 20 µs in
 * Chromium, and a message has about 180 distinct words with its body, which made sync 3.5×
 * slower. So `apply.ts` only queues the ids of the rows it put and of those whose text it cached
 * (`searchPending`, one row per batch), and this indexer, in the background, reads them a chunk at
 * a time, computes their words (`indexWords`: headers, addresses, preview and up to 64 KB of body
 * text) and writes one posting row per distinct word of the chunk. A body cached after its
 * message was indexed is indexed again, into the chunk being filled: a message may then have
 * postings in two chunks, which a search unites.
 *
 * Nothing is ever removed from the postings: a search reads the rows of its hits, and a hit whose
 * row is gone (expunged, moved, folder removed) is dropped there. Caches from before the index
 * queue every cached message in the schema 6 upgrade (`db.ts`).
 *
 * The reading (pending rows, messages, bodies) and the writing (postings, state, then the pending
 * rows' deletion) are short transactions with the word splitting between them, so that neither
 * sync's writes nor searches are held up by the indexer. Pending rows are deleted after their
 * postings are written: a message is always pending or indexed (for a moment both).
 */
import { htmlToPlainText } from '#shared/html-text';
import type { MessageRow } from '#shared/mail';
import { indexWords } from '#shared/search/fold';
import type { BodyRow, PetrelDb, SearchPostingRow, SearchStateRow } from './db.ts';

/** Messages per chunk of postings, and per step of the indexer. */
export const CHUNK_MESSAGES = 5_000;
/** Body text indexed per message: the first 64 KB (of characters) of its cached text parts. */
export const BODY_TEXT_LIMIT = 64 * 1024;

const STATE_KEY = 'index';
/** Messages read per transaction, and posting rows written per transaction. */
const READ_PAGE = 500;
const WRITE_PAGE = 2_000;
/** Pending rows read at a time. */
const PENDING_PAGE = 20;
/** Pause between steps while there is work, so that sync and the UI go on between them. */
const STEP_PAUSE_MS = 50;
/** How long the indexer waits while the cache writer is busy, and for how long at most. */
const BUSY_WAIT_MS = 1_000;
const MAX_DEFER_MS = 30_000;
/** How often an idle indexer looks for new work. */
const IDLE_POLL_MS = 2_000;

/** The text of a message's headers that the index holds: subject, names, addresses, preview. */
export function headerText(row: MessageRow): string {
  const people = [...row.from, ...row.to, ...row.cc].map(
    (a) => `${a.name ?? ''} ${a.address ?? ''}`,
  );
  return [row.subject, ...people, row.preview].join('\n');
}

/**
 * The searchable text of a message's cached parts: text/plain as it is, text/html as text,
 * parts in section order, cut at `limit` characters. Binary parts count for nothing.
 */
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
  if (rowIds.length === 0) return new Map();
  const parts = await db.bodies.where('rowId').anyOf(rowIds).toArray();
  const byRow = new Map<string, BodyRow[]>();
  for (const part of parts) {
    const list = byRow.get(part.rowId);
    if (list) list.push(part);
    else byRow.set(part.rowId, [part]);
  }
  const texts = new Map<string, string>();
  for (const [rowId, list] of byRow) {
    const text = bodyTextOf(list);
    if (text !== undefined) texts.set(rowId, text);
  }
  return texts;
}

export async function searchIndexState(db: PetrelDb): Promise<SearchStateRow> {
  return (
    (await db.searchState.get(STATE_KEY)) ?? {
      id: STATE_KEY,
      chunk: 0,
      chunkMessages: 0,
      indexed: 0,
    }
  );
}

/**
 * Ids waiting to be indexed, up to about `max` (whole pending rows, oldest first); `complete`
 * when that is all of them.
 */
export async function pendingIds(
  db: PetrelDb,
  max: number,
): Promise<{ pendingKeys: number[]; ids: string[]; complete: boolean }> {
  const pendingKeys: number[] = [];
  const ids = new Set<string>();
  let after = 0;
  for (;;) {
    const rows = await db.searchPending.where(':id').above(after).limit(PENDING_PAGE).toArray();
    for (const row of rows) {
      if (ids.size >= max) return { pendingKeys, ids: [...ids], complete: false };
      pendingKeys.push(row.id);
      for (const id of row.rowIds) ids.add(id);
      after = row.id;
    }
    if (rows.length < PENDING_PAGE) return { pendingKeys, ids: [...ids], complete: true };
  }
}

/** Steps run one at a time per database (the background indexer, tests, the benchmark). */
const running = new WeakMap<PetrelDb, Promise<unknown>>();

/**
 * Indexes the next chunk of pending messages; false when nothing was pending. `max` bounds the
 * messages read and the size of a chunk.
 */
export function searchIndexStep(db: PetrelDb, max = CHUNK_MESSAGES): Promise<boolean> {
  const previous = running.get(db) ?? Promise.resolve();
  const step = previous.catch(() => {}).then(() => indexNext(db, max));
  running.set(db, step);
  return step;
}

async function indexNext(db: PetrelDb, max: number): Promise<boolean> {
  const pending = await pendingIds(db, max);
  if (pending.pendingKeys.length === 0) return false;
  const read = {
    pendingKeys: pending.pendingKeys,
    rows: [] as MessageRow[],
    bodies: new Map<string, string>(),
  };
  // Short read transactions: a long one would hold up the cache writer's next batch.
  for (let start = 0; start < pending.ids.length; start += READ_PAGE) {
    await db.transaction('r', db.messages, db.bodies, async () => {
      const rows = (await db.messages.bulkGet(pending.ids.slice(start, start + READ_PAGE))).filter(
        (row): row is MessageRow => row !== undefined,
      );
      const bodies = await bodyTexts(
        db,
        rows.map((row) => row.id),
      );
      read.rows.push(...rows);
      for (const [rowId, text] of bodies) read.bodies.set(rowId, text);
    });
  }

  const postings = new Map<string, { ids: string[]; dates: number[] }>();
  for (const row of read.rows) {
    const body = read.bodies.get(row.id);
    const text = body === undefined ? headerText(row) : `${headerText(row)}\n${body}`;
    for (const word of indexWords(text)) {
      const posting = postings.get(word);
      if (posting) {
        posting.ids.push(row.id);
        posting.dates.push(row.date);
      } else {
        postings.set(word, { ids: [row.id], dates: [row.date] });
      }
    }
  }

  const state = await searchIndexState(db);
  const count = read.rows.length;
  // A chunk is filled by several steps while messages come a few at a time (new mail); a step
  // that would overfill it starts the next one.
  if (state.chunkMessages > 0 && state.chunkMessages + count > max) {
    state.chunk += 1;
    state.chunkMessages = 0;
  }
  const chunk = state.chunk;
  const merge = state.chunkMessages > 0;
  const words = [...postings.keys()];
  // Postings in several short transactions, so that searches (which read them) are not held up
  // for seconds. Only the indexer writes them; a step cut short by a crash is done again whole
  // (its pending rows are still there), and writes the same postings.
  for (let start = 0; start < words.length; start += WRITE_PAGE) {
    const page = words.slice(start, start + WRITE_PAGE);
    await db.transaction('rw', db.searchPostings, async () => {
      const stored = merge
        ? await db.searchPostings.bulkGet(page.map((word): [string, number] => [word, chunk]))
        : [];
      const rows: SearchPostingRow[] = page.map((word, i) => {
        const posting = postings.get(word) as { ids: string[]; dates: number[] };
        const before = stored[i];
        if (!before) return { word, chunk, ...posting };
        const known = new Set(before.ids);
        posting.ids.forEach((id, j) => {
          if (known.has(id)) return;
          before.ids.push(id);
          before.dates.push(posting.dates[j] as number);
        });
        return before;
      });
      await db.searchPostings.bulkPut(rows);
    });
  }
  state.chunkMessages += count;
  state.indexed += count;
  await db.searchState.put(state);
  // Last, in its own transaction: `searchPending` is in every batch's scope. Until then the
  // messages are both pending and indexed, which a search unites.
  await db.searchPending.bulkDelete(read.pendingKeys);
  return true;
}

/** Indexes everything pending now (tests, the benchmark); resolves when nothing is left. */
export async function runSearchIndexer(db: PetrelDb, max = CHUNK_MESSAGES): Promise<void> {
  while (await searchIndexStep(db, max)) {
    /* next chunk */
  }
}

/**
 * Keeps the index up to date in the background: a chunk, a pause, the next; when nothing is
 * pending, a look every `IDLE_POLL_MS`. While the cache writer is busy (a new pending row since
 * the last look: a first sync, the prefetch) it waits, for `MAX_DEFER_MS` at most, so that it does
 * not take the renderer's time from sync. Steps wait for an idle moment of the page when the
 * browser offers `requestIdleCallback`. Returns a function that stops it.
 */
export function startSearchIndexer(
  db: PetrelDb,
  onError: (error: unknown) => void = (error) => console.error('Search indexer failed', error),
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
    try {
      let lastKey: number | undefined;
      let deferredSince: number | undefined;
      while (!stopped) {
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
      }
    } catch (error) {
      if (!stopped) onError(error);
    }
  })();
  return () => {
    stopped = true;
  };
}
