/**
 * The local effects of queued tasks, as they must show over whatever the server says until main
 * has carried the tasks out (Mailspring's approach): `apply.ts` lays them over incoming flags, and
 * undoing one task lays the others over again. Call these inside a transaction that has `tasks`
 * and `checkpoints` in its scope.
 */
import { messageRowId } from '#shared/mail';
import { changeFlags } from '#shared/tasks';
import type { PetrelDb } from './db.ts';

/** One task's change to a message's flags. */
export interface FlagEffect {
  add?: readonly string[];
  remove?: readonly string[];
}

/** By message row id: the pending changes to its flags, in queue order. */
export type FlagEffects = ReadonlyMap<string, readonly FlagEffect[]>;

export const NO_EFFECTS: FlagEffects = new Map();

/**
 * Pending flag changes to messages of `folderIds`. A task whose UIDVALIDITY is not its folder's
 * is left out (its UIDs name other messages now): the folder's UIDVALIDITY is `known`'s when it
 * has the folder (undefined there: none, as after a reset), else the stored checkpoint's.
 */
export async function pendingFlagEffects(
  db: PetrelDb,
  folderIds: readonly string[],
  known: ReadonlyMap<string, number | undefined> = new Map(),
): Promise<FlagEffects> {
  if (folderIds.length === 0) return NO_EFFECTS;
  const tasks = await db.tasks.where('folderId').anyOf(folderIds).toArray();
  if (tasks.length === 0) return NO_EFFECTS;
  const validity = new Map(known);
  const unknown = [...new Set(tasks.map((row) => row.folderId))].filter((id) => !known.has(id));
  const checkpoints = await db.checkpoints.bulkGet(unknown);
  unknown.forEach((folderId, index) => validity.set(folderId, checkpoints[index]?.uidValidity));

  const effects = new Map<string, FlagEffect[]>();
  for (const { task } of tasks.sort((a, b) => a.id - b.id)) {
    if (task.type !== 'setFlags' || validity.get(task.folderId) !== task.uidValidity) continue;
    for (const uid of task.uids) {
      const rowId = messageRowId(task.folderId, uid);
      const list = effects.get(rowId);
      if (list) list.push(task);
      else effects.set(rowId, [task]);
    }
  }
  return effects;
}

/** `flags` with the pending changes laid over, in order. */
export function withPendingFlags(
  flags: string[],
  effects: readonly FlagEffect[] | undefined,
): string[] {
  return effects ? effects.reduce<string[]>(changeFlags, flags) : flags;
}
