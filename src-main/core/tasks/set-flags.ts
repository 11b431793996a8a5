/**
 * setFlags on the server: UID STORE -FLAGS, then +FLAGS, in the folder the client has selected.
 * Both are idempotent, so a task replayed after a lost answer does no harm.
 */
import type { ImapFlow } from 'imapflow';
import {
  TASK_DONE,
  permanentFailure,
  transientFailure,
  type SetFlagsTask,
  type TaskResult,
} from '#shared/tasks';
import { toUidSet } from '#shared/uid-set';
import { uidValidityMismatch } from './selected-folder.ts';
import { SERVER_UNREACHABLE } from './task-errors.ts';

/** Runs on a client with `task`'s folder selected (under its mailbox lock). */
export async function storeFlags(client: ImapFlow, task: SetFlagsTask): Promise<TaskResult> {
  const mismatch = uidValidityMismatch(client, task.uidValidity);
  if (mismatch) return mismatch;
  const permanentFlags = client.mailbox ? client.mailbox.permanentFlags : undefined;
  const unkept = (task.add ?? []).find((flag) => !keepsFlag(permanentFlags, flag));
  if (unkept) return permanentFailure(`the server does not keep the flag ${unkept} in this folder`);
  const range = toUidSet(task.uids);
  const options = { uid: true, silent: true };
  // imapflow reports a failed STORE as `false`, never as an error.
  if (task.remove?.length && !(await client.messageFlagsRemove(range, task.remove, options))) {
    return refused(client);
  }
  if (task.add?.length && !(await client.messageFlagsAdd(range, task.add, options))) {
    return refused(client);
  }
  return TASK_DONE;
}

/** PERMANENTFLAGS: `\*` allows new keywords; without the list at all, everything is allowed. */
function keepsFlag(permanentFlags: Set<string> | undefined, flag: string): boolean {
  if (!permanentFlags) return true;
  const wanted = flag.toLowerCase();
  return [...permanentFlags].some((f) => f === '\\*' || f.toLowerCase() === wanted);
}

function refused(client: ImapFlow): TaskResult {
  return client.usable
    ? permanentFailure('the server refused to change the flags')
    : transientFailure(SERVER_UNREACHABLE);
}
