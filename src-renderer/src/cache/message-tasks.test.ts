import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { folderIdOf, messageRowId } from '#shared/mail';
import {
  FOLDER_CHANGED,
  permanentFailure,
  transientFailure,
  type MailTask,
  type MoveMessagesTask,
} from '#shared/tasks';
import { applyBatch } from './apply.ts';
import type { PetrelDb } from './db.ts';
import {
  SEEN,
  FLAGGED,
  completeTask,
  deleteMessages,
  markRead,
  moveMessages,
  rollBackTask,
  startTaskRunner,
  undoTask,
  type TaskRunnerBridge,
} from './tasks.ts';
import {
  batch,
  body,
  checkpoint,
  dump,
  fakeBridge,
  freshDb,
  message,
  pause,
  seed,
  uidsOf,
} from './test-support.ts';

const ACCOUNT = 'acc1';
const OTHER_ACCOUNT = 'acc2';
const INBOX = folderIdOf(ACCOUNT, 'INBOX');
const ARCHIVE = folderIdOf(ACCOUNT, 'Archive');
const TRASH = folderIdOf(ACCOUNT, 'Trash');
const OTHER_INBOX = folderIdOf(OTHER_ACCOUNT, 'INBOX');
const UIDVALIDITY = 7;
const ARCHIVE_UIDVALIDITY = 42;

const rowId = (folderId: string, uid: number): string => messageRowId(folderId, uid);
const rowIds = (folderId: string, ...uids: number[]): string[] =>
  uids.map((uid) => rowId(folderId, uid));
const tasksQueued = async (db: PetrelDb): Promise<MailTask[]> =>
  (await db.tasks.toArray()).map((row) => row.task);

let db: PetrelDb;
const stops: (() => void)[] = [];

beforeEach(async () => {
  db = freshDb();
  await seed(db, INBOX, { 1: [], 2: [SEEN], 3: [] });
  await seed(db, ARCHIVE, { 10: [] }, ARCHIVE_UIDVALIDITY);
  await db.bodies.bulkPut([body(message(INBOX, 1)), body(message(INBOX, 2), '2')]);
});

afterEach(async () => {
  stops.splice(0).forEach((stop) => stop());
  db.close();
  await db.delete();
});

function run(bridge: TaskRunnerBridge, options: Parameters<typeof startTaskRunner>[2] = {}) {
  const stop = startTaskRunner(db, bridge, { retryIntervalMs: 60_000, ...options });
  stops.push(stop);
  return stop;
}

/** Makes every write to `tasks` fail, as a full disk would. Must run on a closed database. */
async function refuseTaskWrites(): Promise<void> {
  db.close();
  db.use({
    stack: 'dbcore',
    name: 'refuse-tasks',
    create: (down) => ({
      ...down,
      table: (name) => {
        const table = down.table(name);
        if (name !== 'tasks') return table;
        return { ...table, mutate: () => Promise.reject(new Error('disk full')) };
      },
    }),
  });
  await db.open();
}

function moveTask(uids: number[], extra: Partial<MoveMessagesTask> = {}): MoveMessagesTask {
  return {
    type: 'moveMessages',
    accountId: ACCOUNT,
    folderId: INBOX,
    uidValidity: UIDVALIDITY,
    uids,
    targetFolderId: ARCHIVE,
    reason: 'archive',
    ...extra,
  };
}

