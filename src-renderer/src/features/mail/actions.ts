/**
 * What the user does to messages, as tasks through the cache (local effect and queued task in one
 * transaction; main carries them to the server). Toggles follow the first selected message, as in
 * every desktop client: if it is unread, all become read. Moves offer an undo for a few seconds.
 */
import type { FolderRole, FolderRow, MessageRow } from '#shared/mail';
import type { MoveReason } from '#shared/tasks';
import { isFlagged, isUnread } from '../../cache/list-queries.ts';
import { markRead, moveMessages, setFlagged, undoTask } from '../../cache/tasks.ts';
import { db } from '../../state/cache.ts';
import { useUiStore } from '../../state/store.ts';

export async function toggleRead(rowIds: string[]): Promise<void> {
  const first = rowIds.length ? await db.messages.get(rowIds[0] as string) : undefined;
  if (!first) return;
  await markRead(db, rowIds, isUnread(first));
}

export async function toggleFlagged(rowIds: string[]): Promise<void> {
  const first = rowIds.length ? await db.messages.get(rowIds[0] as string) : undefined;
  if (!first) return;
  await setFlagged(db, rowIds, !isFlagged(first));
}

/** Opening a message marks it read (a setting, on by default). */
export async function markOpened(rowId: string): Promise<void> {
  if (!useUiStore.getState().markReadOnOpen) return;
  const row = await db.messages.get(rowId);
  if (row && isUnread(row)) await markRead(db, [rowId], true);
}

const UNDO_FOR_MS = 8_000;

/** Moves messages to a folder (of the same account, or another: a transfer). */
export async function moveTo(rowIds: string[], target: FolderRow): Promise<void> {
  const rows = await rowsOf(rowIds);
  if (rows.length === 0) return;
  const taskIds = await moveRows(rows, () => target.id, 'move');
  offerUndo(taskIds, `${count(rows.length)} moved to ${target.name}`);
}

/**
 * Moves messages to their account's folder of a role (Archive, Trash, Junk), or back to INBOX
 * (not junk). Messages of an account without such a folder stay; the user is told.
 */
export async function moveToRole(rowIds: string[], reason: Exclude<MoveReason, 'move'>) {
  const role: FolderRole = ROLE_OF[reason];
  const rows = await rowsOf(rowIds);
  if (rows.length === 0) return;
  const folders = await db.folders.toArray();
  const targetOf = (row: MessageRow) =>
    folders.find((f) => f.accountId === row.accountId && f.role === role)?.id;
  const movable = rows.filter((row) => targetOf(row) && targetOf(row) !== row.folderId);
  if (movable.length < rows.length) {
    useUiStore.getState().setNotice(`Some messages stayed: their account has no ${role} folder.`);
  }
  if (movable.length === 0) return;
  const taskIds = await moveRows(movable, (row) => targetOf(row) as string, reason);
  offerUndo(taskIds, `${count(movable.length)} ${PAST[reason]}`);
}

/** Delete: to Trash; messages already in Trash are deleted for good after a confirmation. */
export async function deleteSelected(rowIds: string[]): Promise<void> {
  const rows = await rowsOf(rowIds);
  const trash = new Set(
    (await db.folders.toArray()).filter((f) => f.role === 'trash').map((f) => f.id),
  );
  const inTrash = rows.filter((row) => trash.has(row.folderId));
  if (inTrash.length > 0) {
    useUiStore.getState().openFolderDialog({
      kind: 'deleteForGood',
      rowIds: inTrash.map((row) => row.id),
    });
  }
  const rest = rows.filter((row) => !trash.has(row.folderId)).map((row) => row.id);
  if (rest.length > 0) await moveToRole(rest, 'trash');
}

/** Takes the last move back (Ctrl/Cmd+Z or the bar's button). */
export async function undoLast(): Promise<void> {
  const { undo, setUndo, setNotice } = useUiStore.getState();
  if (!undo) return;
  setUndo(undefined);
  const results = [];
  for (const id of [...undo.taskIds].reverse()) results.push(await undoTask(db, id));
  if (!undo.whenCancelled) return;
  if (results.every((r) => r.kind === 'cancelled')) undo.whenCancelled();
  else setNotice('Too late to undo: it was sent already.');
}

async function moveRows(
  rows: MessageRow[],
  targetOf: (row: MessageRow) => string,
  reason: MoveReason,
): Promise<number[]> {
  useUiStore.getState().setLeaving(rows.map((row) => row.id));
  const byTarget = new Map<string, string[]>();
  for (const row of rows) {
    const target = targetOf(row);
    byTarget.set(target, [...(byTarget.get(target) ?? []), row.id]);
  }
  const taskIds: number[] = [];
  for (const [target, ids] of byTarget) {
    taskIds.push(...(await moveMessages(db, ids, target, reason)));
  }
  return taskIds;
}

export function offerUndo(
  taskIds: number[],
  label: string,
  options: { forMs?: number; whenCancelled?: () => void } = {},
): void {
  if (taskIds.length === 0) return;
  const at = Date.now();
  const forMs = options.forMs ?? UNDO_FOR_MS;
  useUiStore.getState().setUndo({ label, taskIds, at, forMs, ...options });
  setTimeout(() => {
    if (useUiStore.getState().undo?.at === at) useUiStore.getState().setUndo(undefined);
  }, forMs);
}

async function rowsOf(rowIds: string[]): Promise<MessageRow[]> {
  return (await db.messages.bulkGet(rowIds)).filter((row): row is MessageRow => !!row);
}

const count = (n: number) => (n === 1 ? '1 message' : `${n.toLocaleString()} messages`);

const ROLE_OF: Record<Exclude<MoveReason, 'move'>, FolderRole> = {
  archive: 'archive',
  trash: 'trash',
  junk: 'junk',
  notJunk: 'inbox',
};

const PAST: Record<Exclude<MoveReason, 'move'>, string> = {
  archive: 'archived',
  trash: 'moved to Trash',
  junk: 'marked as junk',
  notJunk: 'moved to Inbox',
};
