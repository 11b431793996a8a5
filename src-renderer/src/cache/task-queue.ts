/**
 * The task queue in IndexedDB. A task is queued with its local effect in one transaction, so the
 * UI shows it at once and a crash keeps both or neither; settling it (done, or refused and rolled
 * back) is one transaction too. The queue's order (auto-incremented ids) is the order main
 * carries tasks out in, per account.
 */
import type { MailTask } from '#shared/tasks';
import type { PetrelDb, TaskRow } from './db.ts';
import { isMessageTask } from './pending-effects.ts';
import { applyLocally, folderOfTask, tidyAfterDone, undoLocally } from './task-effects.ts';

/**
 * Every table a task's local effect, its rollback or its tidying may touch, and the queue (local
 * drafts: a saved draft's row goes once the server has it and the composer is closed).
 */
export function taskScope(db: PetrelDb) {
  return [db.folders, db.messages, db.checkpoints, db.bodies, db.tasks, db.drafts];
}

/**
 * Writes `task`'s local effect and queues it, in one transaction: both or neither. Rejects if the
 * cache's folder is not at the task's UIDVALIDITY (its rows would be other messages), or if the
 * effect cannot be had (a folder task on a folder that is not there, a name taken). Resolves with
 * the task's id.
 */
export function enqueueTask(db: PetrelDb, task: MailTask): Promise<number> {
  return queueTask(db, task, false);
}

/**
 * As `enqueueTask`; with `unsyncedFolderOk`, a message task on a folder the cache has no
 * checkpoint for is queued too (an undo's reverse move from a target not synced yet: main said
 * which UIDVALIDITY its UIDs belong to).
 */
export function queueTask(
  db: PetrelDb,
  task: MailTask,
  unsyncedFolderOk: boolean,
  extra: Pick<TaskRow, 'notBefore'> = {},
): Promise<number> {
  return db.transaction('rw', taskScope(db), async () => {
    if (isMessageTask(task)) {
      const checkpoint = await db.checkpoints.get(task.folderId);
      const known = checkpoint ? checkpoint.uidValidity === task.uidValidity : unsyncedFolderOk;
      if (!known) {
        throw new Error(`${task.folderId} is not at UIDVALIDITY ${task.uidValidity} in the cache`);
      }
    }
    const effect = await applyLocally(db, task);
    return db.tasks.add({
      folderId: folderOfTask(task),
      task,
      ...effect,
      createdAt: Date.now(),
      attempts: 0,
      ...extra,
    });
  });
}

/**
 * Main carried the task out: it leaves the queue (the server's state follows through sync), and
 * the bodies of messages it took away go.
 */
export function completeTask(db: PetrelDb, id: number): Promise<void> {
  return db.transaction('rw', taskScope(db), async () => {
    const row = await db.tasks.get(id);
    if (!row) return;
    await db.tasks.delete(id);
    await tidyAfterDone(db, row);
  });
}

/**
 * Main refused the task for good (or the user took it back before main had it): drops it and
 * undoes its local effect, unless its folder changed UIDVALIDITY meanwhile (the rows are other
 * messages then). Resolves with the task, or undefined if it was no longer queued (done, or its
 * account was removed meanwhile).
 */
export function rollBackTask(db: PetrelDb, id: number): Promise<TaskRow | undefined> {
  return db.transaction('rw', taskScope(db), async () => {
    const row = await db.tasks.get(id);
    if (!row) return undefined;
    await db.tasks.delete(id);
    await undoLocally(db, row);
    return row;
  });
}

/** What the UI says about the queue: "n changes waiting to be sent to the server" and why. */
export interface QueueStatus {
  waiting: number;
  /** The oldest task failed for now at least once: the last reason, and since when (ms). */
  stuck?: { reason: string; since: number };
}

/** For `useLiveQuery(() => queueStatus(db))`: reads the count and the oldest task only. */
export function queueStatus(db: PetrelDb): Promise<QueueStatus> {
  return db.transaction('r', db.tasks, async () => {
    const [waiting, oldest] = await Promise.all([
      db.tasks.count(),
      db.tasks.orderBy(':id').first(),
    ]);
    if (!oldest || oldest.attempts === 0) return { waiting };
    const stuck = {
      reason: oldest.lastError ?? 'not sent yet',
      since: oldest.failingSince ?? oldest.createdAt,
    };
    return { waiting, stuck };
  });
}
