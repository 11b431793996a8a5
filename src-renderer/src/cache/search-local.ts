/**
 * Local search over the cache: what `searchLocal` finds among the cached messages of the accounts
 * (or the folder) in scope, newest first, with what it covered. Never a scan of the messages: it
 * answers from the search index (`search-index.ts`) and reads rows only for the page it returns.
 *
 * 1. Postings: each word of the query's text terms is looked up (a prefix: every word it starts,
 *    at most `POSTING_CAP` blocks of postings), limited to the term's field by the postings'
 *    field bits.
 *    A message must have every positive word; a negated one-word term takes its messages out.
 * 2. One pass over the indexed messages newest first (in memory) keeps those in scope, not gone,
 *    with every word, and meeting the filters the index holds (flags, attachment, date, size,
 *    folder, account); it also counts what was searched (the coverage).
 * 3. The page: rows read by number, newest first, and checked with `matchesMessage` for what the
 *    postings cannot prove — a phrase (words next to each other), several words in one field
 *    text, a prefix too broad to look up — reading bodies only when a term could be met there; and
 *    for the filters again, on the row as it is now (a flag changed by a task here, a message moved
 *    away). At most `CHECK_LIMIT` candidates are checked so; the rest is said in `unchecked`.
 * 4. Messages waiting to be indexed (`searchPending`): checked one by one against the whole query
 *    when there are few (`PENDING_CHECKED`); more, and the coverage says `indexing`.
 */
import { folderIdOfRowId, type FolderRow, type MessageRow } from '#shared/mail';
import { folderMatches } from '#shared/search/imap';
import { folderIs, matchesMessage, needsBody, type SearchableMessage } from '#shared/search/match';
import type { SearchQuery, SearchTerm, TextField } from '#shared/search/query';
import type { PetrelDb, SearchPosting } from './db.ts';
import { hiddenFolders } from './pending-effects.ts';
import {
  ANY_FIELD,
  bodyTexts,
  CHUNK_DOCS,
  DOC,
  FIELD,
  loadSearchDocs,
  readPending,
  readPostings,
  type SearchDocs,
} from './search-index.ts';

/** Results a search shows first (the search field's first page; it asks for more on demand). */
export const RESULT_PAGE = 100;
/** Blocks of postings read per word at most (a word is in one block per chunk; a prefix may
 * span several). */
export const POSTING_CAP = 400;
/**
 * Messages waiting to be indexed that a search checks one by one (their rows and bodies are read);
 * more, and it says `indexing` and uses what the index held for them before.
 */
export const PENDING_CHECKED = 250;
/** Candidates whose rows a search checks at most for terms the postings cannot prove. */
export const CHECK_LIMIT = 2_000;
/** Rows read per page when checking: at most, and at least. */
const CHECK_PAGE = 200;
const MIN_CHECK_PAGE = 20;
/** Positive words a search narrows by at most (the rest are checked on rows). */
const MAX_REQUIRED = 255;

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
  /** How many match, when the index alone says it (no term left to check on rows). */
  total?: number;
  /**
   * Candidates (messages with every word) not checked for what the index cannot prove (a phrase's
   * order, for one) because `CHECK_LIMIT` were checked first: some of them may match too.
   */
  unchecked?: number;
  coverage: SearchCoverage;
}

export interface LocalSearchOptions {
  limit: number;
}

type TextTerm = Extract<SearchTerm, { kind: 'text' }>;

/** Folders in scope, their rows (the matcher needs them) and the accounts'. */
interface Scope {
  folders: Map<string, FolderRow>;
  accounts: Map<string, SearchAccount>;
}

const FIELD_MASK: Record<TextField, number> = {
  subject: FIELD.subject,
  from: FIELD.from,
  to: FIELD.to,
  cc: FIELD.cc,
  body: FIELD.body,
};

