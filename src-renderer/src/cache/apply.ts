/**
 * The only writer of mail data from the server: applies one ChangeBatch from the sync engine, with
 * its checkpoint, in one transaction. A crash between commit and ack means the batch arrives
 * again, so every step is idempotent (puts, deletes by key, flag writes that converge). The
 * other writers, the task modules (`tasks.ts`), write only the local effects of the user's own
 * tasks; while a task is queued, its effect is laid over what the server says here
 * (`pending-effects.ts`), so a batch never flips it back: flags stay, moved and deleted rows stay
 * out, created folders stay, deleted and renamed ones stay away. What the server says about rows a
 * task took away goes into the task's copy of them instead, so that a rollback puts back what the
 * server holds.
 */
import {
  folderIdOfRowId,
  messageRowId,
  uidOfRowId,
  type BodyPart,
  type FolderRow,
  type MessageRow,
} from '#shared/mail';
import type { ChangeBatch, FlagChange } from '#shared/sync';
import { uidSetMatcher } from '#shared/uid-set';
import { prepareHarvest, type BatchHarvest } from './contacts.ts';
import {
  messagesOfFolder,
  type BodyRow,
  type CacheTable,
  type PetrelDb,
  type SearchPendingRow,
} from './db.ts';
import {
  pendingFolderEffects,
  pendingMessageEffects,
  withPendingFlags,
  type MessageEffects,
} from './pending-effects.ts';

type Scope = CacheTable | 'tasks' | 'contacts' | 'searchPending';

const MAIL_TABLES: CacheTable[] = ['folders', 'messages', 'checkpoints', 'bodies'];

/** Changes that only make sense for `batch.folderId`. */
const FOLDER_SCOPED = ['reset', 'flags', 'remove', 'keepOnly', 'checkpoint', 'bodies'] as const;

/**
 * Applies `batch` in one read-write transaction; it either commits whole or not at all.
 *
 * Order inside the batch: account removal, folder removals, folder puts, then for `folderId`:
 * reset, keepOnly, put, flags, remove, checkpoint. `keepOnly` precedes `put` because the UID
 * snapshot may be older than the newest fetched rows; `remove` comes last because an expunged UID
 * never comes back within one UIDVALIDITY, so an expunge wins over a fetch of the same UID.
 *
 * Rejects (and writes nothing) on a malformed batch or any storage error.
 */
export async function applyBatch(db: PetrelDb, batch: ChangeBatch): Promise<void> {
  assertWellFormed(batch);
  const search = searchChangesOf(batch);
  const scope = scopeOf(batch, search !== undefined);
  if (scope.length === 0) return;
  // New messages' senders and recipients become contacts (autocomplete), in the same transaction.
  const contacts = await prepareHarvest(db, batch);
  await db.transaction('rw', scope, async () => {
    if (batch.removeAccount) await removeAccount(db, batch.accountId);
    if (batch.folders) await applyFolderChanges(db, batch.folders);
    await applyMessageChanges(db, batch, contacts);
    if (search) await db.searchPending.add(search as SearchPendingRow);
    if (batch.checkpoint && batch.folderId !== undefined) {
      await db.checkpoints.put({
        ...batch.checkpoint,
        folderId: batch.folderId,
        accountId: batch.accountId,
      });
    }
  });
}

/**
 * What this batch changed that the search index holds, queued in one write (`search-index.ts` reads
 * it later, outside sync's path): rows put or given text (indexed), flags changed, rows expunged,
 * folders dropped. Ids of rows that were not written (a queued task holds them, the folder is
 * gone) are skipped by the indexer, which reads every row it indexes.
 */
export function searchChangesOf(batch: ChangeBatch): Omit<SearchPendingRow, 'id'> | undefined {
  const change: Omit<SearchPendingRow, 'id'> = { rowIds: batch.put?.map((row) => row.id) ?? [] };
  const textIds = new Set<string>();
  for (const part of batch.bodies ?? []) if (part.text !== undefined) textIds.add(part.rowId);
  if (textIds.size) change.textIds = [...textIds];
  const folderId = batch.folderId;
  if (folderId !== undefined) {
    if (batch.flags?.length) change.flagIds = batch.flags.map((f) => messageRowId(folderId, f.uid));
    if (batch.remove?.length)
      change.removedIds = batch.remove.map((uid) => messageRowId(folderId, uid));
    if (batch.keepOnly !== undefined) change.keepOnly = { folderId, uids: batch.keepOnly };
  }
  const dropped = [
    ...(batch.folders?.remove ?? []),
    ...(batch.reset && folderId ? [folderId] : []),
  ];
  if (dropped.length) change.droppedFolders = dropped;
  if (batch.removeAccount) change.droppedAccount = batch.accountId;
  const changed =
    change.rowIds.length > 0 ||
    change.textIds ||
    change.flagIds ||
    change.removedIds ||
    change.keepOnly ||
    change.droppedFolders ||
    change.droppedAccount;
  return changed ? change : undefined;
}

