/**
 * One task on the server, given a client with the task's folder selected. Each kind of task has
 * its own module; this only picks it. Folder tasks (folder-tasks.ts) need no folder selected, and
 * transfers (transfer-messages.ts) two accounts.
 */
import type { ImapFlow } from 'imapflow';
import type { DeleteMessagesTask, MoveMessagesTask, SetFlagsTask, TaskResult } from '#shared/tasks';
import { deleteMessages } from './delete-messages.ts';
import { moveMessages } from './move-messages.ts';
import { storeFlags } from './set-flags.ts';

/** Tasks carried out inside the one folder their UIDs belong to. */
export type SelectedFolderTask = SetFlagsTask | MoveMessagesTask | DeleteMessagesTask;

export async function performOnSelectedFolder(
  client: ImapFlow,
  task: SelectedFolderTask,
): Promise<TaskResult> {
  switch (task.type) {
    case 'setFlags':
      return storeFlags(client, task);
    case 'moveMessages':
      return moveMessages(client, task);
    case 'deleteMessages':
      return deleteMessages(client, task);
  }
}
