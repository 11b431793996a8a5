/**
 * Undo, for the UI's "Undo" after a move (or a flag change). A task main has not been given is
 * simply taken back: nothing reaches the server. One main is performing is waited for. One main
 * carried out is reversed by a new task: a move goes back from where main said the messages
 * landed (`movedTo`: target UIDs and UIDVALIDITY) to the folder they came from, with their flags
 * (MOVE keeps them). Deleting for good, transfers between accounts and folder tasks are not
 * reversed once done.
 */
import { FOLDER_CHANGED, type MailTask, type MoveReason } from '#shared/tasks';
import type { PetrelDb } from './db.ts';
import { isMessageTask } from './pending-effects.ts';
import { queueTask, rollBackTask } from './task-queue.ts';
import { claimTask, takeDone, type TaskDone } from './task-runner.ts';

export type UndoResult =
  /** It was still queued: taken out of the queue and its local effect rolled back. */
  | { kind: 'cancelled' }
  /** It was done: its reverse is queued, as this task. */
  | { kind: 'reversed'; taskId: number }
  /** Nothing was undone: unknown here (failed and rolled back already, or done before a reload), or why not. */
  | { kind: 'none'; reason?: string };

/**
 * Undoes task `taskId` (an id a queueing helper resolved with). Undo the tasks of one action in
 * reverse order. Resolves once the queue says so (the reverse is queued, not done yet).
 */
export async function undoTask(db: PetrelDb, taskId: number): Promise<UndoResult> {
  const release = await claimTask(db, taskId);
  let cancelled = false;
  try {
    cancelled = (await rollBackTask(db, taskId)) !== undefined;
  } finally {
    // A task taken back stays claimed: its id never comes back.
    if (!cancelled) release();
  }
  if (cancelled) return { kind: 'cancelled' };
  const done = takeDone(db, taskId);
  return done ? queueReverse(db, done.task, done.result) : { kind: 'none' };
}

/** Undoes the tasks of one action, last first. */
export async function undoTasks(db: PetrelDb, taskIds: readonly number[]): Promise<UndoResult[]> {
  const results: UndoResult[] = [];
  for (const id of [...taskIds].reverse()) results.unshift(await undoTask(db, id));
  return results;
}

async function queueReverse(db: PetrelDb, task: MailTask, result: TaskDone): Promise<UndoResult> {
  const reverse = reverseOf(task, result);
  if ('reason' in reverse) return { kind: 'none', reason: reverse.reason };
  const { task: back } = reverse;
  if (isMessageTask(back)) {
    const checkpoint = await db.checkpoints.get(back.folderId);
    if (checkpoint && checkpoint.uidValidity !== back.uidValidity) {
      return { kind: 'none', reason: FOLDER_CHANGED };
    }
  }
  return { kind: 'reversed', taskId: await queueTask(db, back, true) };
}

/** The task that takes a done task back, or why there is none. */
export function reverseOf(
  task: MailTask,
  result: TaskDone,
): { task: MailTask } | { reason: string } {
  switch (task.type) {
    case 'setFlags': {
      const { add, remove, ...rest } = task;
      return { task: { ...rest, ...(remove && { add: remove }), ...(add && { remove: add }) } };
    }
    case 'moveMessages': {
      const { movedTo } = result;
      if (!movedTo?.uids.length)
        return { reason: 'the server did not say where the messages went' };
      return {
        task: {
          type: 'moveMessages',
          accountId: task.accountId,
          folderId: movedTo.folderId,
          uidValidity: movedTo.uidValidity,
          uids: movedTo.uids.map(([, target]) => target),
          targetFolderId: task.folderId,
          reason: REVERSE_REASON[task.reason],
        },
      };
    }
    case 'deleteMessages':
      return { reason: 'deleted messages cannot be brought back' };
    default:
      return { reason: 'this change cannot be undone once made' };
  }
}

const REVERSE_REASON: Record<MoveReason, MoveReason> = {
  move: 'move',
  archive: 'move',
  trash: 'move',
  junk: 'notJunk',
  notJunk: 'junk',
};
