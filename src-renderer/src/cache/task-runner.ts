/**
 * Hands queued tasks to main one at a time and settles each: done (dropped from the queue),
 * refused for good (effect undone, reason reported) or not now (kept, tried again later). Also
 * keeps, per window, which tasks are being performed and which were done lately, so that an undo
 * can wait for the one in flight and reverse the ones done (`task-undo.ts`).
 */
import { liveQuery } from 'dexie';
import type { PetrelBridge } from '#shared/contract';
import {
  permanentFailure,
  transientFailure,
  type MailTask,
  type MovedTo,
  type TaskFailure,
  type TaskResult,
} from '#shared/tasks';
import { errorMessage } from '#shared/result';
import type { PetrelDb, TaskRow } from './db.ts';
import { completeTask, rollBackTask } from './task-queue.ts';

/**
 * The first retry after a failure for now; each further failure of the account doubles it. Short:
 * many such failures pass at once (a folder busy with a sync); a server that stays away is soon
 * tried only every few minutes, and a reconnection retries at once anyway.
 */
export const DEFAULT_RETRY_INTERVAL_MS = 1_000;
/** The longest wait between retries (backoff cap). */
export const MAX_RETRY_INTERVAL_MS = 5 * 60_000;

/** The part of the bridge the runner uses. */
export type TaskRunnerBridge = Pick<PetrelBridge, 'performTask' | 'on'>;

/** Main's answer to a task it carried out. */
export type TaskDone = { ok: true; movedTo?: MovedTo };

export interface TaskRunnerOptions {
  /** Main refused a task for good; its local effect is undone already. */
  onFailed?: (reason: string, task: MailTask) => void;
  /** Main carried a task out (it has left the queue); `undoTask(db, taskId)` can reverse it. */
  onDone?: (task: MailTask, result: TaskDone, taskId: number) => void;
  /** Reading or writing the queue failed; the runner goes on at its next wake-up. */
  onError?: (error: unknown) => void;
  /**
   * The wait before tasks put off by a transient failure are tried again (ms); it doubles with
   * each further failure of the account, up to `maxRetryIntervalMs`.
   */
  retryIntervalMs?: number;
  maxRetryIntervalMs?: number;
}

// ---- what this window knows about tasks, by `db name#id` (ids are never reused) ----

/** Tasks handed to main and not settled yet, by any runner of this window: settled when done. */
const inFlight = new Map<string, Promise<void>>();
/** Tasks an undo is taking back: never handed to main. */
const claimed = new Set<string>();
/** Tasks done lately, for an undo; the oldest are forgotten. */
const doneLately = new Map<string, { task: MailTask; result: TaskDone }>();
const DONE_KEPT = 200;

const keyOf = (db: PetrelDb, id: number): string => `${db.name}#${id}`;

/**
 * Waits until no runner of this window is performing the task, then makes sure none starts to,
 * until the returned release is called (never, if the task is gone for good).
 */
export async function claimTask(db: PetrelDb, id: number): Promise<() => void> {
  const key = keyOf(db, id);
  for (let running = inFlight.get(key); running; running = inFlight.get(key)) await running;
  // No await between the check above and this: a runner checks `claimed` just as synchronously.
  claimed.add(key);
  return () => claimed.delete(key);
}

/** The task and main's answer, if it was done lately in this window (taken: undone once). */
export function takeDone(
  db: PetrelDb,
  id: number,
): { task: MailTask; result: TaskDone } | undefined {
  const key = keyOf(db, id);
  const done = doneLately.get(key);
  doneLately.delete(key);
  return done;
}

function rememberDone(db: PetrelDb, id: number, task: MailTask, result: TaskDone): void {
  doneLately.set(keyOf(db, id), { task, result });
  for (const key of doneLately.keys()) {
    if (doneLately.size <= DONE_KEPT) break;
    doneLately.delete(key);
  }
}

// ---- the runner ----

/**
 * Starts the runner and returns its stop function. It drains the queue when tasks are added
 * (from any window: Dexie's live queries see other windows' writes), when a held-back task is due,
 * and when an account's tasks put off by a failure for now may be tried again: after a backoff
 * (`retryIntervalMs`, doubled with each failure in a row, up to `maxRetryIntervalMs`), or at once
 * when the account connects again.
 *
 * Order: tasks of one account run one at a time, in queue order; after a transient failure the
 * account's later tasks wait too, other accounts go on. A transfer also waits for earlier tasks of
 * its target account (a folder it goes to may be queued for creation there). A task stays queued
 * until it is settled, so one handed to main right before a reload or a crash is handed again
 * afterwards: main makes a repeated task a no-op. A task handed to main before `stop` is still
 * settled after it.
 */
