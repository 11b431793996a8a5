/**
 * The benchmark's reference writer: the same `applyBatch`, bundled without its one write for the
 * search index (the queue of ids, see `search-bench.ts`), i.e. the cache writer as it was before.
 */
import { seed } from './page-seed.ts';

(globalThis as Record<string, unknown>)['__plain'] = { seed };
