/**
 * transferMessages: moving messages to a folder of another account. IMAP cannot copy between
 * servers, so each message is downloaded whole (raw bytes, flags, INTERNALDATE), uploaded to the
 * target (APPEND keeps the bytes), verified there, and only then removed from the source. Until
 * its copy is verified, a message stays in the source untouched: a target that fails or goes
 * away mid-way costs nothing but a retry.
 *
 * Replays (after a crash, a lost answer, a retry) never duplicate: before an APPEND the target
 * folder is searched for a byte-identical message — by Message-ID, or for messages without one by
 * exact size — and when one is there it counts as the copy. Identical bytes, not the Message-ID
 * alone, decide: a different message under the same Message-ID (mail delivered to both accounts
 * with other Received lines) is not a copy, and the original must not go for its sake.
 *
 * The two accounts are never locked together: per chunk of messages, the source folder is locked
 * to download, released; the target folder locked to upload, released; then the source again to
 * remove what was verified.
 */
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import { pathOfFolderId } from '#shared/mail';
import {
  TASK_DONE,
  permanentFailure,
  type TaskFailure,
  type TaskResult,
  type TransferMessagesTask,
} from '#shared/tasks';
import { toUidSet } from '#shared/uid-set';
import { presentUids, removeMessages, uidValidityMismatch } from './selected-folder.ts';
import { TARGET_FOLDER_GONE, taskFailureOf } from './task-errors.ts';

/** What a transfer needs of each account (AccountSync has it). */
export interface TaskRunner {
  /**
   * Runs `step` on the account's work connection with `path` selected, under the folder's lock;
   * never throws: a step's error, a missing folder (`folderGone`) or a connection that is down
   * come back as a failure.
   */
  onFolder<R extends { ok: true } | TaskFailure>(
    path: string,
    description: string,
    step: (client: ImapFlow) => Promise<R>,
    folderGone?: string,
  ): Promise<R | TaskFailure>;
  /** The account's folders changed: sync them soon. */
  pollSoon(): void;
}

export interface TransferHooks {
  /** After each message is verified in the target (awaited: tests stop a server here). */
  afterCopy?(done: number, total: number): Promise<void> | void;
}

/** A chunk is downloaded in one go: bounded, so a large transfer needs bounded memory. */
const CHUNK_BYTES = 8 * 1024 * 1024;
const CHUNK_MESSAGES = 50;
/** Same-size messages compared byte by byte when looking for a copy without a Message-ID. */
const MAX_CANDIDATES = 20;

export const COPY_UNCONFIRMED =
  'the copy in the other account could not be confirmed, so the original was kept';

interface Listed {
  uid: number;
  size: number;
}

interface Downloaded {
  uid: number;
  raw: Buffer;
  flags: string[];
  internalDate: Date | string | undefined;
  messageId: string | undefined;
}

interface Placed {
  uid: number;
  targetUid: number;
  uidValidity: number;
}

export async function transferMessages(
  source: TaskRunner,
  target: TaskRunner,
  task: TransferMessagesTask,
  hooks: TransferHooks = {},
): Promise<TaskResult> {
  const sourcePath = pathOfFolderId(task.folderId);
  const targetPath = pathOfFolderId(task.targetFolderId);
  const listed = await source.onFolder(sourcePath, 'transfer: list', (client) =>
    listMessages(client, task),
  );
  if (!listed.ok) return listed;
  const total = listed.messages.length;
  const placed: Placed[] = [];
  for (const chunk of chunksOf(listed.messages)) {
    const downloaded = await source.onFolder(sourcePath, 'transfer: download', (client) =>
      download(client, task, chunk),
    );
    if (!downloaded.ok) return downloaded;
    const uploaded = await target.onFolder(
      targetPath,
      'transfer: upload',
      (client) =>
        upload(client, targetPath, downloaded.messages, async (one) => {
          placed.push(one);
          await hooks.afterCopy?.(placed.length, total);
        }),
      TARGET_FOLDER_GONE,
    );
    // Verified copies are removed from the source even when the rest of the chunk failed.
    const verified = uploaded.ok ? uploaded.placed : placedOf(placed, chunk);
    if (verified.length) {
      target.pollSoon();
      const removed = await source.onFolder(sourcePath, 'transfer: remove', (client) =>
        remove(client, task, verified),
      );
      source.pollSoon();
      if (!removed.ok) return removed;
    }
    if (!uploaded.ok) return uploaded;
    if (uploaded.failure) return uploaded.failure;
  }
  const first = placed[0];
  if (!first) return TASK_DONE;
  return {
    ok: true,
    movedTo: {
      folderId: task.targetFolderId,
      uidValidity: first.uidValidity,
      uids: placed.map((p): [number, number] => [p.uid, p.targetUid]),
    },
  };
}

/** The task's messages still in the source, with their sizes (to cut chunks). */
async function listMessages(client: ImapFlow, task: TransferMessagesTask) {
  const mismatch = uidValidityMismatch(client, task.uidValidity);
  if (mismatch) return mismatch;
  const present = await presentUids(client, task.uids);
  const messages: Listed[] = [];
  if (present.length) {
    const query = { uid: true, size: true } as const;
    for await (const m of client.fetch(toUidSet(present), query, { uid: true })) {
      messages.push({ uid: m.uid, size: m.size ?? 0 });
    }
  }
  return { ok: true as const, messages: messages.sort((a, b) => a.uid - b.uid) };
}