export function startTaskRunner(
  db: PetrelDb,
  bridge: TaskRunnerBridge,
  options: TaskRunnerOptions = {},
): () => void {
  const onFailed = options.onFailed ?? (() => {});
  const onDone = options.onDone ?? (() => {});
  const onError = options.onError ?? ((error) => console.error('Task runner failed', error));
  const firstRetry = options.retryIntervalMs ?? DEFAULT_RETRY_INTERVAL_MS;
  const maxRetry = Math.max(firstRetry, options.maxRetryIntervalMs ?? MAX_RETRY_INTERVAL_MS);
  /**
   * Accounts whose last task failed for now: left alone until `until` (backoff: the wait doubles
   * with each failure in a row), or until a status says the account is connected.
   */
  const putOff = new Map<string, { failures: number; until: number }>();
  let stopped = false;
  let draining = false;
  let again = false;

  const settle = async (row: TaskRow, result: TaskResult): Promise<void> => {
    if (result.ok) {
      putOff.delete(row.task.accountId);
      await completeTask(db, row.id);
      rememberDone(db, row.id, row.task, result);
      onDone(row.task, result, row.id);
      return;
    }
    if (result.permanent) {
      putOff.delete(row.task.accountId);
      if (await rollBackTask(db, row.id)) onFailed(result.reason, row.task);
      return;
    }
    const failures = (putOff.get(row.task.accountId)?.failures ?? 0) + 1;
    const wait = Math.min(maxRetry, firstRetry * 2 ** (failures - 1));
    putOff.set(row.task.accountId, { failures, until: Date.now() + wait });
    await db.transaction('rw', db.tasks, async () => {
      // Read again: sync may have updated the task's copies of the rows it took away meanwhile.
      // (Not `update`: Dexie's key-path type of those rows is too deep for the compiler.)
      const stored = await db.tasks.get(row.id);
      if (!stored) return;
      await db.tasks.put({
        ...stored,
        attempts: stored.attempts + 1,
        lastError: result.reason,
        failingSince: stored.failingSince ?? Date.now(),
      });
    });
  };

  const run = async (row: TaskRow, key: string): Promise<void> => {
    let settled = () => {};
    inFlight.set(key, new Promise<void>((resolve) => (settled = resolve)));
    try {
      await settle(row, await perform(bridge, row.task));
    } finally {
      inFlight.delete(key);
      settled();
    }
  };

  const pass = async (): Promise<void> => {
    const skip = new Set<string>();
    for (const [accountId, { until }] of putOff) {
      if (until <= Date.now()) continue;
      skip.add(accountId);
      wakeAt(until);
    }
    // Rows are read one at a time, when their turn comes: fresh (an undo may have taken one
    // back meanwhile) and without loading every task's undo data at once.
    for (const id of await db.tasks.toCollection().primaryKeys()) {
      if (stopped) return;
      const row = await db.tasks.get(id);
      if (!row || stopped) continue;
      const { task } = row;
      const key = keyOf(db, id);
      if (row.notBefore !== undefined && row.notBefore > Date.now()) {
        // Held back (undo send): the account's later tasks wait behind it, in order.
        skip.add(task.accountId);
        wakeAt(row.notBefore);
        continue;
      }
      const waits =
        skip.has(task.accountId) ||
        (task.type === 'transferMessages' && skip.has(task.targetAccountId)) ||
        // A runner of this window still waits for it, or an undo takes it back.
        inFlight.has(key) ||
        claimed.has(key);
      if (waits) {
        skip.add(task.accountId);
        continue;
      }
      await run(row, key);
      const backoff = putOff.get(task.accountId);
      if (backoff && backoff.until > Date.now()) {
        skip.add(task.accountId);
        wakeAt(backoff.until);
      }
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

  let wakeTimer: ReturnType<typeof setTimeout> | undefined;
  let wakeTime = Infinity;
  /** Drains again when a held-back task is due (the earliest one wins). */
  const wakeAt = (time: number): void => {
    if (time >= wakeTime) return;
    clearTimeout(wakeTimer);
    wakeTime = time;
    wakeTimer = setTimeout(() => {
      wakeTime = Infinity;
      void drain();
    }, time - Date.now());
  };

  // Re-run on every write to the queue. (A live `primaryKeys()` over the whole table missed the
  // first add to an empty queue in Dexie 4.4.)
  const subscription = liveQuery(() => db.tasks.count()).subscribe({
    next: () => void drain(),
    error: onError,
  });
  const unsubscribe = bridge.on('accountStatus', (status) => {
    // Connected (again, or a poll's status): a failure for now may have passed; try at once.
    const isConnected = status.state === 'idle' || status.state === 'syncing';
    if (isConnected && putOff.delete(status.accountId)) void drain();
  });

  return () => {
    stopped = true;
    subscription.unsubscribe();
    clearTimeout(wakeTimer);
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
  const message = errorMessage(error);
  return code === 'unavailable' || code === 'not-active'
    ? transientFailure(message)
    : permanentFailure(message);
}
