/**
 * The task queue. A user's intent (a `MailTask`) is written with its local effect in one
 * transaction, so the UI shows it at once and a crash keeps both or neither. A runner hands queued
 * tasks to main one at a time, in order, and settles each: done (dropped from the queue),
 * refused for good (effect undone, reason reported) or not now (kept, tried again later). The
 * queue is in IndexedDB, so it survives restarts and offline periods.
 */
import { liveQuery } from 'dexie';
import type { PetrelBridge } from '#shared/contract';
import { messageRowId, type MessageRow } from '#shared/mail';
import {
  changeFlags,
  hasFlag,
  permanentFailure,
  transientFailure,
  type MailTask,
  type SetFlagsTask,
  type TaskFailure,
  type TaskResult,
} from '#shared/tasks';
import type { FlagUndo, PetrelDb, TaskRow, TaskUndo } from './db.ts';
import { pendingFlagEffects, withPendingFlags } from './pending-effects.ts';

export const SEEN = '\\Seen';
export const FLAGGED = '\\Flagged';
/** A large selection becomes several tasks, so that no task row grows without bound. */
export const MAX_UIDS_PER_TASK = 5_000;
export const DEFAULT_RETRY_INTERVAL_MS = 30_000;

// ---- for the UI ----

/**
 * Marks messages read (or unread): one setFlags task per folder, for the rows that are not so
 * already. Rows of a folder the cache has no checkpoint for are left alone (their UIDs cannot be
 * tagged with a UIDVALIDITY). Resolves with the number of tasks queued, once they are written.
 */
export function markRead(db: PetrelDb, rowIds: readonly string[], read: boolean): Promise<number> {
  return setFlagOn(db, rowIds, SEEN, read);
}

/** Flags (or unflags) messages; as `markRead`. */
export function setFlagged(
  db: PetrelDb,
  rowIds: readonly string[],
  flagged: boolean,
): Promise<number> {
  return setFlagOn(db, rowIds, FLAGGED, flagged);
}

async function setFlagOn(
  db: PetrelDb,
  rowIds: readonly string[],
  flag: string,
  on: boolean,
): Promise<number> {
  return db.transaction('rw', [db.messages, db.checkpoints, db.tasks], async () => {
    const byFolder = new Map<string, MessageRow[]>();
    for (const row of await db.messages.bulkGet([...rowIds])) {
      if (!row || hasFlag(row.flags, flag) === on) continue;
      const rows = byFolder.get(row.folderId);
      if (rows) rows.push(row);
      else byFolder.set(row.folderId, [row]);
    }
    let queued = 0;
    for (const [folderId, rows] of byFolder) {
      const checkpoint = await db.checkpoints.get(folderId);
      const accountId = rows[0]?.accountId;
      if (!checkpoint || accountId === undefined) continue;
      const uids = rows.map((row) => row.uid);
      for (let i = 0; i < uids.length; i += MAX_UIDS_PER_TASK) {
        await enqueueTask(db, {
          type: 'setFlags',
          accountId,
          folderId,
          uidValidity: checkpoint.uidValidity,
          uids: uids.slice(i, i + MAX_UIDS_PER_TASK),
          ...(on ? { add: [flag] } : { remove: [flag] }),
        });
        queued++;
      }
    }
    return queued;
  });
}

// ---- the queue ----

/**
 * Writes `task`'s local effect and queues it, in one transaction: both or neither. Rejects if the
 * cache's folder is not at the task's UIDVALIDITY (its rows would be other messages). Resolves
 * with the task's id.
 */
export function enqueueTask(db: PetrelDb, task: MailTask): Promise<number> {
  return db.transaction('rw', [db.messages, db.checkpoints, db.tasks], async () => {
    const checkpoint = await db.checkpoints.get(task.folderId);
    if (checkpoint?.uidValidity !== task.uidValidity) {
      throw new Error(`${task.folderId} is not at UIDVALIDITY ${task.uidValidity} in the cache`);
    }
    const undo = await applyLocally(db, task);
    return db.tasks.add({
      folderId: task.folderId,
      task,
      undo,
      createdAt: Date.now(),
      attempts: 0,
    });
  });
}

/** Main carried the task out: it leaves the queue (the server's state follows through sync). */
export async function completeTask(db: PetrelDb, id: number): Promise<void> {
  await db.tasks.delete(id);
}

/**
 * Main refused the task for good: drops it and undoes its local effect, unless its folder changed
 * UIDVALIDITY meanwhile (the rows are other messages then). Resolves with the task, or undefined
 * if it was no longer queued (its account was removed meanwhile).
 */
export function rollBackTask(db: PetrelDb, id: number): Promise<TaskRow | undefined> {
  return db.transaction('rw', [db.messages, db.checkpoints, db.tasks], async () => {
    const row = await db.tasks.get(id);
    if (!row) return undefined;
    await db.tasks.delete(id);
    const checkpoint = await db.checkpoints.get(row.folderId);
    if (checkpoint?.uidValidity === row.task.uidValidity) await undoLocally(db, row);
    return row;
  });
}

async function applyLocally(db: PetrelDb, task: MailTask): Promise<TaskUndo> {
  switch (task.type) {
    case 'setFlags':
      return { flags: await setFlagsLocally(db, task) };
  }
}

async function undoLocally(db: PetrelDb, row: TaskRow): Promise<void> {
  if (row.undo.flags?.length) await undoFlags(db, row.folderId, row.undo.flags);
}

