/**
 * createFolder, renameFolder and deleteFolder on the server. No folder needs to be selected; the
 * caller keeps other work off the connection meanwhile. Each is idempotent, so a replay after a
 * lost answer succeeds: creating a folder that exists, deleting one that is gone, and renaming one
 * that already carries its new name all count as done.
 */
import type { ImapFlow, ListResponse } from 'imapflow';
import { pathOfFolderId } from '#shared/mail';
import {
  TASK_DONE,
  permanentFailure,
  type CreateFolderTask,
  type DeleteFolderTask,
  type FolderTask,
  type RenameFolderTask,
  type TaskResult,
} from '#shared/tasks';
import { FOLDER_GONE } from './task-errors.ts';

export async function performFolderTask(client: ImapFlow, task: FolderTask): Promise<TaskResult> {
  switch (task.type) {
    case 'createFolder':
      return createFolder(client, task);
    case 'renameFolder':
      return renameFolder(client, task);
    case 'deleteFolder':
      return deleteFolder(client, task);
  }
}

/** CREATE (and SUBSCRIBE); one that exists already (ALREADYEXISTS) is fine. */
async function createFolder(client: ImapFlow, task: CreateFolderTask): Promise<TaskResult> {
  try {
    await client.mailboxCreate(task.path);
    return TASK_DONE;
  } catch (error) {
    if (!isRefusal(error)) throw error;
    // Servers without the ALREADYEXISTS code say it in words only: look.
    if (exists(await listFolders(client), task.path)) return TASK_DONE;
    throw error;
  }
}

/**
 * RENAME (subfolders follow). Gone under the old name but there under the new one: done before.
 * Subscriptions do not follow a rename (RFC 3501; Dovecot keeps them under the old names), so
 * each subscribed folder is subscribed again under its new name.
 */
async function renameFolder(client: ImapFlow, task: RenameFolderTask): Promise<TaskResult> {
  const from = pathOfFolderId(task.folderId);
  const before = await listFolders(client);
  const subscribed = before.filter((f) => f.subscribed && isWithin(f, from)).map((f) => f.path);
  try {
    await client.mailboxRename(from, task.newPath);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    const folders = await listFolders(client);
    const there = exists(folders, from);
    if (!there && exists(folders, task.newPath)) return TASK_DONE;
    if (!there) return permanentFailure(FOLDER_GONE);
    if (exists(folders, task.newPath)) {
      return permanentFailure(`a folder named "${task.newPath}" exists already`);
    }
    throw error;
  }
  for (const path of subscribed) {
    await client.mailboxSubscribe(task.newPath + path.slice(from.length)).catch(() => false);
    await client.mailboxUnsubscribe(path).catch(() => false);
  }
  return TASK_DONE;
}

/**
 * DELETE of the folder and every folder below it, deepest first (servers refuse to delete a
 * folder that has children, or leave it as a \Noselect shell). Messages go with their folders:
 * the user confirmed that. A folder already gone is skipped.
 */
async function deleteFolder(client: ImapFlow, task: DeleteFolderTask): Promise<TaskResult> {
  const path = pathOfFolderId(task.folderId);
  const doomed = (await listFolders(client))
    .filter((f) => isWithin(f, path))
    .sort((a, b) => depth(b) - depth(a) || b.path.length - a.path.length);
  for (const folder of doomed) {
    try {
      if (!isPlaceholder(folder)) await client.mailboxDelete(folder.path);
    } catch (error) {
      if (!isRefusal(error) || exists(await listFolders(client), folder.path)) throw error;
    }
    // A subscription outlives its folder (RFC 3501); the list should not keep showing it.
    if (folder.subscribed) await client.mailboxUnsubscribe(folder.path).catch(() => false);
  }
  return TASK_DONE;
}

function listFolders(client: ImapFlow): Promise<ListResponse[]> {
  return client.list();
}

/** Listed as a real folder, not only as the parent of one (\NonExistent). */
function exists(folders: ListResponse[], path: string): boolean {
  return folders.some((f) => f.path === path && !isPlaceholder(f));
}

function isPlaceholder(folder: ListResponse): boolean {
  return [...folder.flags].some((flag) => flag.toLowerCase() === '\\nonexistent');
}

/** The folder at `path` or one below it. */
function isWithin(folder: ListResponse, path: string): boolean {
  return (
    folder.path === path || (!!folder.delimiter && folder.path.startsWith(path + folder.delimiter))
  );
}

function depth(folder: ListResponse): number {
  return folder.delimiter ? folder.path.split(folder.delimiter).length : 1;
}

/** A NO or BAD from the server (anything else, like a dropped connection, is not ours to read). */
function isRefusal(error: unknown): boolean {
  const status = (error as { responseStatus?: unknown } | null)?.responseStatus;
  return status === 'NO' || status === 'BAD';
}
