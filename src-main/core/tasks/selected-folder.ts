/**
 * What every task on messages does first and last in the folder a client has selected: make sure
 * the task's UIDs still name the same messages, find which of them are still there, and remove
 * exactly those it is done with.
 */
import type { ImapFlow } from 'imapflow';
import {
  FOLDER_CHANGED,
  permanentFailure,
  transientFailure,
  type TaskFailure,
} from '#shared/tasks';
import { toUidSet } from '#shared/uid-set';
import { uidExpunge, uidMarkDeleted } from '../imap/uid-commands.ts';
import { SERVER_UNREACHABLE } from './task-errors.ts';

/** A failure when the selected folder is not the one the UIDs belong to; else undefined. */
export function uidValidityMismatch(
  client: ImapFlow,
  uidValidity: number,
): TaskFailure | undefined {
  const mailbox = client.mailbox;
  if (!mailbox) return transientFailure(SERVER_UNREACHABLE);
  // Under another UIDVALIDITY these UIDs name other messages: never touch them.
  if (mailbox.uidValidity !== BigInt(uidValidity)) return permanentFailure(FOLDER_CHANGED);
  return undefined;
}

/**
 * Which of `uids` the folder still holds (ascending). A task replayed after its messages went
 * (moved here before a crash, or by another client) finds fewer, or none: that is not an error.
 * `undeleted` leaves out those flagged \Deleted.
 */
export async function presentUids(
  client: ImapFlow,
  uids: readonly number[],
  options: { undeleted?: boolean } = {},
): Promise<number[]> {
  const query = options.undeleted
    ? { uid: toUidSet(uids), deleted: false }
    : { uid: toUidSet(uids) };
  const found = await client.search(query, { uid: true });
  // imapflow answers a refused SEARCH with false (a dropped connection throws).
  if (!Array.isArray(found)) throw new Error('the server refused to search the folder');
  return [...found].sort((a, b) => a - b);
}

/**
 * Removes exactly these messages: \Deleted, then UID EXPUNGE of them when the server has UIDPLUS.
 * Without UIDPLUS they stay, flagged \Deleted: a plain EXPUNGE would also remove messages other
 * clients flagged, which is not ours to decide. Resolves whether they are gone for good.
 */
export async function removeMessages(client: ImapFlow, uids: readonly number[]): Promise<boolean> {
  if (!uids.length) return true;
  const set = toUidSet(uids);
  await uidMarkDeleted(client, set);
  if (!client.capabilities.has('UIDPLUS')) return false;
  await uidExpunge(client, set);
  return true;
}
