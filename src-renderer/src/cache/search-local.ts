/**
 * Local search over the cache: what `searchLocal` finds among the cached messages of the accounts
 * (or the folder) in scope, newest first, with what it covered. Never a scan of the messages.
 *
 * - Queries with words: each positive word's postings (`search-index.ts`; a prefix's too, at most
 *   `POSTING_CAP` posting rows) give the messages it occurs in, with their dates. The words'
 *   sets are intersected (smallest first), sorted newest first, and checked a page at a time
 *   (rows read by id; gone rows dropped; bodies read only for rows that fail without them and
 *   only when the query needs them) with `matchesMessage`, until `limit` match. Messages not
 *   indexed yet are checked one by one when there are few (`PENDING_CHECKED`); else the coverage
 *   says `indexing`.
 * - Queries with no word to look up (`is:unread`, `has:attachment after:…`, a one-letter prefix,
 *   or only prefixes too common to read): a newest-first walk of the folders in scope
 *   (`[folderId+date]`, merged), at most `WALK_LIMIT` messages, said in `walked`.
 *
 * `matchesMessage` decides every term; the postings only narrow. A single word anywhere whose
 * postings were read whole is taken as proved (the postings hold body words), so that checking
 * it needs no body.
 */
import { Dexie } from 'dexie';
import { folderIdOfRowId, type FolderRow, type MessageRow } from '#shared/mail';
import { folderIs, matchesMessage, needsBody, type SearchableMessage } from '#shared/search/match';
import type { SearchQuery, SearchTerm } from '#shared/search/query';
import { messagesOfFolder, type PetrelDb, type SearchPostingRow } from './db.ts';
import { hiddenFolders } from './pending-effects.ts';
import { messagePage, type PageCursor } from './queries.ts';
import { bodyTexts, pendingIds } from './search-index.ts';

/** Posting rows read per word at most (a word has one per chunk; a prefix, one per word too). */
export const POSTING_CAP = 2_000;
/** Messages a walk reads at most. */
export const WALK_LIMIT = 10_000;
/** Messages not indexed yet that a search checks one by one; more, and it says `indexing`. */
export const PENDING_CHECKED = 5_000;
/** A prefix shorter than this would read most of the index: such a word is not looked up. */
const MIN_PREFIX = 2;
const CHECK_PAGE = 100;
const WALK_PAGE = 200;
/** A large folder's counts are recounted at most this often while its mail changes. */
const STATS_TTL_MS = 5_000;
/** Folders this small are recounted whenever their mail changes. */
const SMALL_FOLDER = 5_000;

export interface SearchAccount {
  id: string;
  name: string;
  email: string;
}

export interface SearchScope {
  accountIds: string[];
  /** Only this folder (the folder shown); every folder of the accounts when absent. */
  folderId?: string;
  /** Names and addresses of the accounts, for `account:` terms (they match nothing without). */
  accounts?: SearchAccount[];
}

export interface SearchCoverage {
  /** Cached messages in scope: what was searched. */
  messages: number;
  /** Date of the oldest message in scope with a cached body. */
  bodiesCachedSince?: number;
  /** Messages in scope without a cached body (found by their headers and preview only). */
  bodiesMissing: number;
  /** Too many messages wait to be indexed to check them one by one: some may be missed. */
  indexing: boolean;
}

export interface LocalSearchResult {
  /** Newest first. */
  rows: MessageRow[];
  /** More messages match than `limit`. */
  truncated: boolean;
  coverage: SearchCoverage;
  /**
   * Set when the query had no word to look up: the newest messages in scope were read one by
   * one, `examined` of them; `complete` when that was all of them.
   */
  walked?: { examined: number; complete: boolean };
}

export interface LocalSearchOptions {
  limit: number;
  /** Messages a walk reads at most (default `WALK_LIMIT`). */
  walkLimit?: number;
}

type Found = Omit<LocalSearchResult, 'coverage'>;

/** One word to look up: exact, or every word it starts. */
interface WordKey {
  word: string;
  prefix: boolean;
}

/** Folders in scope, their rows (the matcher needs them) and the accounts'. */
interface Scope {
  folders: Map<string, FolderRow>;
  accounts: Map<string, SearchAccount>;
}

export async function searchLocal(
  db: PetrelDb,
  query: SearchQuery,
  scope: SearchScope,
  opts: LocalSearchOptions,
): Promise<LocalSearchResult> {
  const resolved = await resolveScope(db, query, scope);
  const pending = await pendingIds(db, PENDING_CHECKED);
  const [found, coverage] = await Promise.all([
    find(db, query, resolved, pending.complete ? pending.ids : [], opts),
    coverageOf(db, resolved),
  ]);
  return { ...found, coverage: { ...coverage, indexing: !pending.complete } };
}

