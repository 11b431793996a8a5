/**
 * What each task does to the cache before the server has it (its local effect), what takes that
 * back (rollback, cancel), and what is left to tidy once main carried it out. Called by
 * `task-queue.ts` inside its transactions; nothing here talks to main.
 *
 * - setFlags: the rows' flags change; the undo data says, per row, what actually changed.
 * - moveMessages, deleteMessages, transferMessages: the rows leave their folder at once and are
 *   kept in the task (their bodies stay in `bodies`). The target shows the messages once its own
 *   sync brings them under the UIDs the server gave: no row is made up with a guessed UID.
 * - createFolder: a provisional folder row, so the tree shows it at once.
 * - renameFolder: the folder's row and its subfolders' rows are replaced by rows at the new paths
 *   (new ids, no messages). The old folders' messages are hidden and left alone: once the server
 *   has renamed the folder, sync removes the old paths (dropping their messages and checkpoints)
 *   and fetches the new ones. Rewriting every message's id would cost a full folder write for rows
 *   the sync of the new path brings anyway; until then (offline) the renamed folder shows empty.
 * - deleteFolder: the folder's row and its subfolders' rows go; their messages are hidden (see
 *   `hiddenFolders`) until sync removes the folders.
 */
import { folderIdOf, messageRowId, type FolderRow, type MessageRow } from '#shared/mail';
import {
  changeFlags,
  hasFlag,
  type CreateFolderTask,
  type DeleteFolderTask,
  type MailTask,
  type RenameFolderTask,
  type SetFlagsTask,
} from '#shared/tasks';
import { messagesOfFolder, type FlagUndo, type PetrelDb, type TaskRow } from './db.ts';
import {
  isMessageTask,
  pendingFolderEffects,
  pendingMessageEffects,
  removesMessages,
  withPendingFlags,
} from './pending-effects.ts';

/** What `applyLocally` did: the undo data, and the folders the task shows and hides. */
export type LocalEffect = Pick<TaskRow, 'undo' | 'creates' | 'hides'>;

/** Where an account's messages to send are queued: a path no server folder has (never a NUL). */
export const outboxFolderId = (accountId: string): string => folderIdOf(accountId, '\0outbox');

/** Where an account's draft saves and deletions are queued (a path no server folder has). */
export const draftsQueueFolderId = (accountId: string): string => folderIdOf(accountId, '\0drafts');

/**
 * The folder a task is queued under (`TaskRow.folderId`): a created folder's future id; for a
 * message to send, the account's outbox, a path no server folder has (NUL is never in one); for
 * a draft, the account's drafts queue, likewise.
 */
export function folderOfTask(task: MailTask): string {
  if (task.type === 'createFolder') return folderIdOf(task.accountId, task.path);
  if (task.type === 'sendMessage') return outboxFolderId(task.accountId);
  if (task.type === 'saveDraft' || task.type === 'deleteDraft') {
    return draftsQueueFolderId(task.accountId);
  }
  return task.folderId;
}

/** Writes the task's local effect; throws (writing nothing the caller keeps) if it cannot be. */
export async function applyLocally(db: PetrelDb, task: MailTask): Promise<LocalEffect> {
  switch (task.type) {
    case 'setFlags':
      return { undo: { flags: await setFlagsLocally(db, task) } };
    case 'moveMessages':
    case 'deleteMessages':
    case 'transferMessages':
      return { undo: { messages: await takeMessagesAway(db, task.folderId, task.uids) } };
    case 'createFolder':
      return createFolderLocally(db, task);
    case 'renameFolder':
      return renameFolderLocally(db, task);
    case 'deleteFolder':
      return deleteFolderLocally(db, task);
    case 'sendMessage':
    case 'saveDraft':
    case 'deleteDraft':
      // Nothing in the mail cache changes until the server has it: the Drafts folder's sync
      // brings the saved copy (and takes the deleted one away).
      return { undo: {} };
  }
}

/**
 * Takes the task's local effect back. Message rows go back only if their folder is still at the
 * task's UIDVALIDITY: after a reset the same UIDs name other messages, and the reset dropped the
 * old rows (and their bodies) already.
 */
export async function undoLocally(db: PetrelDb, row: TaskRow): Promise<void> {
  const { task, undo } = row;
  if (isMessageTask(task)) {
    const checkpoint = await db.checkpoints.get(task.folderId);
    if (checkpoint?.uidValidity !== task.uidValidity) return;
    if (undo.flags?.length) await undoFlags(db, task.folderId, undo.flags);
    if (undo.messages?.length) await db.messages.bulkPut(undo.messages);
    return;
  }
  if (row.creates?.length) await dropCreatedFolders(db, row.creates);
  if (undo.folders?.length) await db.folders.bulkPut(undo.folders);
}