/** A folder-scoped change without a folder would land nowhere (or everywhere): refuse the batch. */
function assertWellFormed(batch: ChangeBatch): void {
  if (batch.folderId !== undefined) return;
  const stray = FOLDER_SCOPED.filter((key) => batch[key] !== undefined && batch[key] !== false);
  if (stray.length === 0) return;
  throw new Error(`Change batch ${batch.id}: ${stray.join(', ')} without folderId`);
}

/**
 * The narrowest scope, so that views reading other tables are not held up by this write. Message
 * and folder changes need the queued tasks (and the checkpoints that say whether they still apply).
 */
function scopeOf(batch: ChangeBatch, search: boolean): Scope[] {
  const tables = new Set<Scope>();
  const add = (...names: Scope[]): void => names.forEach((name) => tables.add(name));
  if (batch.removeAccount) add(...MAIL_TABLES, 'tasks');
  if (batch.folders?.remove?.length) add(...MAIL_TABLES, 'tasks');
  if (batch.folders?.put?.length) add('folders', 'tasks');
  if (batch.reset) add('messages', 'bodies', 'checkpoints');
  if (batch.keepOnly !== undefined || batch.remove?.length) {
    add('messages', 'bodies', 'tasks', 'checkpoints');
  }
  if (batch.put?.length || batch.flags?.length) add('messages', 'tasks', 'checkpoints');
  if (batch.put?.length) add('contacts');
  if (batch.bodies?.length) add('messages', 'bodies');
  if (search) add('searchPending');
  if (batch.checkpoint) add('checkpoints');
  return [...tables];
}

/**
 * Folders a queued task created stay although the server has none yet; folders a queued task took
 * away stay away, and what the server says about them updates the task's copy.
 */
async function applyFolderChanges(
  db: PetrelDb,
  folders: { put?: FolderRow[]; remove?: string[] },
): Promise<void> {
  const removing = folders.remove ?? [];
  const putting = folders.put ?? [];
  if (removing.length === 0 && putting.length === 0) return;
  const pending = await pendingFolderEffects(db, [...removing, ...putting.map((row) => row.id)]);
  const gone = removing.filter((id) => !pending.isCreated(id));
  pending.forget(gone);
  if (gone.length) await removeFolders(db, gone);
  const shown: FolderRow[] = [];
  for (const row of putting) {
    if (pending.isHidden(row.id)) pending.keep(row);
    else shown.push(row);
  }
  if (shown.length) await db.folders.bulkPut(shown);
  await pending.save(db);
}

async function applyMessageChanges(
  db: PetrelDb,
  batch: ChangeBatch,
  contacts: BatchHarvest,
): Promise<void> {
  const { folderId } = batch;
  const effects = await pendingEffectsFor(db, batch);
  if (folderId === undefined) {
    // assertWellFormed let only `put` through: its rows name their own folder.
    if (batch.put?.length) await putRows(db, batch.put, effects, contacts);
    await effects.removed.save(db);
    return;
  }
  if (batch.reset) await dropFolderContents(db, folderId);
  if (batch.keepOnly !== undefined) await keepOnly(db, folderId, batch.keepOnly, effects);
  if (batch.put?.length) await putRows(db, batch.put, effects, contacts);
  if (batch.flags?.length) await setFlags(db, folderId, batch.flags, effects);
  if (batch.remove?.length) {
    const ids = batch.remove.map((uid) => messageRowId(folderId, uid));
    effects.removed.forget(ids);
    await deleteMessages(db, ids);
  }
  if (batch.bodies?.length) await storeBodies(db, folderId, batch.bodies);
  await effects.removed.save(db);
}

/**
 * Queued tasks' effects on the rows this batch writes or removes. The batch's own checkpoint says
 * which UIDVALIDITY its folder has from now on (none after a reset without one).
 */
async function pendingEffectsFor(db: PetrelDb, batch: ChangeBatch): Promise<MessageEffects> {
  const touches =
    batch.put?.length ||
    batch.flags?.length ||
    batch.remove?.length ||
    batch.keepOnly !== undefined;
  const folderIds = new Set(touches ? batch.put?.map((row) => row.folderId) : []);
  const known = new Map<string, number | undefined>();
  if (touches && batch.folderId !== undefined) {
    folderIds.add(batch.folderId);
    if (batch.reset || batch.checkpoint) known.set(batch.folderId, batch.checkpoint?.uidValidity);
  }
  return pendingMessageEffects(db, [...folderIds], known);
}

/**
 * Rows with pending flag changes laid over; rows a queued task took away go to its copy instead
 * (not shown). The others are written unchanged (not even copied). Shown rows not cached before
 * are harvested for contacts.
 */
async function putRows(
  db: PetrelDb,
  rows: MessageRow[],
  effects: MessageEffects,
  contacts: BatchHarvest,
): Promise<void> {
  const { flags, removed } = effects;
  if (flags.size === 0 && removed.size === 0) {
    const fresh = await contacts.unseen(db, rows);
    await db.messages.bulkPut(rows);
    await contacts.harvest(db, fresh);
    return;
  }
  const shown: MessageRow[] = [];
  for (const row of rows) {
    const pending = flags.get(row.id);
    const next = pending ? { ...row, flags: withPendingFlags(row.flags, pending) } : row;
    if (removed.has(row.id)) removed.keep(next);
    else shown.push(next);
  }
  const fresh = await contacts.unseen(db, shown);
  await db.messages.bulkPut(shown);
  await contacts.harvest(db, fresh);
}