async function find(
  db: PetrelDb,
  query: SearchQuery,
  scope: Scope,
  pending: string[],
  opts: LocalSearchOptions,
): Promise<Found> {
  const keys = positiveWordKeys(query).filter(
    (key) => !key.prefix || key.word.length >= MIN_PREFIX,
  );
  const inScope = (rowId: string) => scope.folders.has(folderIdOfRowId(rowId));
  const looked = await Promise.all(
    keys.map(async (key) => ({ key, ...(await lookUp(db, key, inScope)) })),
  );
  const complete = looked.filter((l) => !l.capped).sort((a, b) => a.dates.size - b.dates.size);
  if (complete.length === 0) return walk(db, query, scope, opts);

  const proved = provedTerms(query, new Set(complete.map((c) => keyName(c.key))));
  const rest: SearchQuery = { terms: query.terms.filter((term) => !proved.has(term)) };
  const [first, ...others] = complete as [(typeof complete)[0], ...typeof complete];
  const candidates = [...first.dates]
    .filter(([rowId]) => others.every((o) => o.dates.has(rowId)))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1))
    .map(([rowId]) => rowId);
  const indexed = await check(db, rest, scope, candidates, opts.limit);
  if (pending.length === 0) return indexed;
  // Messages not indexed yet: each checked against the whole query.
  const unindexed = await check(db, query, scope, pending.filter(inScope), Infinity);
  const seen = new Set<string>();
  const rows = [...indexed.rows, ...unindexed.rows]
    .filter((row) => !seen.has(row.id) && seen.add(row.id))
    .sort((a, b) => b.date - a.date || (a.id < b.id ? 1 : -1));
  return {
    rows: rows.slice(0, opts.limit),
    truncated: indexed.truncated || rows.length > opts.limit,
  };
}

/** The words of non-negated text terms, each once: a term's last word is a prefix if it says so. */
function positiveWordKeys(query: SearchQuery): WordKey[] {
  const keys = new Map<string, WordKey>();
  for (const term of query.terms) {
    if (term.kind !== 'text' || term.negated) continue;
    term.words.forEach((word, i) => {
      if (!word) return;
      const key = { word, prefix: term.prefix && i === term.words.length - 1 };
      keys.set(keyName(key), key);
    });
  }
  return [...keys.values()];
}

const keyName = (key: WordKey) => `${key.prefix ? '>' : '='}${key.word}`;

/**
 * Terms the postings answer whole: a single word, anywhere, not negated, whose postings were read
 * in full (a message is indexed under every word of its headers, preview and cached body).
 */
function provedTerms(query: SearchQuery, complete: Set<string>): Set<SearchTerm> {
  const proved = new Set<SearchTerm>();
  for (const term of query.terms) {
    if (term.kind !== 'text' || term.negated || term.field || term.words.length !== 1) continue;
    const word = term.words[0] as string;
    if (complete.has(keyName({ word, prefix: term.prefix }))) proved.add(term);
  }
  return proved;
}

/**
 * A word's messages in scope with their dates, from at most `POSTING_CAP` posting rows; `capped`
 * when there were more (the set is then incomplete and is not used).
 */
async function lookUp(
  db: PetrelDb,
  key: WordKey,
  inScope: (rowId: string) => boolean,
): Promise<{ dates: Map<string, number>; capped: boolean }> {
  const upper = key.prefix ? `${key.word}\uffff` : key.word;
  const postings: SearchPostingRow[] = await db.searchPostings
    .where('[word+chunk]')
    .between([key.word, Dexie.minKey], [upper, Dexie.maxKey], true, true)
    .limit(POSTING_CAP + 1)
    .toArray();
  const dates = new Map<string, number>();
  if (postings.length > POSTING_CAP) return { dates, capped: true };
  for (const posting of postings) {
    posting.ids.forEach((rowId, i) => {
      if (inScope(rowId)) dates.set(rowId, posting.dates[i] as number);
    });
  }
  return { dates, capped: false };
}

/**
 * Reads the candidates' rows page by page (in the order given) and keeps those that match, until
 * one more than `limit` did.
 */