describe('moveMessages and deleteMessages', () => {
  it('take the rows out of their folder at once, keeping them (and their bodies) for a rollback', async () => {
    const before = await db.messages.bulkGet(rowIds(INBOX, 1, 2));

    const ids = await moveMessages(db, rowIds(INBOX, 1, 2), ARCHIVE, 'archive');

    expect(ids).toHaveLength(1);
    expect(await uidsOf(db, INBOX)).toEqual([3]);
    // Nothing made up in the target: it shows them once its sync brings them.
    expect(await uidsOf(db, ARCHIVE)).toEqual([10]);
    const [row] = await db.tasks.toArray();
    expect(row?.task).toEqual(moveTask([1, 2]));
    expect(row?.undo.messages).toEqual(before);
    expect(await db.bodies.count()).toBe(2);
  });

  it('queue a task per source folder; a move to another account is a transfer', async () => {
    await seed(db, OTHER_INBOX, { 5: [] });

    const ids = await moveMessages(
      db,
      [...rowIds(INBOX, 3), ...rowIds(ARCHIVE, 10), ...rowIds(OTHER_INBOX, 5)],
      ARCHIVE,
    );

    // The row already in Archive stays where it is.
    expect(ids).toHaveLength(2);
    expect(await tasksQueued(db)).toEqual([
      moveTask([3], { reason: 'move' }),
      {
        type: 'transferMessages',
        accountId: OTHER_ACCOUNT,
        folderId: OTHER_INBOX,
        uidValidity: UIDVALIDITY,
        uids: [5],
        targetAccountId: ACCOUNT,
        targetFolderId: ARCHIVE,
      },
    ]);
    expect(await uidsOf(db, OTHER_INBOX)).toEqual([]);
    expect(await uidsOf(db, ARCHIVE)).toEqual([10]);
  });

  it('deleteMessages queues a delete for good per folder', async () => {
    const ids = await deleteMessages(db, [...rowIds(INBOX, 1, 404), ...rowIds(ARCHIVE, 10)]);

    expect(ids).toHaveLength(2);
    expect(await tasksQueued(db)).toEqual([
      { type: 'deleteMessages', accountId: ACCOUNT, folderId: INBOX, uidValidity: 7, uids: [1] },
      {
        type: 'deleteMessages',
        accountId: ACCOUNT,
        folderId: ARCHIVE,
        uidValidity: ARCHIVE_UIDVALIDITY,
        uids: [10],
      },
    ]);
    expect(await uidsOf(db, INBOX)).toEqual([2, 3]);
    expect(await uidsOf(db, ARCHIVE)).toEqual([]);
  });

  it('write neither the effect nor the task when the task cannot be stored', async () => {
    const before = await dump(db);
    await refuseTaskWrites();

    await expect(moveMessages(db, rowIds(INBOX, 1, 2), ARCHIVE)).rejects.toThrow('disk full');
    await expect(deleteMessages(db, rowIds(INBOX, 3))).rejects.toThrow('disk full');

    expect(await dump(db)).toEqual(before);
  });

  it('roll back exactly: rows and bodies as they were', async () => {
    const before = await dump(db);
    const [move] = await moveMessages(db, rowIds(INBOX, 1, 2), ARCHIVE);
    const [remove] = await deleteMessages(db, rowIds(INBOX, 3));

    await rollBackTask(db, remove as number);
    await rollBackTask(db, move as number);

    expect(await dump(db)).toEqual(before);
    expect(await db.tasks.count()).toBe(0);
  });

  it('once done, drop the bodies of the messages they took away', async () => {
    const [id] = await moveMessages(db, rowIds(INBOX, 1, 2), ARCHIVE);

    await completeTask(db, id as number);

    expect(await db.tasks.count()).toBe(0);
    expect(await db.bodies.count()).toBe(0);
    expect(await uidsOf(db, INBOX)).toEqual([3]);
  });
});

