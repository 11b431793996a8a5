/**
 * Reads for views, meant for `useLiveQuery(() => messagePage(db, id, 50), [id])`. Each goes through
 * an index the schema keeps for it; none scans the messages table.
 */
import { Dexie } from 'dexie';
import type { FolderRow, MessageRow } from '#shared/mail';
import { messagesOfFolder, type PetrelDb } from './db.ts';
import { hiddenFolders } from './pending-effects.ts';

/**
 * Where the previous page ended: its last row's date and id. A date alone is ambiguous, because
 * INTERNALDATE has whole seconds and imported mail often shares one.
 */
export interface PageCursor {
  date: number;
  id: string;
}

/** Rows before `before`: a cursor, or a date (exclusive; rows of that same date are skipped). */
export type PageStart = number | PageCursor;

/** An account's folders, ordered by id, which is by path. */
export function foldersOf(db: PetrelDb, accountId: string): Promise<FolderRow[]> {
  return db.folders.where('accountId').equals(accountId).toArray();
}

/** Unread mail in every account's INBOX, as the servers count it (the sidebar and the title). */
export async function inboxUnread(db: PetrelDb): Promise<number> {
  const folders = await db.folders.toArray();
  return folders.filter((f) => f.role === 'inbox').reduce((sum, f) => sum + f.unseen, 0);
}

/** Up to `limit` rows of a folder, newest first, starting after `before`. */
export function messagePage(
  db: PetrelDb,
  folderId: string,
  limit: number,
  before?: PageStart,
): Promise<MessageRow[]> {
  return pageOf(db.messages, '[folderId+date]', folderId, limit, before);
}

/** Up to `limit` rows of every account's INBOX, newest first, starting after `before`. */
export function unifiedInboxPage(
  db: PetrelDb,
  limit: number,
  before?: PageStart,
): Promise<MessageRow[]> {
  return pageOf(db.messages, '[unifiedInbox+date]', 1, limit, before);
}

/**
 * Every cached row of a thread, oldest first, across folders and accounts: the same message may
 * appear more than once (Sent and INBOX, Gmail's All Mail), which the view decides how to show.
 * Rows of folders a queued task deletes or renames are left out (sync removes them later).
 */
export async function threadOf(db: PetrelDb, threadId: string): Promise<MessageRow[]> {
  const rows = await db.messages.where('threadId').equals(threadId).sortBy('date');
  const hidden = await hiddenFolders(db, [...new Set(rows.map((row) => row.folderId))]);
  return hidden.size ? rows.filter((row) => !hidden.has(row.folderId)) : rows;
}

/** Cached copies of one message, by its Message-ID header (duplicate and resend checks). */
export function messagesByMessageId(db: PetrelDb, messageId: string): Promise<MessageRow[]> {
  return db.messages.where('messageId').equals(messageId).toArray();
}

/** How many rows of the folder are cached (main's `FolderRow.messages` is the server's count). */
export function countMessages(db: PetrelDb, folderId: string): Promise<number> {
  return messagesOfFolder(db, folderId).count();
}

/**
 * A page from a compound `[prefix+date]` index, read backwards. Within one date the index orders
 * by primary key, so the cursor's id says where inside a run of equal dates the last page stopped.
 */
function pageOf(
  table: PetrelDb['messages'],
  index: string,
  prefix: string | number,
  limit: number,
  before: PageStart | undefined,
): Promise<MessageRow[]> {
  const cursor = typeof before === 'object' ? before : undefined;
  const upper = (typeof before === 'number' ? before : cursor?.date) ?? Dexie.maxKey;
  const rows = table
    .where(index)
    .between([prefix, Dexie.minKey], [prefix, upper], true, cursor !== undefined)
    .reverse();
  if (!cursor) return rows.limit(limit).toArray();
  return rows
    .filter((row) => row.date !== cursor.date || row.id < cursor.id)
    .limit(limit)
    .toArray();
}