/** Parts of messages still cached; a part for a message gone meanwhile is dropped. */
async function storeBodies(db: PetrelDb, folderId: string, parts: BodyPart[]): Promise<void> {
  const ids = [...new Set(parts.map((part) => part.rowId))];
  const present = new Set((await db.messages.bulkGet(ids)).flatMap((row) => (row ? [row.id] : [])));
  const fetchedAt = Date.now();
  const rows: BodyRow[] = parts
    .filter((part) => present.has(part.rowId))
    .map((part) => {
      const row: BodyRow = {
        rowId: part.rowId,
        part: part.part,
        folderId,
        contentType: part.contentType,
        size: part.size,
        fetchedAt,
      };
      if (part.text !== undefined) row.text = part.text;
      if (part.dataBase64 !== undefined) row.data = fromBase64(part.dataBase64);
      if (part.truncated) row.truncated = true;
      return row;
    });
  await db.bodies.bulkPut(rows);
}

function fromBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Folders are found through both tables: a folder may have a checkpoint but no row yet (or the
 * reverse). Messages are reached folder by folder, so they need no `accountId` index.
 */
async function removeAccount(db: PetrelDb, accountId: string): Promise<void> {
  const [withRow, withCheckpoint] = await Promise.all([
    db.folders.where('accountId').equals(accountId).primaryKeys(),
    db.checkpoints.where('accountId').equals(accountId).primaryKeys(),
  ]);
  await removeFolders(db, [...new Set([...withRow, ...withCheckpoint])]);
  // The user removed the account: its queued tasks go too, with nothing to undo or report.
  await db.tasks.where('folderId').startsWith(`${accountId}:`).delete();
}

async function removeFolders(db: PetrelDb, folderIds: string[]): Promise<void> {
  await Promise.all(folderIds.map((folderId) => dropFolderContents(db, folderId)));
  await db.folders.bulkDelete(folderIds);
}

/**
 * Messages, bodies and checkpoint of a folder. The checkpoint goes too: kept, it would tell main the
 * now empty folder is up to date. A batch that resets and brings a checkpoint writes it afterwards.
 */
async function dropFolderContents(db: PetrelDb, folderId: string): Promise<void> {
  await Promise.all([
    messagesOfFolder(db, folderId).delete(),
    db.bodies.where('folderId').equals(folderId).delete(),
    db.checkpoints.delete(folderId),
  ]);
}

/**
 * Reads only primary keys from the index: a 100k folder must not be loaded to be reconciled. Rows
 * a queued task took away and the server no longer has are forgotten (with their bodies).
 */
async function keepOnly(
  db: PetrelDb,
  folderId: string,
  uidSet: string,
  effects: MessageEffects,
): Promise<void> {
  const keep = uidSetMatcher(uidSet);
  const ids = await messagesOfFolder(db, folderId).primaryKeys();
  const gone = ids.filter((id) => !keep(uidOfRowId(id)));
  const held = effects.removed
    .ids()
    .filter((id) => folderIdOfRowId(id) === folderId && !keep(uidOfRowId(id)));
  effects.removed.forget(held);
  await deleteMessages(db, [...gone, ...held]);
}

/**
 * Writes only rows whose flags changed (each write costs every index); never creates rows. Queued
 * tasks' changes are laid over the server's flags first. Rows a queued task took away get the
 * change in its copy.
 */
async function setFlags(
  db: PetrelDb,
  folderId: string,
  changes: FlagChange[],
  effects: MessageEffects,
): Promise<void> {
  // A later change of the same UID wins, as it would on the server.
  const wanted = new Map(
    changes.map((change) => [messageRowId(folderId, change.uid), change.flags]),
  );
  const rows = await db.messages.bulkGet([...wanted.keys()]);
  const changed = [];
  for (const row of rows) {
    const server = row && wanted.get(row.id);
    const flags = server && withPendingFlags(server, effects.flags.get(row.id));
    if (!row || !flags || sameFlags(row.flags, flags)) continue;
    changed.push({ ...row, flags });
  }
  if (changed.length > 0) await db.messages.bulkPut(changed);
  for (const [id, server] of wanted) {
    const copy = effects.removed.copy(id);
    if (copy)
      effects.removed.keep({ ...copy, flags: withPendingFlags(server, effects.flags.get(id)) });
  }
}

/** Flags are a set: order and repeats carry no meaning. */
function sameFlags(current: string[], next: string[]): boolean {
  const a = new Set(current);
  const b = new Set(next);
  return a.size === b.size && [...b].every((flag) => a.has(flag));
}

async function deleteMessages(db: PetrelDb, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await Promise.all([
    db.messages.bulkDelete(ids),
    // `rowId` is the leading part of the bodies' compound key, which Dexie can query directly.
    db.bodies.where('rowId').anyOf(ids).delete(),
  ]);
}
