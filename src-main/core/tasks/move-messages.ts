/**
 * moveMessages on the server, in the folder the client has selected (the task's source):
 * UID MOVE where the server offers MOVE; otherwise UID COPY and, only once the copy succeeded,
 * the originals are flagged \Deleted and UID EXPUNGEd (UIDPLUS) — without UIDPLUS they stay,
 * flagged \Deleted, since a plain EXPUNGE would also remove what other clients flagged.
 *
 * Replays are no-ops: only UIDs still in the folder move. In the COPY fallback, originals already
 * flagged \Deleted are taken as copied by an earlier run (without UIDPLUS they stay that way), so
 * a replay never copies them twice; they are left as they are.
 */
import type { ImapFlow } from 'imapflow';
import { pathOfFolderId } from '#shared/mail';
import { TASK_DONE, type MoveMessagesTask, type TaskResult } from '#shared/tasks';
import { toUidSet } from '#shared/uid-set';
import { uidCopy, uidMove, type CopyUid } from '../imap/uid-commands.ts';
import { presentUids, removeMessages, uidValidityMismatch } from './selected-folder.ts';

/** Runs on a client with the task's source folder selected (under its mailbox lock). */
export async function moveMessages(client: ImapFlow, task: MoveMessagesTask): Promise<TaskResult> {
  const mismatch = uidValidityMismatch(client, task.uidValidity);
  if (mismatch) return mismatch;
  const target = pathOfFolderId(task.targetFolderId);
  if (client.capabilities.has('MOVE')) {
    const present = await presentUids(client, task.uids);
    if (!present.length) return TASK_DONE;
    return movedTo(task, await uidMove(client, toUidSet(present), target));
  }
  const toCopy = await presentUids(client, task.uids, { undeleted: true });
  if (!toCopy.length) return TASK_DONE;
  // A refused COPY (no such folder, quota) throws here: the originals stay untouched.
  const copied = await uidCopy(client, toUidSet(toCopy), target);
  await removeMessages(client, toCopy);
  return movedTo(task, copied);
}

/** Where the messages went, when the server said (COPYUID); an undo moves exactly those back. */
function movedTo(task: MoveMessagesTask, copyUid: CopyUid | undefined): TaskResult {
  if (!copyUid?.pairs.length) return TASK_DONE;
  return {
    ok: true,
    movedTo: {
      folderId: task.targetFolderId,
      uidValidity: copyUid.uidValidity,
      uids: copyUid.pairs,
    },
  };
}