async function check(
  db: PetrelDb,
  query: SearchQuery,
  scope: Scope,
  ids: string[],
  limit: number,
): Promise<Found> {
  const found: MessageRow[] = [];
  for (let start = 0; start < ids.length; start += CHECK_PAGE) {
    const page = ids.slice(start, start + CHECK_PAGE);
    const rows = (await db.messages.bulkGet(page)).filter((row): row is MessageRow => !!row);
    for (const row of await matching(db, query, scope, rows)) {
      found.push(row);
      if (found.length > limit) return { rows: found.slice(0, limit), truncated: true };
    }
  }
  return { rows: found, truncated: false };
}

/**
 * The rows that match, in their order. A row that fails without its body is tried again with it,
 * when the query has a term the body could meet: bodies are read only for those.
 */
async function matching(
  db: PetrelDb,
  query: SearchQuery,
  scope: Scope,
  rows: MessageRow[],
): Promise<MessageRow[]> {
  const passed = new Set<string>();
  const failed: string[] = [];
  for (const row of rows) {
    if (matchesMessage(query, searchable(row, scope))) passed.add(row.id);
    else failed.push(row.id);
  }
  if (failed.length > 0 && needsBody(query)) {
    const bodies = await bodyTexts(db, failed);
    for (const row of rows) {
      const body = bodies.get(row.id);
      if (body !== undefined && matchesMessage(query, searchable(row, scope, body))) {
        passed.add(row.id);
      }
    }
  }
  return rows.filter((row) => passed.has(row.id));
}

function searchable(row: MessageRow, scope: Scope, bodyText?: string): SearchableMessage {
  const folder = scope.folders.get(row.folderId);
  const account = scope.accounts.get(row.accountId);
  const message: SearchableMessage = {
    row,
    folder: {
      path: folder?.path ?? '',
      name: folder?.name ?? '',
      ...(folder?.role ? { role: folder.role } : {}),
      ...(folder?.delimiter ? { delimiter: folder.delimiter } : {}),
    },
    account: { name: account?.name ?? '', email: account?.email ?? '' },
  };
  if (bodyText !== undefined) message.bodyText = bodyText;
  return message;
}

/**
 * The newest messages in scope, merged across folders a page per folder at a time, checked one by
 * one, until one more than `limit` match or `walkLimit` were read.
 */
async function walk(
  db: PetrelDb,
  query: SearchQuery,
  scope: Scope,
  opts: LocalSearchOptions,
): Promise<Found> {
  const max = opts.walkLimit ?? WALK_LIMIT;
  const heads = [...scope.folders.keys()].map((folderId) => new FolderReader(db, folderId));
  const found: MessageRow[] = [];
  let examined = 0;
  for (;;) {
    await Promise.all(heads.map((head) => head.fill()));
    const live = heads.filter((head) => head.peek());
    if (live.length === 0) break;
    if (examined >= max)
      return { rows: found, truncated: false, walked: { examined, complete: false } };
    // The next page: the newest rows across folders, until some folder's page runs out.
    const page: MessageRow[] = [];
    while (page.length < WALK_PAGE && examined + page.length < max) {
      let best: FolderReader | undefined;
      for (const head of live) {
        const row = head.peek();
        if (row && (!best || newer(row, best.peek() as MessageRow))) best = head;
      }
      if (!best) break;
      page.push(best.take());
      if (!best.peek()) break;
    }
    examined += page.length;
    for (const row of await matching(db, query, scope, page)) {
      found.push(row);
      if (found.length > opts.limit) {
        return {
          rows: found.slice(0, opts.limit),
          truncated: true,
          walked: { examined, complete: false },
        };
      }
    }
  }
  return { rows: found, truncated: false, walked: { examined, complete: true } };
}

const newer = (a: MessageRow, b: MessageRow) =>
  a.date > b.date || (a.date === b.date && a.id > b.id);

/** One folder's rows, newest first, read a page at a time. */
class FolderReader {
  private rows: MessageRow[] = [];
  private cursor?: PageCursor;
  private done = false;

  constructor(
    private readonly db: PetrelDb,
    private readonly folderId: string,
  ) {}

  async fill(): Promise<void> {
    if (this.rows.length > 0 || this.done) return;
    const page = await messagePage(this.db, this.folderId, WALK_PAGE, this.cursor);
    const last = page.at(-1);
    if (last) this.cursor = { date: last.date, id: last.id };
    if (page.length < WALK_PAGE) this.done = true;
    this.rows = page;
  }

  peek(): MessageRow | undefined {
    return this.rows[0];
  }

  take(): MessageRow {
    return this.rows.shift() as MessageRow;
  }
}

/**
 * The folders the search covers: the scope's (its folder, or every selectable folder of its
 * accounts, less those a queued task deletes), narrowed by a positive `in:` term to the folders it
 * names (as the matcher reads it).
 */
