/**
 * The local effects of queued tasks, as they must show over whatever the server says until main
 * has carried the tasks out (Mailspring's approach). `apply.ts` lays them over every batch: flags
 * over incoming flags; rows a task took out of a folder stay out, and what the server says about
 * them goes into the task's copy instead (so a rollback puts back what the server holds); folders
 * a task created stay, folders it took away stay away. Undoing one task lays the others over
 * again. Call these inside a transaction that has `tasks` and `checkpoints` in its scope.
 */
import { messageRowId, type FolderRow, type MessageRow } from '#shared/mail';
import { changeFlags, type MailTask, type MessageTask } from '#shared/tasks';
import type { PetrelDb, TaskRow } from './db.ts';

/** One task's change to a message's flags. */
export interface FlagEffect {
  add?: readonly string[];
  remove?: readonly string[];
}

/** By message row id: the pending changes to its flags, in queue order. */
export type FlagEffects = ReadonlyMap<string, readonly FlagEffect[]>;

export const NO_EFFECTS: FlagEffects = new Map();

/** Queued tasks' effects on the message rows of some folders. */
export interface MessageEffects {
  flags: FlagEffects;
  removed: RemovedRows;
}

/** Tasks on messages of one folder, whose UIDs carry its UIDVALIDITY. */
export function isMessageTask(task: MailTask): task is MessageTask {
  return 'uidValidity' in task;
}

/** Tasks whose local effect takes their messages out of the folder. */
export function removesMessages(
  task: MailTask,
): task is Exclude<MessageTask, { type: 'setFlags' }> {
  return (
    task.type === 'moveMessages' ||
    task.type === 'deleteMessages' ||
    task.type === 'transferMessages'
  );
}

/**
 * Pending effects on messages of `folderIds`. A task whose UIDVALIDITY is not its folder's is
 * left out (its UIDs name other messages now): the folder's UIDVALIDITY is `known`'s when it has
 * the folder (undefined there: none, as after a reset), else the stored checkpoint's.
 */
export async function pendingMessageEffects(
  db: PetrelDb,
  folderIds: readonly string[],
  known: ReadonlyMap<string, number | undefined> = new Map(),
): Promise<MessageEffects> {
  const removed = new RemovedRows();
  if (folderIds.length === 0) return { flags: NO_EFFECTS, removed };
  const tasks = await db.tasks.where('folderId').anyOf(folderIds).toArray();
  if (tasks.length === 0) return { flags: NO_EFFECTS, removed };
  const validity = new Map(known);
  const unknown = [...new Set(tasks.map((row) => row.folderId))].filter((id) => !known.has(id));
  const checkpoints = await db.checkpoints.bulkGet(unknown);
  unknown.forEach((folderId, index) => validity.set(folderId, checkpoints[index]?.uidValidity));

  const flags = new Map<string, FlagEffect[]>();
  for (const row of tasks.sort((a, b) => a.id - b.id)) {
    const { task } = row;
    if (!isMessageTask(task) || validity.get(task.folderId) !== task.uidValidity) continue;
    if (task.type !== 'setFlags') {
      removed.add(row);
      continue;
    }
    for (const uid of task.uids) {
      const rowId = messageRowId(task.folderId, uid);
      const list = flags.get(rowId);
      if (list) list.push(task);
      else flags.set(rowId, [task]);
    }
  }
  return { flags, removed };
}

/** `flags` with the pending changes laid over, in order. */
export function withPendingFlags(
  flags: string[],
  effects: readonly FlagEffect[] | undefined,
): string[] {
  return effects ? effects.reduce<string[]>(changeFlags, flags) : flags;
}

/** A queued task and its copies of what it took away, by id; written back by `save`. */
interface Holder<Row> {
  task: TaskRow;
  copies: Map<string, Row>;
}

/** Keeps holders of row ids (the first task to name a row holds it) and saves changed ones. */
abstract class HeldRows<Row extends { id: string }> {
  protected readonly holders = new Map<string, Holder<Row>>();
  private readonly changed = new Set<Holder<Row>>();

  get size(): number {
    return this.holders.size;
  }

  /** The held rows' ids. */
  ids(): string[] {
    return [...this.holders.keys()];
  }

