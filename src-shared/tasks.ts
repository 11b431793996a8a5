/**
 * User intent as data. The renderer writes a task's local effect and the queued task in one
 * transaction, then hands the task to main (`performTask`), which carries it out on the server and
 * says how it went. Every UID is tagged with its folder's UIDVALIDITY: under another UIDVALIDITY
 * the same number names another message, so such a task is refused, never replayed.
 */
import type { Address } from './mail.ts';

/** Adds and removes flags (\Seen, \Flagged, keywords) on messages of one folder. */
export interface SetFlagsTask {
  type: 'setFlags';
  accountId: string;
  folderId: string;
  /** The folder's UIDVALIDITY the UIDs belong to (from the cache's checkpoint). */
  uidValidity: number;
  uids: number[];
  add?: string[];
  remove?: string[];
}

/** Why messages move: what the UI says, and what an undo says back. */
export type MoveReason = 'move' | 'archive' | 'trash' | 'junk' | 'notJunk';

/**
 * Moves messages to another folder of the same account: UID MOVE where offered, else UID COPY
 * and, only once the copy succeeded, UID EXPUNGE of exactly those UIDs (UIDPLUS); without UIDPLUS
 * the originals are only flagged \Deleted (never a folder-wide EXPUNGE).
 */
export interface MoveMessagesTask {
  type: 'moveMessages';
  accountId: string;
  folderId: string;
  uidValidity: number;
  uids: number[];
  targetFolderId: string;
  reason: MoveReason;
}

/** Deletes messages for good (in Trash, after the user confirmed): \Deleted + UID EXPUNGE of them. */
export interface DeleteMessagesTask {
  type: 'deleteMessages';
  accountId: string;
  folderId: string;
  uidValidity: number;
  uids: number[];
}

/**
 * Moves messages to a folder of another account: each is APPENDed to the target (skipped when a
 * message with its Message-ID is there already), verified there (APPENDUID, else a search by
 * Message-ID), and only then removed from the source (\Deleted + UID EXPUNGE of its UID).
 */
export interface TransferMessagesTask {
  type: 'transferMessages';
  accountId: string;
  folderId: string;
  uidValidity: number;
  uids: number[];
  targetAccountId: string;
  targetFolderId: string;
}

/** Creates a folder (the path in the server's own delimiter, e.g. "Projects/2026"). */
export interface CreateFolderTask {
  type: 'createFolder';
  accountId: string;
  path: string;
}

/** Renames a folder (its subfolders follow, as IMAP RENAME does). */
export interface RenameFolderTask {
  type: 'renameFolder';
  accountId: string;
  folderId: string;
  newPath: string;
}

/** Deletes a folder with its messages (and its subfolders, deepest first). */
export interface DeleteFolderTask {
  type: 'deleteFolder';
  accountId: string;
  folderId: string;
}

/** An attachment of an outgoing message: its bytes inline, never a path or a URL to read. */
export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  dataBase64: string;
}

/** A message to send, as the composer finished it. */
export interface OutgoingMessage {
  /** `<…@domain>`, fixed by the renderer once and kept on every retry (replays are found by it). */
  messageId: string;
  from: Address;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  subject: string;
  text?: string;
  html?: string;
  inReplyTo?: string;
  references?: string[];
  attachments?: OutgoingAttachment[];
  /** Epoch milliseconds for the Date header; when absent, main's clock at the first build. */
  date?: number;
}

/**
 * Sends a message over the account's SMTP server and keeps one copy of it in the Sent folder.
 * Replays are safe: before sending, main looks in Sent for the Message-ID, and a copy there means
 * the message went out already (the task succeeds without sending again). So every attempt of
 * one outbox entry must carry the same Message-ID.
 */
export interface SendMessageTask {
  type: 'sendMessage';
  accountId: string;
  /** The renderer's id of the outbox entry. */
  outboxId: string;
  message: OutgoingMessage;
}

