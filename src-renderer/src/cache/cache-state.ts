/** What the cache tells main when it attaches, so sync resumes where the cache stands. */
import type { CacheState, Checkpoint } from '#shared/sync';
import { CACHE_SCHEMA_VERSION, type CheckpointRow, type PetrelDb } from './db.ts';

/**
 * Every folder's checkpoint by folder id, and every folder the cache holds anything of: a folder
 * with a checkpoint but no row counts too, so that main can remove it once the server has no such
 * folder.
 */
export async function readCacheState(db: PetrelDb): Promise<CacheState> {
  const [rows, folderIds] = await db.transaction('r', db.checkpoints, db.folders, () =>
    Promise.all([db.checkpoints.toArray(), db.folders.toCollection().primaryKeys()]),
  );
  const checkpoints = Object.fromEntries(rows.map((row) => [row.folderId, checkpointOf(row)]));
  return {
    schemaVersion: CACHE_SCHEMA_VERSION,
    checkpoints,
    folderIds: [...new Set([...folderIds, ...Object.keys(checkpoints)])].sort(),
  };
}

/** Main knows the folder by the key: the row's own bookkeeping stays here. */
function checkpointOf(row: CheckpointRow): Checkpoint {
  const { folderId: _folderId, accountId: _accountId, ...checkpoint } = row;
  return checkpoint;
}
