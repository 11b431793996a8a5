/**
 * `npm run bench -- [--only sync,ui,search] [--json FILE] [--messages N] [--runs N]`: prints a table and
 * writes `{"results":[{name,value,unit,baseline,ratio}]}`. Targets live here, never in tests.
 */
import { parseArgs } from 'node:util';
import { buildIfStale } from '../scripts/build-if-stale.mjs';
import { printTable, writeJson, type BenchResult } from './report.ts';
import { searchBench } from './search-bench.ts';
import { syncBench } from './sync-bench.ts';
import { uiBench } from './ui-bench.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    json: { type: 'string', default: 'bench/results/latest.json' },
    messages: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '2' },
  },
});

const groups: Record<string, () => Promise<BenchResult[]>> = {
  sync: () =>
    syncBench({
      messages: Number(values.messages),
      runs: Number(values.runs),
      baselineRuns: 3,
      newMailSamples: 20,
      log: (line) => process.stderr.write(`[bench] ${line}\n`),
    }),
  ui: () =>
    uiBench({
      messages: Number(values.messages),
      coldRuns: 5,
      presses: 40,
      scrollFrames: 300,
      log: (line) => process.stderr.write(`[bench] ${line}\n`),
    }),
  search: () =>
    searchBench({
      messages: Number(values.messages),
      writeRuns: Number(values.runs),
      reps: 5,
      log: (line) => process.stderr.write(`[bench] ${line}\n`),
    }),
};

const selected = values.only ? values.only.split(',') : Object.keys(groups);
const unknown = selected.filter((name) => !groups[name]);
if (unknown.length) {
  process.stderr.write(
    `Unknown benchmark group(s): ${unknown.join(', ')}. Known: ${Object.keys(groups).join(', ')}\n`,
  );
  process.exit(2);
}

buildIfStale();
const results: BenchResult[] = [];
for (const name of selected)
  results.push(...(await (groups[name] as () => Promise<BenchResult[]>)()));
printTable(results);
await writeJson(values.json, results);
process.stderr.write(`[bench] wrote ${values.json}\n`);