/**
 * Keeps one copy of a draft in the account's Drafts folder (\Drafts, else "Drafts", created when
 * the account has none): APPENDs this version (flagged \Draft \Seen, with its Bcc), then removes
 * every other message there with the same Message-ID. The draft and the message eventually sent
 * share that Message-ID. `revision` names this version: a replay finds it already there and
 * appends nothing, so a save performed twice still leaves exactly one copy.
 */
export interface SaveDraftTask {
  type: 'saveDraft';
  accountId: string;
  /** The composer's id of the draft (its local draft row). */
  outboxId: string;
  /** Made once per queued version (letters, digits, "-"), carried in an X-Petrel-Draft header. */
  revision: string;
  /** The draft as it would be sent; recipients may be missing. */
  message: OutgoingMessage;
}

/** Removes a draft from the account's Drafts folder: every message there with this Message-ID. */
export interface DeleteDraftTask {
  type: 'deleteDraft';
  accountId: string;
  messageId: string;
}

export type DraftTask = SaveDraftTask | DeleteDraftTask;

/** Tasks on messages of one folder: their UIDs carry that folder's UIDVALIDITY. */
export type MessageTask =
  SetFlagsTask | MoveMessagesTask | DeleteMessagesTask | TransferMessagesTask;
export type FolderTask = CreateFolderTask | RenameFolderTask | DeleteFolderTask;

/** Every kind of task; `type` is a verb-noun discriminant. */
export type MailTask = MessageTask | FolderTask | SendMessageTask | DraftTask;
export type MailTaskType = MailTask['type'];

/**
 * Where moved messages landed (COPYUID / APPENDUID), so that an undo can move exactly them back.
 * Pairs are [source UID, target UID]; absent when the server did not say.
 */
export interface MovedTo {
  folderId: string;
  uidValidity: number;
  uids: [number, number][];
}

/** A task main could not carry out. */
export interface TaskFailure {
  ok: false;
  /**
   * True: it will never work (the folder changed, the server refused); undo the local effect.
   * False: not now (offline, connection down); keep it queued and try again later.
   */
  permanent: boolean;
  /** A phrase a person can read, to follow "Could not …: ", e.g. "the folder changed on the server". */
  reason: string;
}

/**
 * What became of a sent message's copy in Sent: APPENDed by Petrel, found there (the server saved
 * its own, or an earlier attempt did), or none (the account has no Sent folder, or saving failed:
 * `sentCopyProblem` says why).
 */
export type SentCopy = 'appended' | 'found' | 'none';

export interface TaskDone {
  ok: true;
  movedTo?: MovedTo;
  /** sendMessage only. */
  sentCopy?: SentCopy;
  /** sendMessage only: why there is no Sent copy although the account has a Sent folder. */
  sentCopyProblem?: string;
  /** sendMessage only: recipients the server refused while it took the others. */
  rejectedRecipients?: string[];
}

export type TaskResult = TaskDone | TaskFailure;

export const TASK_DONE: TaskResult = { ok: true };

export function permanentFailure(reason: string): TaskFailure {
  return { ok: false, permanent: true, reason };
}

export function transientFailure(reason: string): TaskFailure {
  return { ok: false, permanent: false, reason };
}

/** Said when a task's UIDVALIDITY is not the folder's any more. */
export const FOLDER_CHANGED = 'the folder changed on the server';

/**
 * A message's flags after a setFlags task: removals first, then additions. IMAP flags are
 * case-insensitive; the spelling already on the message is kept.
 */
export function changeFlags(
  flags: readonly string[],
  change: { add?: readonly string[]; remove?: readonly string[] },
): string[] {
  const removed = new Set((change.remove ?? []).map(lower));
  const next = flags.filter((flag) => !removed.has(lower(flag)));
  const present = new Set(next.map(lower));
  for (const flag of change.add ?? []) {
    if (present.has(lower(flag))) continue;
    present.add(lower(flag));
    next.push(flag);
  }
  return next;
}

/** Whether a message has a flag (IMAP flags are case-insensitive). */
export function hasFlag(flags: readonly string[], flag: string): boolean {
  const wanted = lower(flag);
  return flags.some((f) => lower(f) === wanted);
}

const lower = (flag: string): string => flag.toLowerCase();