/** Changes the flags of the rows the task names; records, per row, what actually changed. */
async function setFlagsLocally(db: PetrelDb, task: SetFlagsTask): Promise<FlagUndo[]> {
  const rows = await db.messages.bulkGet(task.uids.map((uid) => messageRowId(task.folderId, uid)));
  const changed: MessageRow[] = [];
  const undo: FlagUndo[] = [];
  for (const row of rows) {
    if (!row) continue;
    const flags = changeFlags(row.flags, task);
    const added = flags.filter((flag) => !hasFlag(row.flags, flag));
    const removed = row.flags.filter((flag) => !hasFlag(flags, flag));
    if (added.length === 0 && removed.length === 0) continue;
    changed.push({ ...row, flags });
    undo.push({ rowId: row.id, added, removed });
  }
  await db.messages.bulkPut(changed);
  return undo;
}

/**
 * Takes back exactly what the task changed, so that changes from the server since stay; then lays
 * the tasks still queued over again (a later task may have changed the same flag).
 */
async function undoFlags(db: PetrelDb, folderId: string, undo: FlagUndo[]): Promise<void> {
  const effects = await pendingFlagEffects(db, [folderId]);
  const rows = await db.messages.bulkGet(undo.map((entry) => entry.rowId));
  const changed: MessageRow[] = [];
  undo.forEach((entry, index) => {
    const row = rows[index];
    if (!row) return;
    const reverted = changeFlags(row.flags, { add: entry.removed, remove: entry.added });
    const flags = withPendingFlags(reverted, effects.get(row.id));
    if (flags.length !== row.flags.length || flags.some((flag) => !hasFlag(row.flags, flag))) {
      changed.push({ ...row, flags });
    }
  });
  await db.messages.bulkPut(changed);
}

// ---- the runner ----

/** The part of the bridge the runner uses. */
export type TaskRunnerBridge = Pick<PetrelBridge, 'performTask' | 'on'>;

export interface TaskRunnerOptions {
  /** Main refused a task for good; its local effect is undone already. */
  onFailed?: (reason: string, task: MailTask) => void;
  /** Reading or writing the queue failed; the runner goes on at its next wake-up. */
  onError?: (error: unknown) => void;
  /** How often tasks put off by a transient failure are tried again (ms). */
  retryIntervalMs?: number;
}

/** Tasks handed to main and not settled yet, by any runner of this window (`db name#id`). */
const inFlight = new Set<string>();

/**
 * Starts the runner and returns its stop function. It drains the queue when tasks are added
 * (from any window: Dexie's live queries see other windows' writes), every `retryIntervalMs`, and
 * when an account whose tasks were put off is connected again. Tasks of one account run in queue
 * order: after a transient failure, the account's later tasks wait too; other accounts go on.
 * A task handed to main before `stop` is still settled after it.
 */
export function startTaskRunner(
  db: PetrelDb,
  bridge: TaskRunnerBridge,
  options: TaskRunnerOptions = {},
): () => void {
  const onFailed = options.onFailed ?? (() => {});
  const onError = options.onError ?? ((error) => console.error('Task runner failed', error));
  /** Accounts whose last task failed for now: left alone until the next retry. */
  const putOff = new Set<string>();
  let stopped = false;
  let draining = false;
  let again = false;

  const settle = async (row: TaskRow, result: TaskResult): Promise<void> => {
    if (result.ok) return completeTask(db, row.id);
    if (result.permanent) {
      if (await rollBackTask(db, row.id)) onFailed(result.reason, row.task);
      return;
    }
    putOff.add(row.task.accountId);
    await db.tasks.update(row.id, { attempts: row.attempts + 1, lastError: result.reason });
  };

  const pass = async (): Promise<void> => {
    const skip = new Set(putOff);
    for (const row of await db.tasks.toArray()) {
      const accountId = row.task.accountId;
      if (stopped) return;
      if (skip.has(accountId)) continue;
      const key = `${db.name}#${row.id}`;
      // A previous runner of this window still waits for it: keep the account's order.
      if (inFlight.has(key)) {
        skip.add(accountId);
        continue;
      }
      inFlight.add(key);
      try {
        await settle(row, await perform(bridge, row.task));
      } finally {
        inFlight.delete(key);
      }
      if (putOff.has(accountId)) skip.add(accountId);
    }
  };

  const drain = async (): Promise<void> => {
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    try {
      do {
        again = false;
        await pass();
      } while (again && !stopped);
    } catch (error) {
      onError(error);
    } finally {
      draining = false;
    }
  };

  const retry = (): void => {
    putOff.clear();
    void drain();
  };

  // Re-run on every write to the queue. (A live `primaryKeys()` over the whole table missed the
  // first add to an empty queue in Dexie 4.4.)
  const subscription = liveQuery(() => db.tasks.count()).subscribe({
    next: () => void drain(),
    error: onError,
  });
  const timer = setInterval(retry, options.retryIntervalMs ?? DEFAULT_RETRY_INTERVAL_MS);
  const unsubscribe = bridge.on('accountStatus', (status) => {
    const connected = status.state === 'idle' || status.state === 'syncing';
    if (connected && putOff.delete(status.accountId)) void drain();
  });

  return () => {
    stopped = true;
    subscription.unsubscribe();
    clearInterval(timer);
    unsubscribe();
  };
}

/** Main's answer; a call that failed says by its code whether to try again. */
async function perform(bridge: TaskRunnerBridge, task: MailTask): Promise<TaskResult> {
  try {
    return await bridge.performTask(task);
  } catch (error) {
    return failureOfCall(error);
  }
}

/**
 * `unavailable` (the host is gone) and `not-active` (another tab is the UI): later. Anything else
 * means main refused the call itself (an invalid task, a bug there): it would fail again.
 */
function failureOfCall(error: unknown): TaskFailure {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : '';
  const message = error instanceof Error ? error.message : String(error);
  return code === 'unavailable' || code === 'not-active'
    ? transientFailure(message)
    : permanentFailure(message);
}
