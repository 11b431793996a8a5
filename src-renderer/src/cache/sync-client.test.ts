import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { folderIdOf, messageRowId, type MessageRow } from '#shared/mail';
import type { CacheState, ChangeBatch } from '#shared/sync';
import type * as ApplyModule from './apply.ts';
import { applyBatch } from './apply.ts';
import { readCacheState } from './cache-state.ts';
import type { PetrelDb } from './db.ts';
import { startCacheSync, type CacheSyncBridge, type CacheSyncFailure } from './sync-client.ts';
import { batch, checkpoint, freshDb, message } from './test-support.ts';

// The real applyBatch, wrapped so a test can hold one batch's apply open.
vi.mock('./apply.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof ApplyModule>();
  return { applyBatch: vi.fn(actual.applyBatch) };
});
const { applyBatch: realApplyBatch } = await vi.importActual<typeof ApplyModule>('./apply.ts');

const ACCOUNT = 'acc1';
const INBOX = folderIdOf(ACCOUNT, 'INBOX');

/** A bridge that records, in one log, subscriptions and calls in the order they happen. */
function fakeBridge(overrides: Partial<CacheSyncBridge> = {}) {
  const listeners = new Set<(batch: ChangeBatch) => void>();
  const log: string[] = [];
  const acks: number[] = [];
  const attached: CacheState[] = [];
  const bridge: CacheSyncBridge = {
    on: (event, listener) => {
      log.push(`on:${event}`);
      const onBatch = listener as (batch: ChangeBatch) => void;
      listeners.add(onBatch);
      return () => {
        log.push(`off:${event}`);
        listeners.delete(onBatch);
      };
    },
    attachCache: async (state) => {
      log.push('attach');
      attached.push(state);
    },
    ackBatch: async (id) => {
      log.push(`ack:${id}`);
      acks.push(id);
    },
    ...overrides,
  };
  const emit = (changes: ChangeBatch): void => listeners.forEach((listener) => listener(changes));
  return { bridge, log, acks, attached, emit };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Time for a wrong implementation to do what it should not (apply early, ack early). */
const settle = (): Promise<void> => new Promise((done) => setTimeout(done, 30));

const subjectOf = async (db: PetrelDb, uid: number): Promise<string | undefined> =>
  (await db.messages.get(messageRowId(INBOX, uid)))?.subject;

const putBatch = (...rows: MessageRow[]): ChangeBatch =>
  batch(ACCOUNT, { folderId: INBOX, put: rows });

let db: PetrelDb;
let stop: () => void = () => {};

beforeEach(() => {
  db = freshDb();
  stop = () => {};
  vi.mocked(applyBatch).mockClear();
});

afterEach(async () => {
  stop();
  await db.delete();
});

describe('startCacheSync', () => {
  it("subscribes before attaching, and attaches with the cache's checkpoints", async () => {
    await realApplyBatch(db, batch(ACCOUNT, { folderId: INBOX, checkpoint: checkpoint() }));
    const { bridge, log, attached } = fakeBridge();

    stop = startCacheSync(db, bridge);

    await vi.waitFor(() => expect(attached).toHaveLength(1));
    expect(log).toEqual(['on:changeBatch', 'attach']);
    expect(attached[0]).toEqual(await readCacheState(db));
    expect(attached[0]?.checkpoints[INBOX]).toEqual(checkpoint());
  });

  it('applies batches one at a time in arrival order, then acks each in order', async () => {
    const { bridge, acks, emit } = fakeBridge();
    stop = startCacheSync(db, bridge);
    const gate = deferred();
    vi.mocked(applyBatch).mockImplementationOnce(async (target, changes) => {
      await gate.promise;
      await realApplyBatch(target, changes);
    });
    const first = putBatch(message(INBOX, 1, { subject: 'first' }));
    const second = putBatch(message(INBOX, 1, { subject: 'second' }));
    const third = batch(ACCOUNT, { folderId: INBOX, flags: [{ uid: 1, flags: ['\\Seen'] }] });

    emit(first);
    emit(second);
    emit(third);
    await vi.waitFor(() => expect(applyBatch).toHaveBeenCalledTimes(1));
    await settle();
    expect(applyBatch).toHaveBeenCalledTimes(1);
    expect(acks).toEqual([]);

    gate.resolve();
    await vi.waitFor(() => expect(acks).toHaveLength(3));
    expect(acks).toEqual([first.id, second.id, third.id]);
    expect(vi.mocked(applyBatch).mock.calls.map(([, changes]) => changes.id)).toEqual(acks);
    expect(await db.messages.get(messageRowId(INBOX, 1))).toMatchObject({
      subject: 'second',
      flags: ['\\Seen'],
    });
  });

  it('acks a batch only once its apply has committed', async () => {
    const { bridge, acks, emit } = fakeBridge();
    const gate = deferred();
    let committed = false;
    vi.mocked(applyBatch).mockImplementationOnce(async (target, changes) => {
      await realApplyBatch(target, changes);
      await gate.promise;
      committed = true;
    });
    const seenAtAck: boolean[] = [];
    bridge.ackBatch = async (id) => {
      seenAtAck.push(committed);
      acks.push(id);
    };
    stop = startCacheSync(db, bridge);

    const only = putBatch(message(INBOX, 7));
    emit(only);
    await vi.waitFor(() => expect(applyBatch).toHaveBeenCalledTimes(1));
    await settle();
    expect(acks).toEqual([]);

    gate.resolve();
    await vi.waitFor(() => expect(acks).toEqual([only.id]));
    expect(seenAtAck).toEqual([true]);
    expect(await subjectOf(db, 7)).toBeDefined();
  });

  it('on a failed apply: reports it, does not ack it, and applies nothing after it', async () => {
    const { bridge, acks, emit } = fakeBridge();
    const failures: CacheSyncFailure[] = [];
    stop = startCacheSync(db, bridge, { onError: (failure) => failures.push(failure) });
    const good = putBatch(message(INBOX, 1));
    const bad = putBatch(message(INBOX, 2), { id: undefined } as unknown as MessageRow);
    const later = putBatch(message(INBOX, 3));

    emit(good);
    emit(bad);
    emit(later);
    await vi.waitFor(() => expect(failures).toHaveLength(1));
    await settle();

    expect(failures[0]).toMatchObject({ phase: 'apply', batchId: bad.id, halted: true });
    expect(acks).toEqual([good.id]);
    expect(applyBatch).toHaveBeenCalledTimes(2);
    expect(await subjectOf(db, 1)).toBeDefined();
    expect(await subjectOf(db, 2)).toBeUndefined();
    expect(await subjectOf(db, 3)).toBeUndefined();
  });

  it('reports a failed ack and goes on', async () => {
    const failures: CacheSyncFailure[] = [];
    const acked: number[] = [];
    const { bridge, emit } = fakeBridge({
      ackBatch: async (id) => {
        acked.push(id);
        if (acked.length === 1) throw new Error('IPC down');
      },
    });
    stop = startCacheSync(db, bridge, { onError: (failure) => failures.push(failure) });
    const first = putBatch(message(INBOX, 1));
    const second = putBatch(message(INBOX, 2));

    emit(first);
    emit(second);
    await vi.waitFor(() => expect(acked).toEqual([first.id, second.id]));
    expect(failures).toEqual([
      { phase: 'ack', batchId: first.id, error: new Error('IPC down'), halted: false },
    ]);
  });

  it('does not attach when the cache cannot be read, and reports it', async () => {
    const failures: CacheSyncFailure[] = [];
    const { bridge, attached, emit } = fakeBridge();
    db.close();

    stop = startCacheSync(db, bridge, { onError: (failure) => failures.push(failure) });
    await vi.waitFor(() => expect(failures).toHaveLength(1));
    emit(putBatch(message(INBOX, 1)));
    await settle();

    expect(failures[0]).toMatchObject({ phase: 'attach', halted: true });
    expect(attached).toEqual([]);
    expect(applyBatch).not.toHaveBeenCalled();
  });

  it('stops: unsubscribes and ignores batches still queued', async () => {
    const { bridge, log, acks, emit } = fakeBridge();
    stop = startCacheSync(db, bridge);
    const gate = deferred();
    vi.mocked(applyBatch).mockImplementationOnce(async (target, changes) => {
      await gate.promise;
      await realApplyBatch(target, changes);
    });
    const inFlight = putBatch(message(INBOX, 1));
    const queued = putBatch(message(INBOX, 2));

    emit(inFlight);
    emit(queued);
    await vi.waitFor(() => expect(applyBatch).toHaveBeenCalledTimes(1));
    stop();
    gate.resolve();
    await settle();

    expect(log).toContain('off:changeBatch');
    expect(applyBatch).toHaveBeenCalledTimes(1);
    expect(acks).toEqual([]);
    expect(await subjectOf(db, 2)).toBeUndefined();
  });
});