/**
 * Main carried the task out. Folders it took away are gone on the server: their messages, bodies
 * and checkpoints go now (sync would drop them with the next folder list; until then they would
 * show in conversations again). The bodies of rows it took away are of messages the folder no
 * longer has (unless the folder was reset meanwhile: then they are gone already, and the same row
 * ids may be other messages').
 */
export async function tidyAfterDone(db: PetrelDb, row: TaskRow): Promise<void> {
  const { task } = row;
  if (task.type === 'saveDraft') return forgetSavedDraft(db, task.accountId, task.outboxId);
  for (const folderId of row.hides ?? []) {
    await Promise.all([
      messagesOfFolder(db, folderId).delete(),
      db.bodies.where('folderId').equals(folderId).delete(),
      db.checkpoints.delete(folderId),
    ]);
  }
  if (!removesMessages(task)) return;
  const checkpoint = await db.checkpoints.get(task.folderId);
  if (checkpoint?.uidValidity !== task.uidValidity) return;
  const ids = task.uids.map((uid) => messageRowId(task.folderId, uid));
  await db.bodies.where('rowId').anyOf(ids).delete();
}

/**
 * A closed draft the server now holds in its latest version needs no local copy: the Drafts
 * folder has it. Kept while the composer shows it, or while a newer save is still queued.
 */
async function forgetSavedDraft(db: PetrelDb, accountId: string, id: string): Promise<void> {
  const draft = await db.drafts.get(id);
  if (!draft || draft.open || draft.queuedAt !== draft.updatedAt) return;
  const newer = await db.tasks
    .where('folderId')
    .anyOf([draftsQueueFolderId(accountId), draftsQueueFolderId(draft.accountId)])
    .filter((row) => row.task.type === 'saveDraft' && row.task.outboxId === id)
    .count();
  if (newer === 0) await db.drafts.delete(id);
}

// ---- messages ----

/** Changes the flags of the rows the task names; records, per row, what actually changed. */
async function setFlagsLocally(db: PetrelDb, task: SetFlagsTask): Promise<FlagUndo[]> {
  const rows = await db.messages.bulkGet(task.uids.map((uid) => messageRowId(task.folderId, uid)));
  const changed: MessageRow[] = [];
  const undo: FlagUndo[] = [];
  for (const row of rows) {
    if (!row) continue;
    const flags = changeFlags(row.flags, task);
    const added = flags.filter((flag) => !hasFlag(row.flags, flag));
    const removed = row.flags.filter((flag) => !hasFlag(flags, flag));
    if (added.length === 0 && removed.length === 0) continue;
    changed.push({ ...row, flags });
    undo.push({ rowId: row.id, added, removed });
  }
  await db.messages.bulkPut(changed);
  return undo;
}

/**
 * Takes back exactly what the task changed, so that changes from the server since stay; then lays
 * the tasks still queued over again (a later task may have changed the same flag). A row a later
 * queued task took away gets the change in that task's copy, so its own rollback is right too.
 */
async function undoFlags(db: PetrelDb, folderId: string, undo: FlagUndo[]): Promise<void> {
  const effects = await pendingMessageEffects(db, [folderId]);
  const rows = await db.messages.bulkGet(undo.map((entry) => entry.rowId));
  const changed: MessageRow[] = [];
  undo.forEach((entry, index) => {
    const row = rows[index] ?? effects.removed.copy(entry.rowId);
    if (!row) return;
    const reverted = changeFlags(row.flags, { add: entry.removed, remove: entry.added });
    const flags = withPendingFlags(reverted, effects.flags.get(row.id));
    if (flags.length === row.flags.length && flags.every((flag) => hasFlag(row.flags, flag))) {
      return;
    }
    if (rows[index]) changed.push({ ...row, flags });
    else effects.removed.keep({ ...row, flags });
  });
  await db.messages.bulkPut(changed);
  await effects.removed.save(db);
}

/** Takes the cached rows of these UIDs out of the folder; returns them as they were. */
async function takeMessagesAway(
  db: PetrelDb,
  folderId: string,
  uids: readonly number[],
): Promise<MessageRow[]> {
  const rows = await db.messages.bulkGet(uids.map((uid) => messageRowId(folderId, uid)));
  const present = rows.filter((row): row is MessageRow => row !== undefined);
  await db.messages.bulkDelete(present.map((row) => row.id));
  return present;
}

// ---- folders ----

async function createFolderLocally(db: PetrelDb, task: CreateFolderTask): Promise<LocalEffect> {
  const id = folderIdOf(task.accountId, task.path);
  if (await db.folders.get(id)) throw new Error(`A folder named “${task.path}” exists already.`);
  const siblings = await db.folders.where('accountId').equals(task.accountId).toArray();
  const delimiter = delimiterFor(siblings, task.path);
  await db.folders.put(provisionalFolder(task.accountId, task.path, delimiter));
  return { undo: {}, creates: [id] };
}

