/** In the page: the benchmark's mail written through the cache writer (`applyBatch`). */
import { applyBatch } from '../../src-renderer/src/cache/apply.ts';
import { openCache } from '../../src-renderer/src/cache/db.ts';
import { bodyBatches, rowBatches } from './data.ts';

/** Writes `total` messages (and their text parts when `bodies`); ms spent on rows and on bodies. */
export async function seed(name: string, total: number, bodies: boolean) {
  const db = openCache(name);
  await db.open();
  let started = performance.now();
  for (const batch of rowBatches(total)) await applyBatch(db, batch);
  const rowsMs = performance.now() - started;
  started = performance.now();
  if (bodies) for (const batch of bodyBatches(total)) await applyBatch(db, batch);
  const bodiesMs = performance.now() - started;
  db.close();
  return { rowsMs, bodiesMs };
}