async function resolveScope(db: PetrelDb, query: SearchQuery, scope: SearchScope): Promise<Scope> {
  const rows = scope.folderId
    ? [await db.folders.get(scope.folderId)].filter((f): f is FolderRow => f !== undefined)
    : await db.folders.where('accountId').anyOf(scope.accountIds).toArray();
  const allowed = new Set(scope.accountIds);
  let folders = rows.filter((f) => f.selectable && allowed.has(f.accountId));
  const hidden = await hiddenFolders(
    db,
    folders.map((f) => f.id),
  );
  folders = folders.filter((f) => !hidden.has(f.id));
  for (const term of query.terms) {
    if (term.kind !== 'in' || term.negated) continue;
    folders = folders.filter((f) =>
      folderIs(term.folder, {
        path: f.path,
        name: f.name,
        ...(f.role ? { role: f.role } : {}),
        ...(f.delimiter ? { delimiter: f.delimiter } : {}),
      }),
    );
  }
  return {
    folders: new Map(folders.map((f) => [f.id, f])),
    accounts: new Map((scope.accounts ?? []).map((a) => [a.id, a])),
  };
}

/** What a folder holds, for the coverage. */
interface FolderStats {
  messages: number;
  /** Messages with a cached part. */
  withBody: number;
  /** Date of the oldest of them. */
  oldest?: number;
  /** `mailGeneration` when counted, and when (ms since epoch). */
  generation: number;
  at: number;
}

/** Per database and folder. */
const statsCache = new WeakMap<PetrelDb, Map<string, FolderStats>>();
/** Per database name: bumped on every committed change of messages or bodies (in any window). */
const mailGenerations = new Map<string, number>();
let listening = false;

/** Counts change when messages or bodies do: Dexie says which tables every commit touched. */
function mailGeneration(db: PetrelDb): number {
  if (!listening) {
    listening = true;
    Dexie.on('storagemutated', (parts) => {
      for (const part of Object.keys(parts)) {
        const [, name, table] = /^idb:\/\/(.*)\/([^/]*)\/[^/]*$/.exec(part) ?? [];
        if (name !== undefined && (table === 'messages' || table === 'bodies')) {
          mailGenerations.set(name, (mailGenerations.get(name) ?? 0) + 1);
        }
      }
    });
  }
  return mailGenerations.get(db.name) ?? 0;
}

/**
 * What was searched. Counting is a walk of keys in IndexedDB (Chromium's `count()` too), so a
 * folder's counts are kept until its messages or bodies change; while they change (sync, the
 * prefetch), a large folder is recounted at most every `STATS_TTL_MS`.
 */
async function coverageOf(db: PetrelDb, scope: Scope): Promise<Omit<SearchCoverage, 'indexing'>> {
  const perFolder = await Promise.all([...scope.folders.keys()].map((id) => folderStats(db, id)));
  const dates = perFolder.flatMap((f) => (f.oldest === undefined ? [] : [f.oldest]));
  const coverage: Omit<SearchCoverage, 'indexing'> = {
    messages: perFolder.reduce((sum, f) => sum + f.messages, 0),
    bodiesMissing: perFolder.reduce((sum, f) => sum + f.messages - f.withBody, 0),
  };
  if (dates.length) coverage.bodiesCachedSince = Math.min(...dates);
  return coverage;
}

async function folderStats(db: PetrelDb, folderId: string): Promise<FolderStats> {
  let cache = statsCache.get(db);
  if (!cache) statsCache.set(db, (cache = new Map()));
  const generation = mailGeneration(db);
  const now = Date.now();
  const cached = cache.get(folderId);
  if (
    cached &&
    (cached.generation === generation ||
      (cached.messages > SMALL_FOLDER && now - cached.at < STATS_TTL_MS))
  ) {
    return cached;
  }
  const [messageKeys, messageIds, bodyKeys] = await Promise.all([
    messagesOfFolder(db, folderId).keys(),
    messagesOfFolder(db, folderId).primaryKeys(),
    db.bodies.where('folderId').equals(folderId).primaryKeys(),
  ]);
  const withBodies = new Set(bodyKeys.map(([rowId]) => rowId));
  const stats: FolderStats = { messages: messageIds.length, withBody: 0, generation, at: now };
  messageIds.forEach((id, i) => {
    if (!withBodies.has(id)) return;
    stats.withBody += 1;
    const date = (messageKeys[i] as unknown as [string, number])[1];
    if (stats.oldest === undefined || date < stats.oldest) stats.oldest = date;
  });
  cache.set(folderId, stats);
  return stats;
}
