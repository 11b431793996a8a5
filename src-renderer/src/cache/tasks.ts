/**
 * What the UI calls to act on mail: each helper writes the local effect and the queued task(s) in
 * one transaction (see `task-queue.ts`), and resolves with the ids of the tasks it queued, which
 * `undoTask` takes. A runner (`task-runner.ts`) hands the tasks to main in order; the queue is in
 * IndexedDB, so it survives restarts and offline periods. Pure data: no React here.
 *
 * Acting on a message whose move is still queued: it is in no folder of the cache until the
 * target's sync brings it under the UID the server gave it, which happens only once main has
 * moved it, and tasks of an account run in queue order. So a later delete (or anything else) can
 * only name the moved copy by its real UID, and runs after the move (K-9 #8622 deleted a local
 * placeholder's made-up UID instead). Undoing the queued move first puts the row back in its
 * folder, and a delete then names the original UID; the move never reaches the server.
 */
import { accountIdOfFolderId, type MessageRow } from '#shared/mail';
import { hasFlag, type MailTask, type MoveReason } from '#shared/tasks';
import type { CheckpointRow, PetrelDb } from './db.ts';
import { enqueueTask, taskScope } from './task-queue.ts';

export { completeTask, enqueueTask, queueStatus, rollBackTask } from './task-queue.ts';
export type { QueueStatus } from './task-queue.ts';
export {
  DEFAULT_RETRY_INTERVAL_MS,
  startTaskRunner,
  type TaskDone,
  type TaskRunnerBridge,
  type TaskRunnerOptions,
} from './task-runner.ts';
export { undoTask, undoTasks, type UndoResult } from './task-undo.ts';

export const SEEN = '\\Seen';
export const FLAGGED = '\\Flagged';
/** A large selection becomes several tasks, so that no task row grows without bound. */
export const MAX_UIDS_PER_TASK = 5_000;

// ---- messages ----

/**
 * Marks messages read (or unread): one setFlags task per folder, for the rows that are not so
 * already. Rows of a folder the cache has no checkpoint for are left alone (their UIDs cannot be
 * tagged with a UIDVALIDITY); so are rows not cached (any more).
 */
export function markRead(
  db: PetrelDb,
  rowIds: readonly string[],
  read: boolean,
): Promise<number[]> {
  return setFlagOn(db, rowIds, SEEN, read);
}

/** Flags (or unflags) messages; as `markRead`. */
export function setFlagged(
  db: PetrelDb,
  rowIds: readonly string[],
  flagged: boolean,
): Promise<number[]> {
  return setFlagOn(db, rowIds, FLAGGED, flagged);
}

function setFlagOn(
  db: PetrelDb,
  rowIds: readonly string[],
  flag: string,
  on: boolean,
): Promise<number[]> {
  return queuePerFolder(
    db,
    rowIds,
    (folder, uids) => ({
      type: 'setFlags',
      ...folder,
      uids,
      ...(on ? { add: [flag] } : { remove: [flag] }),
    }),
    (row) => hasFlag(row.flags, flag) !== on,
  );
}

/**
 * Moves messages to `targetFolderId`: a moveMessages task per source folder of the same account,
 * a transferMessages task per source folder of another account. The rows leave their folders at
 * once; the target shows the messages once its sync brings them. Rows already there stay.
 */
export function moveMessages(
  db: PetrelDb,
  rowIds: readonly string[],
  targetFolderId: string,
  reason: MoveReason = 'move',
): Promise<number[]> {
  const targetAccountId = accountIdOfFolderId(targetFolderId);
  return queuePerFolder(
    db,
    rowIds,
    (folder, uids) =>
      folder.accountId === targetAccountId
        ? { type: 'moveMessages', ...folder, uids, targetFolderId, reason }
        : { type: 'transferMessages', ...folder, uids, targetAccountId, targetFolderId },
    (row) => row.folderId !== targetFolderId,
  );
}

/** Deletes messages for good (the UI asked first): one deleteMessages task per folder. */
export function deleteMessages(db: PetrelDb, rowIds: readonly string[]): Promise<number[]> {
  return queuePerFolder(db, rowIds, (folder, uids) => ({
    type: 'deleteMessages',
    ...folder,
    uids,
  }));
}

/** A message task's folder, as the cache knows it. */
interface TaskFolder {
  accountId: string;
  folderId: string;
  uidValidity: number;
}

/**
 * Queues `taskOf` for the cached rows `wanted` keeps, grouped by folder, in one transaction, at
 * most MAX_UIDS_PER_TASK UIDs a task; folders without a checkpoint are skipped.
 */
function queuePerFolder(
  db: PetrelDb,
  rowIds: readonly string[],
  taskOf: (folder: TaskFolder, uids: number[]) => MailTask,
  wanted: (row: MessageRow) => boolean = () => true,
): Promise<number[]> {
  return db.transaction('rw', taskScope(db), async () => {
    const byFolder = new Map<string, MessageRow[]>();
    for (const row of await db.messages.bulkGet([...rowIds])) {
      if (!row || !wanted(row)) continue;
      const rows = byFolder.get(row.folderId);
      if (rows) rows.push(row);
      else byFolder.set(row.folderId, [row]);
    }
    const checkpoints = await db.checkpoints.bulkGet([...byFolder.keys()]);
    const ids: number[] = [];
    let index = 0;
    for (const [folderId, rows] of byFolder) {
      const checkpoint: CheckpointRow | undefined = checkpoints[index++];
      const accountId = rows[0]?.accountId;
      if (!checkpoint || accountId === undefined) continue;
      const folder = { accountId, folderId, uidValidity: checkpoint.uidValidity };
      const uids = rows.map((row) => row.uid);
      for (let i = 0; i < uids.length; i += MAX_UIDS_PER_TASK) {
        ids.push(await enqueueTask(db, taskOf(folder, uids.slice(i, i + MAX_UIDS_PER_TASK))));
      }
    }
    return ids;
  });
}

// ---- folders ----

/**
 * Creates a folder (`path` in the server's delimiter, e.g. "Projects/2026"): the tree shows it at
 * once. Rejects, queueing nothing, if the account has a folder of that path already.
 */
export async function createFolder(
  db: PetrelDb,
  accountId: string,
  path: string,
): Promise<number[]> {
  return [await enqueueTask(db, { type: 'createFolder', accountId, path })];
}

/**
 * Renames a folder and, with it, its subfolders: the tree shows them at the new paths at once
 * (new ids: `${accountId}:${newPath}`), empty until the new paths are synced. Resolves with no task
 * when the path does not change; rejects, queueing nothing, for INBOX, a folder not cached, a path
 * taken, or a move into itself.
 */
export async function renameFolder(
  db: PetrelDb,
  folderId: string,
  newPath: string,
): Promise<number[]> {
  const folder = await db.folders.get(folderId);
  if (folder?.path === newPath) return [];
  const accountId = folder?.accountId ?? accountIdOfFolderId(folderId);
  return [await enqueueTask(db, { type: 'renameFolder', accountId, folderId, newPath })];
}

/**
 * Deletes a folder with its messages and subfolders: they leave the tree (and conversations) at
 * once. Rejects, queueing nothing, for INBOX or a folder not cached.
 */
export async function deleteFolder(db: PetrelDb, folderId: string): Promise<number[]> {
  const folder = await db.folders.get(folderId);
  const accountId = folder?.accountId ?? accountIdOfFolderId(folderId);
  return [await enqueueTask(db, { type: 'deleteFolder', accountId, folderId })];
}
