/**
 * One task on the server, given a client with the task's folder selected. Each kind of task has
 * its own module; this only picks it.
 */
import type { ImapFlow } from 'imapflow';
import type { MailTask, TaskResult } from '#shared/tasks';
import { storeFlags } from './set-flags.ts';

export async function performOnSelectedFolder(
  client: ImapFlow,
  task: MailTask,
): Promise<TaskResult> {
  switch (task.type) {
    case 'setFlags':
      return storeFlags(client, task);
  }
}