export async function searchLocal(
  db: PetrelDb,
  query: SearchQuery,
  scope: SearchScope,
  opts: LocalSearchOptions,
): Promise<LocalSearchResult> {
  const [docs, resolved, pending] = await Promise.all([
    loadSearchDocs(db),
    resolveScope(db, query, scope),
    readPending(db, PENDING_CHECKED),
  ]);
  const words = await lookUp(db, docs, query);
  // Messages waiting to be indexed are checked from their rows; their numbers (if indexed before)
  // may be out of date, so they are left out of the pass.
  const pendingIds = pending.complete ? [...pending.ids] : [];
  const skip = new Set<number>();
  for (const id of pendingIds) {
    const doc = docs.byRow.get(id);
    if (doc !== undefined) skip.add(doc);
  }
  const pass = candidates(docs, query, resolved, words, skip);
  const newInScope = pendingIds.filter(
    (id) => !docs.byRow.has(id) && resolved.folders.has(folderIdOfRowId(id)),
  ).length;
  const coverage: SearchCoverage = {
    messages: pass.coverage.messages + newInScope,
    bodiesMissing: pass.coverage.bodiesMissing,
    indexing: !pending.complete,
  };
  if (pass.coverage.bodiesCachedSince !== undefined) {
    coverage.bodiesCachedSince = pass.coverage.bodiesCachedSince;
  }

  // What the rows must still show: terms the postings did not prove, and the filters again.
  const rest: SearchQuery = { terms: query.terms.filter((term) => !words.proved.has(term)) };
  const textLeft = rest.terms.some((term) => term.kind === 'text');
  const rowIds = pass.docs.map((doc) => docs.rowIds[doc] as string);
  const [checked, unindexed] = await Promise.all([
    check(db, rest, resolved, rowIds, opts.limit, textLeft ? CHECK_LIMIT : Infinity),
    check(
      db,
      query,
      resolved,
      pendingIds.filter((id) => resolved.folders.has(folderIdOfRowId(id))),
      Infinity,
      Infinity,
    ),
  ]);
  const rows = [...checked.rows, ...unindexed.rows].sort(
    (a, b) => b.date - a.date || (a.id < b.id ? 1 : -1),
  );
  const result: LocalSearchResult = {
    rows: rows.slice(0, opts.limit),
    truncated: checked.truncated || rows.length > opts.limit,
    coverage,
  };
  if (!textLeft) result.total = pass.docs.length + unindexed.rows.length;
  if (checked.unchecked > 0) result.unchecked = checked.unchecked;
  return result;
}

/** What the postings said: the words every candidate has, those it must not have. */
interface WordMatches {
  /** Per number: how many of the positive words, in order, it has (`required` = all of them). */
  level?: Uint8Array;
  required: number;
  /** Per number: 1 when it has a negated word. */
  excluded?: Uint8Array;
  /** Terms the postings answer whole (a single word, looked up in full). */
  proved: Set<SearchTerm>;
}

/** A word to look up: exact, or every word it starts, in the fields of `mask`. */
interface WordKey {
  word: string;
  prefix: boolean;
}

async function lookUp(db: PetrelDb, docs: SearchDocs, query: SearchQuery): Promise<WordMatches> {
  const size = docs.length;
  const positive: { key: WordKey; mask: number; term: TextTerm }[] = [];
  const negative: { key: WordKey; mask: number; term: TextTerm }[] = [];
  for (const term of query.terms) {
    if (term.kind !== 'text') continue;
    const mask = term.field ? FIELD_MASK[term.field] : ANY_FIELD;
    const last = term.words.length - 1;
    const keys = term.words
      .map((word, i) => ({ word, prefix: term.prefix && i === last }))
      .filter((key) => key.word !== '');
    if (term.negated) {
      if (term.words.length === 1 && keys.length === 1) {
        negative.push({ key: keys[0] as WordKey, mask, term });
      }
    } else {
      for (const key of keys) positive.push({ key, mask, term });
    }
  }
  const wanted = [...positive, ...negative].slice(0, MAX_REQUIRED);
  const names = [...new Set(wanted.map(({ key }) => keyName(key)))];
  const read = new Map(
    await Promise.all(
      names.map(async (name) => {
        const key = { word: name.slice(1), prefix: name[0] === '>' };
        return [name, await readPostings(db, docs, key.word, key.prefix, POSTING_CAP)] as const;
      }),
    ),
  );
  const postingsOf = (key: WordKey) => read.get(keyName(key));

  const result: WordMatches = { required: 0, proved: new Set() };
  const incomplete = new Set<SearchTerm>();
  positive.forEach(({ key, mask, term }, i) => {
    const found = i < MAX_REQUIRED ? postingsOf(key) : undefined;
    if (!found || found.capped) {
      incomplete.add(term);
      return;
    }
    const level = (result.level ??= new Uint8Array(size));
    const from = result.required++;
    eachPosting(found.postings, mask, size, (doc) => {
      if (level[doc] === from) level[doc] = from + 1;
    });
  });
  for (const { key, mask, term } of negative) {
    const found = postingsOf(key);
    if (!found || found.capped) {
      incomplete.add(term);
      continue;
    }
    const excluded = (result.excluded ??= new Uint8Array(size));
    eachPosting(found.postings, mask, size, (doc) => {
      excluded[doc] = 1;
    });
    result.proved.add(term);
  }
  for (const { term } of positive) {
    if (term.words.length === 1 && !incomplete.has(term)) result.proved.add(term);
  }
  return result;
}