describe('applyBatch while a move or delete is queued', () => {
  it('does not show the rows again, whatever the server sends, until the task is done', async () => {
    await moveMessages(db, rowIds(INBOX, 1), ARCHIVE);
    await deleteMessages(db, rowIds(INBOX, 2));

    // A reconciliation from before the task, a refetch, a flag change: none brings them back.
    await applyBatch(
      db,
      batch(ACCOUNT, {
        folderId: INBOX,
        keepOnly: '1:3',
        put: [message(INBOX, 1), message(INBOX, 2), message(INBOX, 3, { subject: 'Changed' })],
        flags: [{ uid: 1, flags: [FLAGGED] }],
      }),
    );
    await applyBatch(db, batch(ACCOUNT, { put: [message(INBOX, 2)] }));

    expect(await uidsOf(db, INBOX)).toEqual([3]);
    expect((await db.messages.get(rowId(INBOX, 3)))?.subject).toBe('Changed');

    // Done: the server no longer has them, so nothing comes back (Mailspring #777).
    for (const row of await db.tasks.toArray()) await completeTask(db, row.id);
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, remove: [1, 2], keepOnly: '3' }));
    expect(await uidsOf(db, INBOX)).toEqual([3]);
  });

  it('keeps what the server says about them in the task, so a rollback puts back the server’s', async () => {
    const [id] = await moveMessages(db, rowIds(INBOX, 1, 2, 3), ARCHIVE);

    await applyBatch(
      db,
      batch(ACCOUNT, {
        folderId: INBOX,
        put: [message(INBOX, 1, { subject: 'Edited elsewhere' })],
        flags: [{ uid: 2, flags: [SEEN, FLAGGED] }],
      }),
    );
    // Message 3 was expunged elsewhere: a rollback must not bring it back.
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, remove: [3] }));

    await rollBackTask(db, id as number);

    expect(await uidsOf(db, INBOX)).toEqual([1, 2]);
    expect((await db.messages.get(rowId(INBOX, 1)))?.subject).toBe('Edited elsewhere');
    expect((await db.messages.get(rowId(INBOX, 2)))?.flags).toEqual([SEEN, FLAGGED]);
    expect(await db.bodies.count()).toBe(2);
  });

  it('forgets rows a reconciliation says are gone, with their bodies', async () => {
    const [id] = await moveMessages(db, rowIds(INBOX, 1, 2), ARCHIVE);

    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, keepOnly: '2:3' }));

    expect((await db.tasks.get(id as number))?.undo.messages?.map((row) => row.uid)).toEqual([2]);
    expect((await db.bodies.toArray()).map((row) => row.rowId)).toEqual([rowId(INBOX, 2)]);
    await rollBackTask(db, id as number);
    expect(await uidsOf(db, INBOX)).toEqual([2, 3]);
  });

  it('also keeps out rows of UIDs the task names that were not cached yet', async () => {
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, remove: [3] }));
    const [id] = await moveMessages(db, rowIds(INBOX, 1), ARCHIVE);
    // A task naming more UIDs than the cache holds (an undo's reverse move does).
    const row = await db.tasks.get(id as number);
    await db.tasks.put({ ...row!, task: moveTask([1, 7]) });

    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, put: [message(INBOX, 7)] }));
    expect(await uidsOf(db, INBOX)).toEqual([2]);

    await rollBackTask(db, id as number);
    expect(await uidsOf(db, INBOX)).toEqual([1, 2, 7]);
  });

  it('lets the new messages of a reset folder in: the task’s UIDs named other messages', async () => {
    await moveMessages(db, rowIds(INBOX, 1), ARCHIVE);

    await applyBatch(
      db,
      batch(ACCOUNT, {
        folderId: INBOX,
        reset: true,
        put: [message(INBOX, 1, { subject: 'Another message' })],
        checkpoint: checkpoint({ uidValidity: UIDVALIDITY + 1 }),
      }),
    );

    expect((await db.messages.get(rowId(INBOX, 1)))?.subject).toBe('Another message');
  });

  it('undoing a flag change under a queued move corrects the move’s copy', async () => {
    await markRead(db, rowIds(INBOX, 1), true);
    const [flagTask] = await db.tasks.toCollection().primaryKeys();
    const [move] = await moveMessages(db, rowIds(INBOX, 1), ARCHIVE);

    await rollBackTask(db, flagTask as number);
    await rollBackTask(db, move as number);

    expect((await db.messages.get(rowId(INBOX, 1)))?.flags).toEqual([]);
  });
});

