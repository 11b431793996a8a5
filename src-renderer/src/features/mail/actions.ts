/**
 * What the user does to messages, as tasks through the cache (local effect and queued task in one
 * transaction; main carries them to the server). Toggles follow the first selected message, as in
 * every desktop client: if it is unread, all become read.
 */
import { isFlagged, isUnread } from '../../cache/list-queries.ts';
import { markRead, setFlagged } from '../../cache/tasks.ts';
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