function* chunksOf(messages: Listed[]): Generator<Listed[]> {
  let chunk: Listed[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (chunk.length && (bytes + message.size > CHUNK_BYTES || chunk.length >= CHUNK_MESSAGES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += message.size;
  }
  if (chunk.length) yield chunk;
}

/** Raw bytes (BODY.PEEK[]: reading does not mark it \Seen), flags, date and Message-ID. */
async function download(client: ImapFlow, task: TransferMessagesTask, chunk: Listed[]) {
  const mismatch = uidValidityMismatch(client, task.uidValidity);
  if (mismatch) return mismatch;
  const messages: Downloaded[] = [];
  for (const { uid } of chunk) {
    const query = { uid: true, source: true, flags: true, internalDate: true, envelope: true };
    const m = await client.fetchOne(String(uid), query, { uid: true });
    // Gone meanwhile (another client moved it): nothing to transfer.
    if (!m || !m.source) continue;
    messages.push({
      uid,
      raw: m.source,
      flags: [...(m.flags ?? [])].filter((flag) => flag.toLowerCase() !== '\\recent'),
      internalDate: m.internalDate,
      messageId: m.envelope?.messageId || undefined,
    });
  }
  return { ok: true as const, messages };
}

/**
 * Places each message in the target folder (selected) and verifies it, in order, stopping at the
 * first failure: what was placed before it is reported with it, so those originals can go.
 */
async function upload(
  client: ImapFlow,
  path: string,
  messages: Downloaded[],
  onPlaced: (placed: Placed) => Promise<void>,
) {
  const placed: Placed[] = [];
  for (const message of messages) {
    let targetUid: number | undefined;
    try {
      targetUid = await placeCopy(client, path, message);
    } catch (error) {
      const failure = taskFailureOf(error, client.usable, TARGET_FOLDER_GONE);
      return { ok: true as const, placed, failure };
    }
    if (targetUid === undefined || !client.mailbox) {
      return { ok: true as const, placed, failure: permanentFailure(COPY_UNCONFIRMED) };
    }
    const one = { uid: message.uid, targetUid, uidValidity: Number(client.mailbox.uidValidity) };
    placed.push(one);
    await onPlaced(one);
  }
  return { ok: true as const, placed, failure: undefined as TaskFailure | undefined };
}

/** The target UID of the message's copy: one already there, else a new APPEND, verified. */
async function placeCopy(
  client: ImapFlow,
  path: string,
  message: Downloaded,
): Promise<number | undefined> {
  const existing = await findIdentical(client, message);
  if (existing !== undefined) return existing;
  const appended = await client.append(path, message.raw, message.flags, message.internalDate);
  if (!appended) throw new Error('the target account is not ready to receive messages');
  const uidValidity = client.mailbox ? client.mailbox.uidValidity : undefined;
  // APPENDUID names the copy; it is there if a search for that UID finds it.
  if (appended.uid && (appended.uidValidity ?? uidValidity) === uidValidity) {
    const found = await client.search({ uid: String(appended.uid) }, { uid: true });
    if (Array.isArray(found) && found.includes(appended.uid)) return appended.uid;
  }
  return findIdentical(client, message);
}

/**
 * A message in the selected folder with exactly these bytes: looked up by Message-ID, or without
 * one by exact size (LARGER n-1 SMALLER n+1), then compared byte for byte.
 */
async function findIdentical(client: ImapFlow, message: Downloaded): Promise<number | undefined> {
  const size = message.raw.length;
  const query = message.messageId
    ? { header: { 'message-id': message.messageId } }
    : { larger: size - 1, smaller: size + 1 };
  const found = await client.search(query, { uid: true });
  if (!Array.isArray(found) || !found.length) return undefined;
  const candidates: FetchMessageObject[] = [];
  // The newest first: a copy of ours is most likely among the latest.
  const newest = [...found].sort((a, b) => b - a).slice(0, MAX_CANDIDATES);
  for await (const m of client.fetch(toUidSet(newest), { uid: true, size: true }, { uid: true })) {
    if (m.size === size) candidates.push(m);
  }
  for (const candidate of candidates.sort((a, b) => b.uid - a.uid)) {
    const m = await client.fetchOne(String(candidate.uid), { source: true }, { uid: true });
    if (m && m.source && m.source.equals(message.raw)) return candidate.uid;
  }
  return undefined;
}

/** Removes the originals whose copies were verified (see removeMessages). */
async function remove(client: ImapFlow, task: TransferMessagesTask, placed: Placed[]) {
  const mismatch = uidValidityMismatch(client, task.uidValidity);
  if (mismatch) return mismatch;
  await removeMessages(
    client,
    placed.map((p) => p.uid),
  );
  return TASK_DONE;
}

/** The messages of `chunk` placed so far (when the upload step failed as a whole). */
function placedOf(placed: Placed[], chunk: Listed[]): Placed[] {
  const uids = new Set(chunk.map((m) => m.uid));
  return placed.filter((p) => uids.has(p.uid));
}