  has(id: string): boolean {
    return this.holders.has(id);
  }

  /** The task's copy of the row, if it has one. */
  copy(id: string): Row | undefined {
    return this.holders.get(id)?.copies.get(id);
  }

  /** What the server (or an undone task) says about a held row now: it replaces the copy. */
  keep(row: Row): void {
    const holder = this.holders.get(row.id);
    if (!holder) return;
    holder.copies.set(row.id, row);
    this.changed.add(holder);
  }

  /** Gone on the server: a rollback must not bring these back. */
  forget(ids: Iterable<string>): void {
    for (const id of ids) {
      const holder = this.holders.get(id);
      if (holder?.copies.delete(id)) this.changed.add(holder);
    }
  }

  /** Writes the changed tasks back. */
  async save(db: PetrelDb): Promise<void> {
    if (this.changed.size === 0) return;
    const rows = [...this.changed].map((holder) => this.withCopies(holder.task, holder.copies));
    this.changed.clear();
    await db.tasks.bulkPut(rows);
  }

  protected hold(task: TaskRow, ids: readonly string[], rows: readonly Row[]): void {
    const holder: Holder<Row> = { task, copies: new Map(rows.map((row) => [row.id, row])) };
    for (const id of ids) if (!this.holders.has(id)) this.holders.set(id, holder);
  }

  protected abstract withCopies(task: TaskRow, copies: Map<string, Row>): TaskRow;
}

/**
 * Message rows that queued tasks took out of their folders (moved, deleted, transferred): every
 * UID the task names, cached or not, so a batch that brings one later does not show it either.
 */
export class RemovedRows extends HeldRows<MessageRow> {
  add(row: TaskRow): void {
    const { task } = row;
    if (!removesMessages(task)) return;
    const ids = task.uids.map((uid) => messageRowId(task.folderId, uid));
    this.hold(row, ids, row.undo.messages ?? []);
  }

  protected withCopies(task: TaskRow, copies: Map<string, MessageRow>): TaskRow {
    return { ...task, undo: { ...task.undo, messages: [...copies.values()] } };
  }
}

/** Folders that queued folder tasks created (shown early) or took away (hidden), among some ids. */
export class FolderEffects extends HeldRows<FolderRow> {
  private readonly created = new Set<string>();

  /** Created by a queued task: stays although the server has no such folder yet. */
  isCreated(id: string): boolean {
    return this.created.has(id);
  }

  /** Taken away by a queued task (and not created again by another): stays hidden. */
  isHidden(id: string): boolean {
    return this.has(id) && !this.created.has(id);
  }

  addCreated(ids: Iterable<string>): void {
    for (const id of ids) this.created.add(id);
  }

  addHiding(row: TaskRow, ids: readonly string[]): void {
    this.hold(row, ids, row.undo.folders ?? []);
  }

  protected withCopies(task: TaskRow, copies: Map<string, FolderRow>): TaskRow {
    return { ...task, undo: { ...task.undo, folders: [...copies.values()] } };
  }
}

/** What queued folder tasks do to the folders `ids`. Needs `tasks` in the scope. */
export async function pendingFolderEffects(
  db: PetrelDb,
  ids: readonly string[],
): Promise<FolderEffects> {
  const effects = new FolderEffects();
  if (ids.length === 0) return effects;
  const wanted = new Set(ids);
  const [hiding, creating] = await Promise.all([
    db.tasks.where('hides').anyOf(ids).distinct().toArray(),
    db.tasks.where('creates').anyOf(ids).distinct().toArray(),
  ]);
  for (const row of hiding.sort((a, b) => a.id - b.id)) {
    effects.addHiding(
      row,
      (row.hides ?? []).filter((id) => wanted.has(id)),
    );
  }
  for (const row of creating)
    effects.addCreated((row.creates ?? []).filter((id) => wanted.has(id)));
  return effects;
}

/** Those of `folderIds` that queued tasks took away (their messages are not shown). */
export async function hiddenFolders(
  db: PetrelDb,
  folderIds: readonly string[],
): Promise<Set<string>> {
  if (folderIds.length === 0) return new Set();
  const keys = await db.tasks.where('hides').anyOf(folderIds).keys();
  return new Set(keys.map(String));
}