const keyName = (key: WordKey) => `${key.prefix ? '>' : '='}${key.word}`;

function eachPosting(
  rows: readonly SearchPosting[],
  mask: number,
  size: number,
  visit: (doc: number) => void,
): void {
  for (const row of rows) {
    const base = row.chunk * CHUNK_DOCS;
    const { docs, fields } = row;
    for (let i = 0; i < docs.length; i++) {
      if (((fields[i] as number) & mask) === 0) continue;
      const doc = base + (docs[i] as number);
      if (doc < size) visit(doc);
    }
  }
}

/**
 * The pass over every indexed message, newest first: the candidates (in scope, not gone, not
 * skipped, with every word and none excluded, meeting the filters the index holds), and what was
 * searched.
 */
function candidates(
  docs: SearchDocs,
  query: SearchQuery,
  scope: Scope,
  words: WordMatches,
  skip: Set<number>,
): { docs: number[]; coverage: Omit<SearchCoverage, 'indexing'> } {
  // Per folder of the index: in scope (searched), and meeting the folder and account terms (a
  // positive `in:` already narrowed the scope), as the server step chooses its folders.
  const inScope = docs.folderIds.map((id) => scope.folders.has(id));
  const folderOk = docs.folderIds.map((id) => {
    const folder = scope.folders.get(id);
    return folder !== undefined && folderMatches(query, folder, accountOf(scope, folder.accountId));
  });
  const holds = filterOf(query);
  const { level, required, excluded } = words;
  const order = docs.order();
  const found: number[] = [];
  let messages = 0;
  let bodiesMissing = 0;
  let since = Infinity;
  for (let i = 0; i < order.length; i++) {
    const doc = order[i] as number;
    const bits = docs.bits[doc] as number;
    if (bits & DOC.gone) continue;
    const folder = docs.folders[doc] as number;
    if (!inScope[folder]) continue;
    messages++;
    if (bits & DOC.body) since = Math.min(since, docs.dates[doc] as number);
    else bodiesMissing++;
    if (!folderOk[folder] || skip.has(doc)) continue;
    if (level && level[doc] !== required) continue;
    if (excluded && excluded[doc]) continue;
    if (!holds(bits, docs.dates[doc] as number, docs.sizes[doc] as number)) continue;
    found.push(doc);
  }
  const coverage: Omit<SearchCoverage, 'indexing'> = { messages, bodiesMissing };
  if (since !== Infinity) coverage.bodiesCachedSince = since;
  return { docs: found, coverage };
}