async function renameFolderLocally(db: PetrelDb, task: RenameFolderTask): Promise<LocalEffect> {
  const { folder, subtree } = await folderAndSubfolders(db, task.folderId);
  const { delimiter } = folder;
  if (task.newPath === folder.path) throw new Error('The folder has that name already.');
  if (delimiter && task.newPath.startsWith(folder.path + delimiter)) {
    throw new Error('A folder cannot be moved into itself.');
  }
  const renamed = subtree.map((row) => renamedRow(row, folder.path, task.newPath));
  const taken = await db.folders.bulkGet(renamed.map((row) => row.id));
  const clash = taken.find((row) => row !== undefined);
  if (clash) throw new Error(`A folder named “${clash.path}” exists already.`);
  await db.folders.bulkDelete(subtree.map((row) => row.id));
  await db.folders.bulkPut(renamed);
  return {
    undo: { folders: subtree },
    creates: renamed.map((row) => row.id),
    hides: subtree.map((row) => row.id),
  };
}

async function deleteFolderLocally(db: PetrelDb, task: DeleteFolderTask): Promise<LocalEffect> {
  const { subtree } = await folderAndSubfolders(db, task.folderId);
  await db.folders.bulkDelete(subtree.map((row) => row.id));
  return { undo: { folders: subtree }, hides: subtree.map((row) => row.id) };
}

/**
 * The folder and every folder below it. INBOX is refused: IMAP does not delete it, and renaming it
 * moves its messages rather than the folder.
 */
async function folderAndSubfolders(
  db: PetrelDb,
  folderId: string,
): Promise<{ folder: FolderRow; subtree: FolderRow[] }> {
  const folder = await db.folders.get(folderId);
  if (!folder) throw new Error('The folder is not there any more.');
  if (folder.role === 'inbox' || folder.path.toUpperCase() === 'INBOX') {
    throw new Error('The inbox cannot be renamed or deleted.');
  }
  const below = folder.delimiter ? folder.path + folder.delimiter : undefined;
  const account = await db.folders.where('accountId').equals(folder.accountId).toArray();
  const subfolders = below ? account.filter((row) => row.path.startsWith(below)) : [];
  return { folder, subtree: [folder, ...subfolders] };
}

/**
 * Provisional rows go; so do the copies later queued tasks took of them (renaming or deleting a
 * folder that was never created must not bring it back when those tasks are undone).
 */
async function dropCreatedFolders(db: PetrelDb, ids: string[]): Promise<void> {
  const effects = await pendingFolderEffects(db, ids);
  effects.forget(ids);
  await effects.save(db);
  await db.folders.bulkDelete(ids);
}

/** The row a folder of `path` gets once renamed from `from` to `to` (itself or a subfolder). */
function renamedRow(row: FolderRow, from: string, to: string): FolderRow {
  const path = to + row.path.slice(from.length);
  const next: FolderRow = { ...row, id: folderIdOf(row.accountId, path), path };
  if (row.path === from) {
    const { parentPath, name } = placeOf(path, row.delimiter);
    next.name = name;
    if (parentPath === undefined) delete next.parentPath;
    else next.parentPath = parentPath;
  } else if (row.parentPath !== undefined) {
    next.parentPath = to + row.parentPath.slice(from.length);
  }
  return next;
}

function provisionalFolder(accountId: string, path: string, delimiter: string): FolderRow {
  const { parentPath, name } = placeOf(path, delimiter);
  const row: FolderRow = {
    id: folderIdOf(accountId, path),
    accountId,
    path,
    name,
    delimiter,
    namespace: 'personal',
    subscribed: true,
    selectable: true,
    messages: 0,
    unseen: 0,
  };
  if (parentPath !== undefined) row.parentPath = parentPath;
  return row;
}

/** The parent's delimiter, else the account's (every folder of a namespace shares one). */
function delimiterFor(folders: readonly FolderRow[], path: string): string {
  const parent = folders
    .filter((row) => row.delimiter && path.startsWith(row.path + row.delimiter))
    .sort((a, b) => b.path.length - a.path.length)[0];
  return (
    parent?.delimiter ??
    folders.find((row) => row.namespace === 'personal' && row.delimiter)?.delimiter ??
    '/'
  );
}

function placeOf(path: string, delimiter: string): { parentPath?: string; name: string } {
  const at = delimiter ? path.lastIndexOf(delimiter) : -1;
  if (at < 0) return { name: path };
  return { parentPath: path.slice(0, at), name: path.slice(at + delimiter.length) };
}
