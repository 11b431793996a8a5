/**
 * Fixtures for the cache's tests: rows shaped like main's, and a uniquely named database per test.
 * Not imported by production code.
 */
import type { AccountStatus } from '#shared/accounts';
import {
  accountIdOfFolderId,
  folderIdOf,
  messageRowId,
  type FolderRow,
  type MessageRow,
} from '#shared/mail';
import type { ChangeBatch, Checkpoint } from '#shared/sync';
import type { MailTask, TaskResult } from '#shared/tasks';
import { applyBatch } from './apply.ts';
import { openCache, type BodyRow, type PetrelDb } from './db.ts';
import type { TaskRunnerBridge } from './task-runner.ts';

/** 2023-11-14T22:13:20Z; each UID adds a second, so a higher UID is newer. */
export const BASE_DATE = 1_700_000_000_000;

/** A fresh database with a name no other test uses; delete it with `db.delete()`. */
export function freshDb(): PetrelDb {
  return openCache(`petrel-test-${crypto.randomUUID()}`);
}

export function folder(accountId: string, path: string, extra: Partial<FolderRow> = {}): FolderRow {
  return {
    id: folderIdOf(accountId, path),
    accountId,
    path,
    name: path.split('/').at(-1) ?? path,
    delimiter: '/',
    namespace: 'personal',
    subscribed: true,
    selectable: true,
    messages: 0,
    unseen: 0,
    ...extra,
  };
}

/** A message of `folderId` (which must come from `folderIdOf`), about 500 bytes like real rows. */
export function message(
  folderId: string,
  uid: number,
  extra: Partial<MessageRow> = {},
): MessageRow {
  const accountId = accountIdOfFolderId(folderId);
  return {
    id: messageRowId(folderId, uid),
    folderId,
    accountId,
    uid,
    date: BASE_DATE + uid * 1000,
    flags: [],
    size: 4096,
    subject: `Quarterly report, part ${uid}`,
    from: [{ name: 'Ada Lovelace', address: 'ada@example.org' }],
    to: [{ name: 'Charles Babbage', address: 'charles@example.org' }],
    cc: [],
    messageId: `<${uid}.${accountId}@example.org>`,
    threadId: `<${uid}.${accountId}@example.org>`,
    preview:
      'Please find the numbers for this quarter attached; the summary is on page two and '.repeat(
        2,
      ),
    hasAttachments: false,
    ...extra,
  };
}

/** `count` messages with UIDs first, first + 1, … */
export function messages(folderId: string, count: number, first = 1): MessageRow[] {
  return Array.from({ length: count }, (_, index) => message(folderId, first + index));
}

export function body(row: MessageRow, part = '1'): BodyRow {
  return {
    rowId: row.id,
    part,
    folderId: row.folderId,
    contentType: 'text/plain',
    text: `Body of ${row.id}, part ${part}`,
    size: 20,
    fetchedAt: BASE_DATE,
  };
}

export function checkpoint(extra: Partial<Checkpoint> = {}): Checkpoint {
  return { uidValidity: 1, uidNext: 100, messages: 99, highestModseq: '12345', ...extra };
}

let nextBatchId = 1;

/** A batch with a fresh id. */
export function batch(
  accountId: string,
  changes: Omit<ChangeBatch, 'id' | 'accountId'> = {},
): ChangeBatch {
  return { id: nextBatchId++, accountId, ...changes };
}

/** Everything the cache holds, in key order: equal dumps mean equal caches. */
export async function dump(db: PetrelDb): Promise<unknown> {
  const [folders, rows, checkpoints, bodies] = await Promise.all([
    db.folders.toArray(),
    db.messages.toArray(),
    db.checkpoints.toArray(),
    db.bodies.toArray(),
  ]);
  return { folders, messages: rows, checkpoints, bodies };
}

/** Sorted UIDs of a folder's cached rows, by a full scan: independent of the indexes under test. */
export async function uidsOf(db: PetrelDb, folderId: string): Promise<number[]> {
  const rows = await db.messages.filter((row) => row.folderId === folderId).toArray();
  return rows.map((row) => row.uid).sort((a, b) => a - b);
}

/** The UIDVALIDITY `seed` gives folders unless told otherwise. */
export const SEED_UIDVALIDITY = 7;

/** A synced folder: rows with these flags (by UID) and a checkpoint at `uidValidity`. */
export async function seed(
  db: PetrelDb,
  folderId: string,
  flagsByUid: Record<number, string[]>,
  uidValidity = SEED_UIDVALIDITY,
): Promise<void> {
  const accountId = accountIdOfFolderId(folderId);
  await applyBatch(
    db,
    batch(accountId, {
      folderId,
      put: Object.entries(flagsByUid).map(([uid, flags]) => message(folderId, +uid, { flags })),
      checkpoint: checkpoint({ uidValidity }),
    }),
  );
}

/** A bridge whose `performTask` answers from `answer` and records every task it is given. */
export function fakeBridge(answer: (task: MailTask) => TaskResult | Promise<TaskResult>) {
  const performed: MailTask[] = [];
  const statusListeners = new Set<(status: AccountStatus) => void>();
  const bridge: TaskRunnerBridge = {
    performTask: async (task) => {
      performed.push(structuredClone(task));
      return answer(task);
    },
    on: (event, listener) => {
      if (event !== 'accountStatus') return () => {};
      const onStatus = listener as (status: AccountStatus) => void;
      statusListeners.add(onStatus);
      return () => statusListeners.delete(onStatus);
    },
  };
  const connected = (accountId: string): void =>
    statusListeners.forEach((listener) => listener({ accountId, state: 'idle', since: 0 }));
  const offline = (accountId: string): void =>
    statusListeners.forEach((listener) => listener({ accountId, state: 'offline', since: 0 }));
  return { bridge, performed, connected, offline };
}

/** A task's UIDs (none for folder tasks). */
export const taskUids = (task: MailTask): number[] => ('uids' in task ? task.uids : []);

/** The flags a setFlags task adds. */
export const flagsAdded = (task: MailTask): string[] | undefined =>
  task.type === 'setFlags' ? task.add : undefined;

/** Time for a wrong implementation to do what it should not. */
export const pause = (ms = 50): Promise<void> => new Promise((done) => setTimeout(done, ms));
