/** Benchmark results: one shape for the table and the JSON file. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The same quantity for the reference implementation, measured in the same run. */
  baseline?: number;
  /** value / baseline (lower is better for times). */
  ratio?: number;
  /** How it was measured (runs, percentile, what the baseline is). */
  note?: string;
}

export function result(r: Omit<BenchResult, 'ratio'>): BenchResult {
  const ratio = r.baseline ? round(r.value / r.baseline, 2) : undefined;
  const baseline = r.baseline === undefined ? {} : { baseline: round(r.baseline, 3) };
  return { ...r, value: round(r.value, 1), ...baseline, ...(ratio === undefined ? {} : { ratio }) };
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function printTable(results: BenchResult[]): void {
  const rows = results.map((r) => [
    r.name,
    `${r.value} ${r.unit}`,
    r.baseline === undefined ? '' : `${round(r.baseline, 1)} ${r.unit}`,
    r.ratio === undefined ? '' : `×${r.ratio}`,
    r.note ?? '',
  ]);
  const header = ['metric', 'value', 'baseline', 'ratio', 'how'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

export async function writeJson(file: string, results: BenchResult[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ results }, null, 2)}\n`);
}
