import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { folderIdOf, messageRowId } from '#shared/mail';
import {
  FOLDER_CHANGED,
  permanentFailure,
  transientFailure,
  type MailTask,
  type TaskResult,
} from '#shared/tasks';
import { applyBatch } from './apply.ts';
import type { PetrelDb } from './db.ts';
import {
  SEEN,
  deleteMessages,
  markRead,
  moveMessages,
  startTaskRunner,
  undoTask,
  undoTasks,
  type TaskRunnerBridge,
} from './tasks.ts';
import {
  batch,
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
const INBOX = folderIdOf(ACCOUNT, 'INBOX');
const ARCHIVE = folderIdOf(ACCOUNT, 'Archive');
const JUNK = folderIdOf(ACCOUNT, 'Junk');
const ARCHIVE_UIDVALIDITY = 42;

const rowIds = (folderId: string, ...uids: number[]): string[] =>
  uids.map((uid) => messageRowId(folderId, uid));

/** Main's answer to a move of INBOX 1 and 2 to Archive: they landed as 51 and 52. */
const MOVED: TaskResult = {
  ok: true,
  movedTo: {
    folderId: ARCHIVE,
    uidValidity: ARCHIVE_UIDVALIDITY,
    uids: [
      [1, 51],
      [2, 52],
    ],
  },
};

let db: PetrelDb;
const stops: (() => void)[] = [];

beforeEach(async () => {
  db = freshDb();
  await seed(db, INBOX, { 1: [SEEN], 2: [], 3: [] });
  await seed(db, ARCHIVE, { 10: [] }, ARCHIVE_UIDVALIDITY);
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

/** Archive's sync after the move: the moved messages under the UIDs the server gave them. */
async function archiveSynced(): Promise<void> {
  await applyBatch(
    db,
    batch(ACCOUNT, {
      folderId: ARCHIVE,
      put: [message(ARCHIVE, 51, { flags: [SEEN] }), message(ARCHIVE, 52)],
      checkpoint: checkpoint({ uidValidity: ARCHIVE_UIDVALIDITY }),
    }),
  );
}

/** A `performTask` answer that waits until `open` is called. */
function gate() {
  let open = (_result: TaskResult): void => {};
  const answer = new Promise<TaskResult>((resolve) => (open = resolve));
  return { answer, open };
}

describe('undoTask before main has the task', () => {
  it('takes it back: the rows return exactly and nothing reaches the server', async () => {
    const before = await dump(db);
    const [taskId] = await moveMessages(db, rowIds(INBOX, 1, 2), ARCHIVE, 'archive');

    expect(await undoTask(db, taskId as number)).toEqual({ kind: 'cancelled' });

    expect(await dump(db)).toEqual(before);
    const { bridge, performed } = fakeBridge(() => ({ ok: true }));
    run(bridge);
    await pause();
    expect(performed).toEqual([]);
  });

  it('takes back one put off (offline): it is not sent again', async () => {
    const { bridge, performed, connected } = fakeBridge(() => transientFailure('offline'));
    run(bridge);
    const [taskId] = await moveMessages(db, rowIds(INBOX, 1), ARCHIVE);
    await vi.waitFor(async () => expect((await db.tasks.toArray())[0]?.attempts).toBe(1));

    expect(await undoTask(db, taskId as number)).toEqual({ kind: 'cancelled' });
    connected(ACCOUNT);
    await pause();

    expect(performed).toHaveLength(1);
    expect(await uidsOf(db, INBOX)).toEqual([1, 2, 3]);
  });
});

describe('undoTask after main did the task', () => {
  it('moves the messages back from where they landed, with the UIDs main reported', async () => {
    const done: [MailTask, TaskResult, number][] = [];
    const { bridge, performed } = fakeBridge((task) =>
      task.type === 'moveMessages' && task.folderId === INBOX ? MOVED : { ok: true },
    );
    run(bridge, { onDone: (task, result, taskId) => done.push([task, result, taskId]) });
    const [taskId] = await moveMessages(db, rowIds(INBOX, 1, 2), ARCHIVE, 'archive');
    await vi.waitFor(() => expect(done).toHaveLength(1));
    expect(done[0]?.[1]).toEqual(MOVED);
    expect(done[0]?.[2]).toBe(taskId);
    await archiveSynced();

    const undone = await undoTask(db, taskId as number);

    expect(undone).toMatchObject({ kind: 'reversed' });
    // The copies leave Archive at once; INBOX shows them once its sync brings them (new UIDs).
    expect(await uidsOf(db, ARCHIVE)).toEqual([10]);
    await vi.waitFor(() => expect(performed).toHaveLength(2));
    expect(performed[1]).toEqual({
      type: 'moveMessages',
      accountId: ACCOUNT,
      folderId: ARCHIVE,
      uidValidity: ARCHIVE_UIDVALIDITY,
      uids: [51, 52],
      targetFolderId: INBOX,
      reason: 'move',
    });
    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
  });

  it('says "not junk" back to a junk move, and queues the reverse even before the target synced', async () => {
    const { bridge, performed } = fakeBridge(() => ({
      ok: true,
      movedTo: { folderId: JUNK, uidValidity: 5, uids: [[3, 9]] },
    }));
    run(bridge);
    const [taskId] = await moveMessages(db, rowIds(INBOX, 3), JUNK, 'junk');
    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));

    expect(await undoTask(db, taskId as number)).toMatchObject({ kind: 'reversed' });

    await vi.waitFor(() => expect(performed).toHaveLength(2));
    expect(performed[1]).toMatchObject({ folderId: JUNK, uids: [9], reason: 'notJunk' });
  });

  it('waits for a task main is performing right now, then reverses it', async () => {
    const move = gate();
    const { bridge, performed } = fakeBridge((task) =>
      task.type === 'moveMessages' && task.folderId === INBOX ? move.answer : { ok: true },
    );
    run(bridge);
    const [taskId] = await moveMessages(db, rowIds(INBOX, 1, 2), ARCHIVE);
    await vi.waitFor(() => expect(performed).toHaveLength(1));

    const undoing = undoTask(db, taskId as number);
    await pause();
    move.open(MOVED);

    expect(await undoing).toMatchObject({ kind: 'reversed' });
    await vi.waitFor(() => expect(performed).toHaveLength(2));
    expect(performed[1]).toMatchObject({ folderId: ARCHIVE, uids: [51, 52] });
  });

  it('takes back a task in flight that then failed for now, and it is not sent again', async () => {
    const move = gate();
    const { bridge, performed, connected } = fakeBridge(() => move.answer);
    run(bridge);
    const [taskId] = await moveMessages(db, rowIds(INBOX, 1), ARCHIVE);
    await vi.waitFor(() => expect(performed).toHaveLength(1));

    const undoing = undoTask(db, taskId as number);
    move.open(transientFailure('offline'));

    expect(await undoing).toEqual({ kind: 'cancelled' });
    connected(ACCOUNT);
    await pause();
    expect(performed).toHaveLength(1);
    expect(await uidsOf(db, INBOX)).toEqual([1, 2, 3]);
  });

  it('has nothing to undo once a task in flight was refused (its effect is undone already)', async () => {
    const move = gate();
    const { bridge, performed } = fakeBridge(() => move.answer);
    run(bridge);
    const [taskId] = await moveMessages(db, rowIds(INBOX, 1), ARCHIVE);
    await vi.waitFor(() => expect(performed).toHaveLength(1));

    const undoing = undoTask(db, taskId as number);
    move.open(permanentFailure('the server refused'));

    expect(await undoing).toEqual({ kind: 'none' });
    expect(await uidsOf(db, INBOX)).toEqual([1, 2, 3]);
  });

  it('reverses a flag change', async () => {
    const { bridge, performed } = fakeBridge(() => ({ ok: true }));
    run(bridge);
    const [taskId] = await markRead(db, rowIds(INBOX, 2), true);
    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));

    expect(await undoTask(db, taskId as number)).toMatchObject({ kind: 'reversed' });

    expect((await db.messages.get(messageRowId(INBOX, 2)))?.flags).toEqual([]);
    await vi.waitFor(() => expect(performed).toHaveLength(2));
    expect(performed[1]).toMatchObject({ type: 'setFlags', uids: [2], remove: [SEEN] });
  });

  it('does not reverse what cannot be, and says why', async () => {
    let answer: TaskResult = { ok: true };
    const { bridge } = fakeBridge(() => answer);
    run(bridge);
    const [deleted] = await deleteMessages(db, rowIds(INBOX, 3));
    const [unsaid] = await moveMessages(db, rowIds(INBOX, 2), ARCHIVE);
    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
    answer = MOVED;
    const [moved] = await moveMessages(db, rowIds(INBOX, 1), ARCHIVE);
    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
    // Archive was reset on the server since: UIDs 51 and 52 name nothing of ours now.
    await applyBatch(
      db,
      batch(ACCOUNT, {
        folderId: ARCHIVE,
        reset: true,
        checkpoint: checkpoint({ uidValidity: 43 }),
      }),
    );

    expect(await undoTask(db, deleted as number)).toEqual({
      kind: 'none',
      reason: 'deleted messages cannot be brought back',
    });
    expect(await undoTask(db, unsaid as number)).toEqual({
      kind: 'none',
      reason: 'the server did not say where the messages went',
    });
    expect(await undoTask(db, moved as number)).toEqual({ kind: 'none', reason: FOLDER_CHANGED });
    expect(await undoTask(db, 12345)).toEqual({ kind: 'none' });
    expect(await db.tasks.count()).toBe(0);
  });

  it('undoTasks takes back the tasks of one action, last first', async () => {
    await seed(db, JUNK, { 4: [] }, 5);
    const before = await dump(db);
    const ids = await moveMessages(db, [...rowIds(INBOX, 1), ...rowIds(JUNK, 4)], ARCHIVE);

    expect(await undoTasks(db, ids)).toEqual([{ kind: 'cancelled' }, { kind: 'cancelled' }]);

    expect(await dump(db)).toEqual(before);
  });
});
