/**
 * Connects the cache to the sync engine in main: attach with the cache's checkpoints, then apply
 * each ChangeBatch in arrival order and acknowledge it once committed.
 */
import type { PetrelBridge } from '#shared/contract';
import type { CacheState, ChangeBatch } from '#shared/sync';
import { applyBatch } from './apply.ts';
import { readCacheState } from './cache-state.ts';
import type { PetrelDb } from './db.ts';

/** `performance.mark` name set each time the cache attaches (sync starts from there). */
export const ATTACH_MARK = 'petrel:cache-attach';
/** `performance.measure` name of each batch's apply (one transaction). */
export const APPLY_MEASURE = 'petrel:apply-batch';

/** The part of the bridge the cache writer uses. */
export type CacheSyncBridge = Pick<PetrelBridge, 'on' | 'attachCache' | 'ackBatch'>;

/** Which step failed: `attach` (reading the cache or telling main), `apply` or `ack`. */
export type CacheSyncPhase = 'attach' | 'apply' | 'ack';

export interface CacheSyncFailure {
  phase: CacheSyncPhase;
  /** The batch concerned, for `apply` and `ack`. */
  batchId?: number;
  error: unknown;
  /** True when the client stopped applying batches: start it again to reattach and resume. */
  halted: boolean;
}

export interface CacheSyncOptions {
  /** Defaults to `console.error`. */
  onError?: (failure: CacheSyncFailure) => void;
  /** A batch was committed (prefetch and notifications follow new mail from here). */
  onApplied?: (batch: ChangeBatch) => void;
}

type ClientState = 'running' | 'failed' | 'stopped';

/**
 * Starts the cache writer and returns its stop function.
 *
 * It subscribes before attaching, so no batch sent in answer to the attach can be missed. Batches
 * are applied strictly one after another; each is acknowledged only after its transaction
 * committed. After a failed apply it applies nothing more: later batches may build on the failed
 * one, and main resends everything unacknowledged after the next attach.
 */
export function startCacheSync(
  db: PetrelDb,
  bridge: CacheSyncBridge,
  options: CacheSyncOptions = {},
): () => void {
  const report = options.onError ?? reportToConsole;
  let state: ClientState = 'running';
  let queue = Promise.resolve();
  // Each step handles its own errors, so the chain never rejects and never stalls.
  const enqueue = (step: () => Promise<void>): void => {
    queue = queue.then(step);
  };

  const fail = (phase: CacheSyncPhase, error: unknown, batchId?: number): void => {
    state = 'failed';
    report({ phase, error, halted: true, ...(batchId === undefined ? {} : { batchId }) });
  };

  const attach = async (): Promise<void> => {
    if (state !== 'running') return;
    let cacheState: CacheState;
    try {
      cacheState = await readCacheState(db);
    } catch (error) {
      fail('attach', error);
      return;
    }
    // A User Timing mark: devtools and the benchmarks measure sync from here.
    globalThis.performance?.mark?.(ATTACH_MARK);
    // Not awaited in the queue: main may push batches (and wait for their acks) before it answers.
    callBridge(
      () => bridge.attachCache(cacheState),
      (error) => report({ phase: 'attach', error, halted: false }),
    );
  };

  const apply = async (batch: ChangeBatch): Promise<void> => {
    if (state !== 'running') return;
    try {
      const started = globalThis.performance?.now();
      await applyBatch(db, batch);
      // A User Timing measure per batch: devtools and the benchmarks see the write path's share.
      globalThis.performance?.measure?.(APPLY_MEASURE, { start: started });
    } catch (error) {
      fail('apply', error, batch.id);
      return;
    }
    // Stopped while applying: the commit stands, main resends it on the next attach.
    if (state !== 'running') return;
    options.onApplied?.(batch);
    callBridge(
      () => bridge.ackBatch(batch.id),
      (error) => report({ phase: 'ack', batchId: batch.id, error, halted: false }),
    );
  };

  const unsubscribe = bridge.on('changeBatch', (batch) => enqueue(() => apply(batch)));
  enqueue(attach);

  return () => {
    state = 'stopped';
    unsubscribe();
  };
}

/** Fire and forget, but every failure (thrown or rejected) reaches `onError`. */
function callBridge(call: () => Promise<void>, onError: (error: unknown) => void): void {
  try {
    call().catch(onError);
  } catch (error) {
    onError(error);
  }
}

function reportToConsole(failure: CacheSyncFailure): void {
  console.error(`Cache sync failed (${failure.phase})`, failure);
}
