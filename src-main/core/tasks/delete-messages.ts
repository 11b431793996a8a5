/**
 * deleteMessages on the server, in the folder the client has selected: \Deleted, then UID EXPUNGE
 * of exactly those UIDs (UIDPLUS); without UIDPLUS only the flag (see removeMessages). Both are
 * harmless for UIDs that are gone already, so a replay is a no-op.
 */
import type { ImapFlow } from 'imapflow';
import { TASK_DONE, type DeleteMessagesTask, type TaskResult } from '#shared/tasks';
import { removeMessages, uidValidityMismatch } from './selected-folder.ts';

/** Runs on a client with the task's folder selected (under its mailbox lock). */
export async function deleteMessages(
  client: ImapFlow,
  task: DeleteMessagesTask,
): Promise<TaskResult> {
  const mismatch = uidValidityMismatch(client, task.uidValidity);
  if (mismatch) return mismatch;
  await removeMessages(client, task.uids);
  return TASK_DONE;
}
