/**
 * The outbox: a message to send is a queued `sendMessage` task (the runner hands it to main,
 * which sends it once, keeping its Message-ID on every retry); one the server refused moves to the
 * `outbox` table with the reason, to be edited and sent again, or deleted. Nothing is lost: the
 * message is always in one of the two.
 */
import type { OutgoingMessage, SendMessageTask } from '#shared/tasks';
import type { OutboxRow, PetrelDb } from './db.ts';
import { outboxFolderId } from './task-effects.ts';
import { queueTask, taskScope } from './task-queue.ts';

/**
 * Queues a message for sending; a refused one of the same id leaves the outbox table, and its
 * local draft goes in the same transaction (main removes the server's draft once it is sent).
 */
export async function queueSend(
  db: PetrelDb,
  accountId: string,
  outboxId: string,
  message: OutgoingMessage,
  /** Held back this long (ms) so that "Undo" can still take it back unsent. */
  delayMs = 0,
): Promise<number> {
  const task: SendMessageTask = { type: 'sendMessage', accountId, outboxId, message };
  return db.transaction('rw', [...taskScope(db), db.outbox], async () => {
    const taskId = await queueTask(
      db,
      task,
      false,
      delayMs > 0 ? { notBefore: Date.now() + delayMs } : {},
    );
    await db.outbox.delete(outboxId);
    await db.drafts.delete(outboxId);
    return taskId;
  });
}

/** Main refused the message for good: keep it, with why, for the user to fix. */
export async function keepRefused(db: PetrelDb, task: SendMessageTask, reason: string) {
  const row: OutboxRow = {
    id: task.outboxId,
    accountId: task.accountId,
    message: task.message,
    error: reason,
    failedAt: Date.now(),
  };
  await db.outbox.put(row);
}

/** One line of the outbox view: waiting (with why, once it failed for now), or refused. */
export interface OutboxEntry {
  id: string;
  accountId: string;
  message: OutgoingMessage;
  state: 'waiting' | 'refused';
  /** The reason of the last failure (for now, or for good). */
  reason?: string;
  /** The queued task, while waiting. */
  taskId?: number;
}

/**
 * The outbox of these accounts. Queued sends are found through the tasks' folder index, so other
 * tasks (moves carry copies of the rows they took) are never read for it.
 */
export async function outboxEntries(
  db: PetrelDb,
  accountIds: readonly string[],
): Promise<OutboxEntry[]> {
  const [tasks, refused] = await Promise.all([
    db.tasks.where('folderId').anyOf(accountIds.map(outboxFolderId)).toArray(),
    db.outbox
      .where('accountId')
      .anyOf([...accountIds])
      .toArray(),
  ]);
  const waiting = tasks.flatMap((row): OutboxEntry[] =>
    row.task.type === 'sendMessage'
      ? [
          {
            id: row.task.outboxId,
            accountId: row.task.accountId,
            message: row.task.message,
            state: 'waiting',
            taskId: row.id,
            ...(row.lastError ? { reason: row.lastError } : {}),
          },
        ]
      : [],
  );
  // A message waits behind the account's first one that failed for now (tasks of an account run
  // in order): it waits for the same reason.
  const held = new Map<string, string>();
  for (const entry of waiting) {
    if (entry.reason && !held.has(entry.accountId)) held.set(entry.accountId, entry.reason);
    const reason = held.get(entry.accountId);
    if (!entry.reason && reason) entry.reason = reason;
  }
  return [
    ...waiting,
    ...refused.map((row): OutboxEntry => ({
      id: row.id,
      accountId: row.accountId,
      message: row.message,
      state: 'refused',
      reason: row.error,
    })),
  ];
}
