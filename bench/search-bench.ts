/**
 * The search group, in Chromium's on-disk IndexedDB (the app's own cache code, bundled with
 * esbuild and served from a local origin): a 100k-message cache written through `applyBatch`, with
 * the text part of every message.
 * - `search.writeCost`: writing the 100k rows in sync's batches (2,500) as the app does (queuing
 *   their ids for the index), against the same writer bundled without that queuing, alternating,
 *   in the same run: the index's share of the cache writer's time, which bounds its share of
 *   `sync.initial100k`.
 * - `search.indexBuild`: the background indexer over the 100k messages and their bodies, all
 *   queued (as after a first sync with prefetch, or after the schema 6 upgrade).
 * - `search.local` (p50, p95): 20 fixed queries, repeated, against that cache, all accounts.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { chromium, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../e2e/support/chromium.ts';
import { median, percentile, result, round, type BenchResult } from './report.ts';

export interface SearchBenchOptions {
  messages: number;
  /** Alternating write runs per writer (with and without the index). */
  writeRuns: number;
  /** Times each of the 20 queries is run. */
  reps: number;
  log(line: string): void;
}

/** One timed search, as the page reports it. */
export interface QueryRun {
  label: string;
  ms: number;
  rows: number;
  truncated: boolean;
  unchecked: number;
  coverage: unknown;
}

type Seed = (
  name: string,
  total: number,
  bodies: boolean,
) => Promise<{ rowsMs: number; bodiesMs: number }>;

