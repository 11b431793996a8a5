/** In the page: the app's writer (which queues for the index), the indexer, and the timed queries. */
import type { SearchQuery, SearchTerm } from '#shared/search/query';
import { openCache, type PetrelDb } from '../../src-renderer/src/cache/db.ts';
import { runSearchIndexer } from '../../src-renderer/src/cache/search-index.ts';
import { RESULT_PAGE, searchLocal } from '../../src-renderer/src/cache/search-local.ts';
import type { QueryRun } from '../search-bench.ts';
import { ACCOUNT, PHRASE, PLANTED, WORDS } from './data.ts';
import { seed } from './page-seed.ts';

const text = (words: string[], extra: Partial<Extract<SearchTerm, { kind: 'text' }>> = {}) =>
  ({ kind: 'text', words, phrase: false, prefix: false, negated: false, ...extra }) as SearchTerm;
const q = (...terms: SearchTerm[]): SearchQuery => ({ terms });
const w = (rank: number) => WORDS[rank] as string;

/** The 20 fixed queries: common and rare words, prefixes, a phrase, fields, negation, filters. */
export const QUERIES: [string, SearchQuery][] = [
  ['common word', q(text([w(3)]))],
  ['common word 2', q(text([w(10)]))],
  ['mid word', q(text([w(300)]))],
  ['rare word', q(text([w(20_000)]))],
  ['planted word', q(text([PLANTED]))],
  ['prefix (typing)', q(text([w(500).slice(0, 3)], { prefix: true }))],
  ['prefix of rare', q(text([w(15_000).slice(0, 5)], { prefix: true }))],
  ['phrase', q(text(PHRASE.split(' '), { phrase: true }))],
  ['from:', q(text(['hopper'], { field: 'from', prefix: true }))],
  ['subject:', q(text([w(200)], { field: 'subject' }))],
  ['two words', q(text([w(50)]), text([w(400)]))],
  ['two words, 2nd typing', q(text([w(50)]), text([w(700).slice(0, 4)], { prefix: true }))],
  ['negation', q(text([w(100)]), text([w(5)], { negated: true }))],
  ['is:unread word', q({ kind: 'flag', flag: 'unread', negated: false }, text([w(120)]))],
  ['has:attachment word', q({ kind: 'hasAttachment', negated: false }, text([w(250)]))],
  ['in:inbox word', q({ kind: 'in', folder: 'inbox', negated: false }, text([w(800)]))],
  ['is:flagged', q({ kind: 'flag', flag: 'flagged', negated: false })],
  ['from: and word', q(text(['turing'], { field: 'from' }), text([w(60)]))],
  ['body: phrase of common', q(text([w(0), w(1)], { field: 'body', phrase: true }))],
  [
    'after: word',
    q({ kind: 'date', op: 'after', at: Date.UTC(2025, 6, 1), negated: false }, text([w(1_000)])),
  ],
];

let db: PetrelDb | undefined;

/** Indexes everything the writer queued; ms, and what the index holds. */
async function buildIndex(name: string) {
  const cache = openCache(name);
  await cache.open();
  const pending = await cache.searchPending.count();
  const started = performance.now();
  await runSearchIndexer(cache);
  const ms = performance.now() - started;
  const postings = await cache.searchBlocks.count();
  const chunks = await cache.searchDocs.toArray();
  cache.close();
  return {
    ms,
    pending,
    postings,
    chunks: chunks.length,
    indexed: chunks.reduce((sum, chunk) => sum + chunk.rowIds.length, 0),
  };
}

/** Each query `reps` times; per run: ms, rows found, coverage. */
async function runQueries(name: string, reps: number) {
  db ??= openCache(name);
  await db.open();
  const scope = {
    accountIds: [ACCOUNT],
    accounts: [{ id: ACCOUNT, name: 'Bench', email: 'bench@example.org' }],
  };
  const out: QueryRun[] = [];
  for (let rep = 0; rep < reps; rep++) {
    for (const [label, query] of QUERIES) {
      const started = performance.now();
      const result = await searchLocal(db, query, scope, { limit: RESULT_PAGE });
      out.push({
        label,
        ms: performance.now() - started,
        rows: result.rows.length,
        truncated: result.truncated,
        unchecked: result.unchecked ?? 0,
        coverage: result.coverage,
      });
    }
  }
  return out;
}

async function usage() {
  const estimate = await navigator.storage.estimate();
  return estimate.usage ?? 0;
}

(globalThis as Record<string, unknown>)['__indexed'] = { seed, buildIndex, runQueries, usage };