/** The flag, attachment, date and size terms, over the index's columns. */
function filterOf(query: SearchQuery): (bits: number, date: number, size: number) => boolean {
  const tests: ((bits: number, date: number, size: number) => boolean)[] = [];
  for (const term of query.terms) {
    const not = term.negated;
    switch (term.kind) {
      case 'hasAttachment':
        tests.push((bits) => ((bits & DOC.attachment) !== 0) !== not);
        break;
      case 'flag': {
        const bit = term.flag === 'flagged' ? DOC.flagged : DOC.unread;
        const set = term.flag !== 'read';
        tests.push((bits) => (((bits & bit) !== 0) === set) !== not);
        break;
      }
      case 'date':
        tests.push((_, date) => (term.op === 'before' ? date < term.at : date >= term.at) !== not);
        break;
      case 'size':
        tests.push(
          (_, __, size) => (term.op === 'larger' ? size > term.bytes : size < term.bytes) !== not,
        );
        break;
      default:
        break;
    }
  }
  return (bits, date, size) => tests.every((test) => test(bits, date, size));
}

/**
 * Reads the rows of `ids` page by page (in the order given) and keeps those that match, until one
 * more than `limit` did or `max` were read. A page is what is still needed (most candidates
 * match), so the page after the last shown row is seldom read.
 */
async function check(
  db: PetrelDb,
  query: SearchQuery,
  scope: Scope,
  ids: string[],
  limit: number,
  max: number,
): Promise<{ rows: MessageRow[]; truncated: boolean; unchecked: number }> {
  const found: MessageRow[] = [];
  const end = Math.min(ids.length, max);
  // Bodies are read with the rows when a term could be met there (else only for rows that fail).
  const withBodies = query.terms.some((term) => term.kind === 'text') && needsBody(query);
  let start = 0;
  while (start < end) {
    const size = Math.min(CHECK_PAGE, Math.max(MIN_CHECK_PAGE, limit + 1 - found.length));
    const page = ids.slice(start, Math.min(end, start + size));
    start += page.length;
    const [rows, bodies] = await Promise.all([
      db.messages.bulkGet(page),
      withBodies ? bodyTexts(db, page) : undefined,
    ]);
    const present = rows.filter((row): row is MessageRow => !!row);
    for (const row of await matching(db, query, scope, present, bodies)) {
      found.push(row);
      if (found.length > limit)
        return { rows: found.slice(0, limit), truncated: true, unchecked: 0 };
    }
  }
  return { rows: found, truncated: false, unchecked: ids.length - end };
}

/**
 * The rows that match, in their order. A row that fails without its body is tried again with it,
 * when the query has a term the body could meet: bodies are read only for those (unless given).
 */
async function matching(
  db: PetrelDb,
  query: SearchQuery,
  scope: Scope,
  rows: MessageRow[],
  given?: Map<string, string>,
): Promise<MessageRow[]> {
  if (query.terms.length === 0) return rows;
  const passed = new Set<string>();
  const failed: string[] = [];
  for (const row of rows) {
    if (matchesMessage(query, searchable(row, scope))) passed.add(row.id);
    else failed.push(row.id);
  }
  if (failed.length > 0 && needsBody(query)) {
    const bodies = given ?? (await bodyTexts(db, failed));
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const id of failed) {
      const body = bodies.get(id);
      const row = byId.get(id) as MessageRow;
      if (body !== undefined && matchesMessage(query, searchable(row, scope, body))) {
        passed.add(row.id);
      }
    }
  }
  return rows.filter((row) => passed.has(row.id));
}

/** An account's name and address (empty when not given: `account:` terms then match nothing). */
function accountOf(scope: Scope, accountId: string): { name: string; email: string } {
  const account = scope.accounts.get(accountId);
  return { name: account?.name ?? '', email: account?.email ?? '' };
}

function searchable(row: MessageRow, scope: Scope, bodyText?: string): SearchableMessage {
  const message: SearchableMessage = {
    row,
    folder: scope.folders.get(row.folderId) ?? { path: '', name: '' },
    account: accountOf(scope, row.accountId),
  };
  if (bodyText !== undefined) message.bodyText = bodyText;
  return message;
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
    folders = folders.filter((f) => folderIs(term.folder, f));
  }
  return {
    folders: new Map(folders.map((f) => [f.id, f])),
    accounts: new Map((scope.accounts ?? []).map((a) => [a.id, a])),
  };
}