describe('the runner with moves and deletes', () => {
  it('a move refused for good comes back exactly, and the user is told why', async () => {
    const before = await dump(db);
    await moveMessages(db, rowIds(INBOX, 1, 2), ARCHIVE);
    const failed: string[] = [];
    const { bridge } = fakeBridge(() => permanentFailure('the server refused'));

    run(bridge, { onFailed: (reason) => failed.push(reason) });

    await vi.waitFor(() => expect(failed).toEqual(['the server refused']));
    expect(await dump(db)).toEqual(before);
  });

  it('a move into a folder that was reset is dropped quietly, bringing no stale row back', async () => {
    await moveMessages(db, rowIds(INBOX, 1, 2), ARCHIVE);
    // The folder was reset on the server: new messages, some under the same UIDs.
    await applyBatch(
      db,
      batch(ACCOUNT, {
        folderId: INBOX,
        reset: true,
        put: [message(INBOX, 2, { subject: 'Another message' })],
        checkpoint: checkpoint({ uidValidity: UIDVALIDITY + 1 }),
      }),
    );
    await db.bodies.put(body(message(INBOX, 2, { subject: 'Another message' })));
    const after = await dump(db);
    const failed: string[] = [];
    const { bridge } = fakeBridge(() => permanentFailure(FOLDER_CHANGED));

    run(bridge, { onFailed: (reason) => failed.push(reason) });

    await vi.waitFor(() => expect(failed).toEqual([FOLDER_CHANGED]));
    expect(await db.tasks.count()).toBe(0);
    expect(await dump(db)).toEqual(after);
  });

  it('a move done before a reset does not drop the new messages’ bodies', async () => {
    const [id] = await moveMessages(db, rowIds(INBOX, 1), ARCHIVE);
    await applyBatch(
      db,
      batch(ACCOUNT, {
        folderId: INBOX,
        reset: true,
        put: [message(INBOX, 1)],
        checkpoint: checkpoint({ uidValidity: UIDVALIDITY + 1 }),
      }),
    );
    await db.bodies.put(body(message(INBOX, 1)));

    await completeTask(db, id as number);

    expect(await db.bodies.count()).toBe(1);
  });
});

/**
 * K-9 #8622: a message moved and then deleted while offline was lost or came back. Here a moved
 * message is in no folder of the cache until the target's sync brings it under its real UID.
 */
describe('a move, then a delete of the same message', () => {
  it('offline: the moved message cannot be named until the move is done; undoing it can', async () => {
    await moveMessages(db, rowIds(INBOX, 1), TRASH, 'trash');

    // Nothing to delete: the row left INBOX, and Trash shows nothing made up.
    expect(await deleteMessages(db, rowIds(INBOX, 1))).toEqual([]);
    expect(await uidsOf(db, TRASH)).toEqual([]);

    // Taking the move back first, then deleting: the server sees only the delete.
    const [move] = (await db.tasks.toArray()).map((row) => row.id);
    expect(await undoTask(db, move as number)).toEqual({ kind: 'cancelled' });
    await deleteMessages(db, rowIds(INBOX, 1));
    const { bridge, performed } = fakeBridge(() => ({ ok: true }));
    run(bridge);

    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
    expect(performed).toEqual([
      { type: 'deleteMessages', accountId: ACCOUNT, folderId: INBOX, uidValidity: 7, uids: [1] },
    ]);
  });

  it('online: the delete names the moved copy’s own UID and runs after the move', async () => {
    await seed(db, TRASH, {}, 99);
    let online = false;
    const { bridge, performed, connected } = fakeBridge((task) => {
      if (!online) return transientFailure('offline');
      if (task.type !== 'moveMessages') return { ok: true };
      return { ok: true, movedTo: { folderId: TRASH, uidValidity: 99, uids: [[1, 51]] } };
    });
    run(bridge);
    await moveMessages(db, rowIds(INBOX, 1), TRASH, 'trash');
    await vi.waitFor(() => expect(performed).toHaveLength(1));
    // Main did the move, but its answer was lost (the connection dropped): still queued.
    // Trash's sync shows the copy meanwhile, under the UID the server gave it.
    await applyBatch(
      db,
      batch(ACCOUNT, {
        folderId: TRASH,
        put: [message(TRASH, 51)],
        checkpoint: checkpoint({ uidValidity: 99 }),
      }),
    );

    await deleteMessages(db, rowIds(TRASH, 51));
    online = true;
    connected(ACCOUNT);

    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
    expect(performed.slice(1)).toEqual([
      { ...moveTask([1], { targetFolderId: TRASH, reason: 'trash' }) },
      { type: 'deleteMessages', accountId: ACCOUNT, folderId: TRASH, uidValidity: 99, uids: [51] },
    ]);
    await pause();
    expect(await uidsOf(db, TRASH)).toEqual([]);
  });
});