/** What the two bundles put on the page (`search/page-*.ts`). */
interface Pages {
  __plain: { seed: Seed };
  __indexed: {
    seed: Seed;
    buildIndex(name: string): Promise<{
      ms: number;
      pending: number;
      postings: number;
      chunks: number;
      indexed: number;
    }>;
    runQueries(name: string, reps: number): Promise<QueryRun[]>;
    usage(): Promise<number>;
  };
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** The reference bundle: `apply.ts` without its queuing for the search index. */
const withoutIndex: Plugin = {
  name: 'without-index',
  setup(b) {
    b.onLoad({ filter: /\/cache\/apply\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const line = 'const search = searchChangesOf(batch);';
      if (!source.includes(line)) {
        throw new Error('search bench: apply.ts no longer has the line the reference cuts');
      }
      const cut = source.replace(line, 'const search = undefined;');
      return { contents: cut, loader: 'ts' };
    });
  },
};

async function bundle(entry: string, plugins: Plugin[] = []): Promise<string> {
  const out = await build({
    entryPoints: [join(here, 'search', entry)],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'chrome120',
    plugins,
    logLevel: 'silent',
  });
  return out.outputFiles[0]?.text ?? '';
}

function serve(files: Record<string, string>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const body = files[req.url ?? ''];
    res.writeHead(body === undefined ? 404 : 200, {
      'content-type': req.url?.endsWith('.js') ? 'text/javascript' : 'text/html',
    });
    res.end(body ?? 'not found');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}/` });
    }),
  );
}

export async function searchBench(opts: SearchBenchOptions): Promise<BenchResult[]> {
  const [indexed, plain] = await Promise.all([
    bundle('page-indexed.ts'),
    bundle('page-plain.ts', [withoutIndex]),
  ]);
  const { server, url } = await serve({
    '/': '<!doctype html><title>search bench</title><script src="/plain.js"></script><script src="/indexed.js"></script>',
    '/plain.js': plain,
    '/indexed.js': indexed,
  });
  const dir = await mkdtemp(join(tmpdir(), 'petrel-bench-search-'));
  const context = await chromium.launchPersistentContext(dir, {
    ...chromiumLaunchOptions,
    headless: true,
  });
  try {
    const page: Page = await context.newPage();
    page.setDefaultTimeout(0);
    await page.goto(url);
    const n = opts.messages;

    // The writer's time for the rows, with and without the index, alternating.
    const withMs: number[] = [];
    const withoutMs: number[] = [];
    for (let run = 0; run < opts.writeRuns; run++) {
      const a = await page.evaluate(
        ([name, total]) => (globalThis as unknown as Pages).__plain.seed(name, total, false),
        [`plain-${run}`, n] as const,
      );
      withoutMs.push(a.rowsMs);
      const b = await page.evaluate(
        ([name, total]) => (globalThis as unknown as Pages).__indexed.seed(name, total, false),
        [`indexed-${run}`, n] as const,
      );
      withMs.push(b.rowsMs);
      opts.log(
        `write ${n} rows: without the index ${Math.round(a.rowsMs)} ms, with it ${Math.round(b.rowsMs)} ms`,
      );
      await page.evaluate(
        (names) =>
          Promise.all(
            names.map(
              (name) =>
                new Promise((r) => {
                  const q = indexedDB.deleteDatabase(name);
                  q.onsuccess = q.onerror = r;
                }),
            ),
          ),
        [`plain-${run}`, `indexed-${run}`],
      );
    }

    // The cache with every body, written by the app's writer (every id queued); then the indexer.
    const seeded = await page.evaluate(
      ([name, total]) => (globalThis as unknown as Pages).__indexed.seed(name, total, true),
      ['search', n] as const,
    );
    const before = await page.evaluate(() => (globalThis as unknown as Pages).__indexed.usage());
    opts.log(
      `cache written: rows ${Math.round(seeded.rowsMs)} ms, bodies ${Math.round(seeded.bodiesMs)} ms, ${mb(before)} MB`,
    );
    const built = await page.evaluate(
      (name) => (globalThis as unknown as Pages).__indexed.buildIndex(name),
      'search',
    );
    const buildMs = built.ms;
    const after = await page.evaluate(() => (globalThis as unknown as Pages).__indexed.usage());
    opts.log(
      `index built in ${Math.round(buildMs)} ms from ${built.pending} pending rows: ${built.indexed} messages indexed, ` +
        `${built.chunks} chunks, ${built.postings} blocks of postings; storage ${mb(before)} → ${mb(after)} MB`,
    );

    const runs: QueryRun[] = await page.evaluate(
      ([name, reps]) => (globalThis as unknown as Pages).__indexed.runQueries(name, reps),
      ['search', opts.reps] as const,
    );
    const byLabel = new Map<string, typeof runs>();
    for (const r of runs) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
    for (const [label, list] of byLabel) {
      const last = list.at(-1);
      opts.log(
        `  ${label.padEnd(24)} p50 ${round(median(list.map((r) => r.ms)), 1)} ms, max ${round(Math.max(...list.map((r) => r.ms)), 1)} ms, ` +
          `${last?.rows}${last?.truncated ? '+' : ''} rows${last?.unchecked ? ` (${last.unchecked} unchecked)` : ''}`,
      );
    }
    opts.log(`coverage: ${JSON.stringify(runs[0]?.coverage)}`);
    const times = runs.map((r) => r.ms);
    const label = `${n.toLocaleString()} cached messages with bodies, all folders`;
    return [
      result({
        name: 'search.local',
        value: percentile(times, 50),
        unit: 'ms',
        note: `p50 of ${times.length} searches (20 fixed queries × ${opts.reps}), the first page (100 rows), ${label}`,
      }),
      result({
        name: 'search.local.p95',
        value: percentile(times, 95),
        unit: 'ms',
        note: `p95 of the same searches`,
      }),
      result({
        name: 'search.indexBuild',
        value: buildMs / 1000,
        unit: 's',
        note: `the indexer over ${label} (${built.chunks} chunks of 8,192, ${built.postings} blocks of postings); storage ${mb(before)} → ${mb(after)} MB`,
      }),
      result({
        name: 'search.writeCost',
        value: median(withMs) / 1000,
        unit: 's',
        baseline: median(withoutMs) / 1000,
        note: `applyBatch of ${n.toLocaleString()} rows in sync's 2,500-row batches, queuing for the index; baseline: the same writer without the queuing; medians of ${opts.writeRuns}, alternating`,
      }),
    ];
  } finally {
    await context.close();
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => Math.round(bytes / 1_048_576);
