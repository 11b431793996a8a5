import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { folderIdOf, messageRowId } from '#shared/mail';
import { PetrelError } from '#shared/result';
import {
  FOLDER_CHANGED,
  permanentFailure,
  transientFailure,
  type MailTask,
  type SetFlagsTask,
  type TaskResult,
} from '#shared/tasks';
import { applyBatch } from './apply.ts';
import { queueTask } from './task-queue.ts';
import { openCache, type PetrelDb } from './db.ts';
import {
  SEEN,
  FLAGGED,
  createFolder,
  enqueueTask,
  markRead,
  moveMessages,
  queueStatus,
  setFlagged,
  startTaskRunner,
  type TaskRunnerBridge,
} from './tasks.ts';
import {
  batch,
  checkpoint,
  fakeBridge,
  flagsAdded,
  freshDb,
  message,
  pause,
  seed,
  taskUids,
} from './test-support.ts';

const ACCOUNT = 'acc1';
const OTHER_ACCOUNT = 'acc2';
const INBOX = folderIdOf(ACCOUNT, 'INBOX');
const ARCHIVE = folderIdOf(ACCOUNT, 'Archive');
const OTHER_INBOX = folderIdOf(OTHER_ACCOUNT, 'INBOX');
const UIDVALIDITY = 7;
const folderOf = (task: MailTask): string => ('folderId' in task ? task.folderId : '');

const rowId = (folderId: string, uid: number): string => messageRowId(folderId, uid);
const flagsOf = async (db: PetrelDb, folderId: string, uid: number) =>
  (await db.messages.get(rowId(folderId, uid)))?.flags;

function seenTask(uids: number[], extra: Partial<SetFlagsTask> = {}): SetFlagsTask {
  return {
    type: 'setFlags',
    accountId: ACCOUNT,
    folderId: INBOX,
    uidValidity: UIDVALIDITY,
    uids,
    add: [SEEN],
    ...extra,
  };
}

let db: PetrelDb;
const stops: (() => void)[] = [];

beforeEach(() => {
  db = freshDb();
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

describe('enqueueTask', () => {
  it('writes the local effect and the task, with what undoes it', async () => {
    await seed(db, INBOX, { 1: [], 2: [SEEN], 3: ['\\Answered'] });

    await enqueueTask(db, seenTask([1, 2, 3, 99]));

    expect(await flagsOf(db, INBOX, 1)).toEqual([SEEN]);
    expect(await flagsOf(db, INBOX, 2)).toEqual([SEEN]);
    expect(await flagsOf(db, INBOX, 3)).toEqual(['\\Answered', SEEN]);
    const [row, ...more] = await db.tasks.toArray();
    expect(more).toEqual([]);
    expect(row).toMatchObject({ folderId: INBOX, task: seenTask([1, 2, 3, 99]), attempts: 0 });
    expect(row?.undo.flags).toEqual([
      { rowId: rowId(INBOX, 1), added: [SEEN], removed: [] },
      { rowId: rowId(INBOX, 3), added: [SEEN], removed: [] },
    ]);
  });

  it('writes neither the effect nor the task when the task cannot be stored', async () => {
    await seed(db, INBOX, { 1: [] });
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

    await expect(enqueueTask(db, seenTask([1]))).rejects.toThrow('disk full');

    expect(await flagsOf(db, INBOX, 1)).toEqual([]);
    expect(await db.tasks.count()).toBe(0);
  });

  it('refuses a task whose UIDVALIDITY is not the cached folder’s, writing nothing', async () => {
    await seed(db, INBOX, { 1: [] });

    await expect(enqueueTask(db, seenTask([1], { uidValidity: 8 }))).rejects.toThrow(/UIDVALIDITY/);

    expect(await flagsOf(db, INBOX, 1)).toEqual([]);
    expect(await db.tasks.count()).toBe(0);
  });
});

describe('markRead and setFlagged', () => {
  it('queue one task per folder, for the rows not so already', async () => {
    await seed(db, INBOX, { 1: [], 2: [SEEN], 3: [] });
    await seed(db, ARCHIVE, { 5: ['\\seen'], 6: [] }, 42);

    const queued = await markRead(
      db,
      [rowId(INBOX, 1), rowId(INBOX, 2), rowId(INBOX, 3), rowId(ARCHIVE, 5), rowId(ARCHIVE, 6)],
      true,
    );

    expect(queued).toHaveLength(2);
    const tasks = (await db.tasks.toArray()).map((row) => row.task);
    expect(tasks).toEqual([
      seenTask([1, 3]),
      seenTask([6], { folderId: ARCHIVE, uidValidity: 42 }),
    ]);
    expect(await flagsOf(db, INBOX, 3)).toEqual([SEEN]);
    expect(await flagsOf(db, ARCHIVE, 5)).toEqual(['\\seen']);
  });

  it('remove the flag to undo it, and queue nothing when there is nothing to do', async () => {
    await seed(db, INBOX, { 1: [SEEN, FLAGGED], 2: [] });

    expect(await setFlagged(db, [rowId(INBOX, 1), rowId(INBOX, 2)], false)).toHaveLength(1);
    expect(await markRead(db, [rowId(INBOX, 2), rowId(INBOX, 404)], false)).toEqual([]);

    expect((await db.tasks.toArray()).map((row) => row.task)).toEqual([
      {
        type: 'setFlags',
        accountId: ACCOUNT,
        folderId: INBOX,
        uidValidity: UIDVALIDITY,
        uids: [1],
        remove: [FLAGGED],
      },
    ]);
    expect(await flagsOf(db, INBOX, 1)).toEqual([SEEN]);
  });

  it('leave rows of a folder without a checkpoint alone', async () => {
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, put: [message(INBOX, 1)] }));

    expect(await markRead(db, [rowId(INBOX, 1)], true)).toEqual([]);
    expect(await flagsOf(db, INBOX, 1)).toEqual([]);
  });
});

describe('applyBatch with tasks queued', () => {
  it('keeps the pending effect over flags from the server, then lets the server win', async () => {
    await seed(db, INBOX, { 1: [], 2: [] });
    await markRead(db, [rowId(INBOX, 1)], true);

    // The server has not seen the task yet, but something else changed.
    await applyBatch(
      db,
      batch(ACCOUNT, {
        folderId: INBOX,
        flags: [
          { uid: 1, flags: ['\\Answered'] },
          { uid: 2, flags: ['\\Answered'] },
        ],
      }),
    );
    expect(await flagsOf(db, INBOX, 1)).toEqual(['\\Answered', SEEN]);
    expect(await flagsOf(db, INBOX, 2)).toEqual(['\\Answered']);

    // A full fetch of the same row (reconciliation, backfill) keeps it too.
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, put: [message(INBOX, 1)] }));
    expect(await flagsOf(db, INBOX, 1)).toEqual([SEEN]);

    // Done: what the server says stands again.
    await db.tasks.clear();
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, flags: [{ uid: 1, flags: [] }] }));
    expect(await flagsOf(db, INBOX, 1)).toEqual([]);
  });

  it('lays queued tasks over in queue order', async () => {
    await seed(db, INBOX, { 1: [] });
    await markRead(db, [rowId(INBOX, 1)], true);
    await markRead(db, [rowId(INBOX, 1)], false);
    await setFlagged(db, [rowId(INBOX, 1)], true);

    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, flags: [{ uid: 1, flags: [SEEN] }] }));

    expect(await flagsOf(db, INBOX, 1)).toEqual([FLAGGED]);
  });

  it('does not lay a task over a folder whose UIDVALIDITY changed', async () => {
    await seed(db, INBOX, { 1: [] });
    await markRead(db, [rowId(INBOX, 1)], true);

    await applyBatch(
      db,
      batch(ACCOUNT, {
        folderId: INBOX,
        reset: true,
        put: [message(INBOX, 1, { subject: 'Another message' })],
        checkpoint: checkpoint({ uidValidity: UIDVALIDITY + 1 }),
      }),
    );

    expect(await flagsOf(db, INBOX, 1)).toEqual([]);
  });

  it('drops the tasks of a removed account', async () => {
    await seed(db, INBOX, { 1: [] });
    await seed(db, OTHER_INBOX, { 1: [] });
    await markRead(db, [rowId(INBOX, 1), rowId(OTHER_INBOX, 1)], true);

    await applyBatch(db, batch(ACCOUNT, { removeAccount: true }));

    expect((await db.tasks.toArray()).map((row) => row.folderId)).toEqual([OTHER_INBOX]);
  });
});

describe('startTaskRunner', () => {
  it('hands tasks to main in order and drops each once done', async () => {
    await seed(db, INBOX, { 1: [], 2: [] });
    await markRead(db, [rowId(INBOX, 1)], true);
    await setFlagged(db, [rowId(INBOX, 2)], true);
    const { bridge, performed } = fakeBridge(() => ({ ok: true }));

    run(bridge);

    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
    expect(performed).toEqual([seenTask([1]), { ...seenTask([2]), add: [FLAGGED] }]);
    expect(await flagsOf(db, INBOX, 1)).toEqual([SEEN]);
    expect(await flagsOf(db, INBOX, 2)).toEqual([FLAGGED]);
  });

  it('holds a task back until its time, and its account’s later tasks behind it', async () => {
    await seed(db, INBOX, { 1: [] });
    const { bridge, performed } = fakeBridge(() => ({ ok: true }));
    await queueTask(db, seenTask([1]), false, { notBefore: Date.now() + 300 });
    await markRead(db, [rowId(INBOX, 1)], false);
    run(bridge);

    await pause();
    expect(performed).toEqual([]);
    await vi.waitFor(() => expect(performed).toHaveLength(2), { timeout: 2_000 });
    expect(performed[0]).toEqual(seenTask([1]));
  });

  it('picks up tasks queued while it runs', async () => {
    await seed(db, INBOX, { 1: [] });
    const { bridge, performed } = fakeBridge(() => ({ ok: true }));
    run(bridge);
    await pause();

    await markRead(db, [rowId(INBOX, 1)], true);

    await vi.waitFor(() => expect(performed).toHaveLength(1));
    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
  });

  it('undoes a task refused for good, keeping what the server changed meanwhile', async () => {
    await seed(db, INBOX, { 1: [FLAGGED], 2: [SEEN] });
    await markRead(db, [rowId(INBOX, 1)], true);
    await setFlagged(db, [rowId(INBOX, 1), rowId(INBOX, 2)], false);
    // Another device answered message 1 meanwhile.
    await applyBatch(
      db,
      batch(ACCOUNT, { folderId: INBOX, flags: [{ uid: 1, flags: ['\\Answered', FLAGGED] }] }),
    );
    expect(await flagsOf(db, INBOX, 1)).toEqual(['\\Answered', SEEN]);
    const failed: [string, MailTask][] = [];
    const { bridge } = fakeBridge((task) =>
      flagsAdded(task)?.includes(SEEN) ? permanentFailure('the server refused') : { ok: true },
    );

    run(bridge, { onFailed: (reason, task) => failed.push([reason, task]) });

    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
    expect(failed).toEqual([['the server refused', seenTask([1])]]);
    // \Seen taken back; the later unflag task's effect stays.
    expect(await flagsOf(db, INBOX, 1)).toEqual(['\\Answered']);
    expect(await flagsOf(db, INBOX, 2)).toEqual([SEEN]);
  });

  it('undoes a refused task under the tasks still queued after it', async () => {
    await seed(db, INBOX, { 1: [] });
    // The second task changes nothing locally (the first did it), but still stands on its own.
    const first = await enqueueTask(db, seenTask([1]));
    await enqueueTask(db, seenTask([1]));
    let open = (_result: TaskResult): void => {};
    const gate = new Promise<TaskResult>((resolve) => (open = resolve));
    const { bridge } = fakeBridge(() => (performedFirst++ === 0 ? permanentFailure('no') : gate));
    let performedFirst = 0;

    run(bridge);

    await vi.waitFor(async () => expect(await db.tasks.get(first)).toBeUndefined());
    expect(await flagsOf(db, INBOX, 1)).toEqual([SEEN]);
    open({ ok: true });
    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
  });

  it('undoes nothing when the folder changed UIDVALIDITY meanwhile', async () => {
    await seed(db, INBOX, { 1: [] });
    await markRead(db, [rowId(INBOX, 1)], true);
    await applyBatch(
      db,
      batch(ACCOUNT, {
        folderId: INBOX,
        reset: true,
        put: [message(INBOX, 1, { flags: [SEEN] })],
        checkpoint: checkpoint({ uidValidity: UIDVALIDITY + 1 }),
      }),
    );
    const failed: string[] = [];
    const { bridge } = fakeBridge(() => permanentFailure(FOLDER_CHANGED));

    run(bridge, { onFailed: (reason) => failed.push(reason) });

    await vi.waitFor(() => expect(failed).toEqual([FOLDER_CHANGED]));
    expect(await db.tasks.count()).toBe(0);
    expect(await flagsOf(db, INBOX, 1)).toEqual([SEEN]);
  });

  it('keeps a task that failed for now, with the account’s later tasks, and retries', async () => {
    await seed(db, INBOX, { 1: [], 2: [] });
    await seed(db, OTHER_INBOX, { 1: [] });
    await markRead(db, [rowId(INBOX, 1)], true);
    await markRead(db, [rowId(OTHER_INBOX, 1)], true);
    await markRead(db, [rowId(INBOX, 2)], true);
    let online = false;
    const failed: string[] = [];
    const { bridge, performed, connected } = fakeBridge((task) =>
      task.accountId === ACCOUNT && !online
        ? transientFailure('the server cannot be reached right now')
        : { ok: true },
    );

    run(bridge, { onFailed: (reason) => failed.push(reason) });

    // The other account goes on; this one's second task waits behind its first.
    await vi.waitFor(async () =>
      expect((await db.tasks.toArray()).map((row) => taskUids(row.task))).toEqual([[1], [2]]),
    );
    await pause();
    expect(performed.map((task) => [folderOf(task), taskUids(task)])).toEqual([
      [INBOX, [1]],
      [OTHER_INBOX, [1]],
    ]);
    const [kept] = await db.tasks.toArray();
    expect(kept).toMatchObject({
      attempts: 1,
      lastError: 'the server cannot be reached right now',
    });
    expect(await flagsOf(db, INBOX, 1)).toEqual([SEEN]);

    // Back online: told by the account's status.
    online = true;
    connected(ACCOUNT);

    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
    expect(performed.slice(2).map(taskUids)).toEqual([[1], [2]]);
    expect(failed).toEqual([]);
    expect(await flagsOf(db, INBOX, 2)).toEqual([SEEN]);
  });

  it('retries tasks put off on its interval', async () => {
    await seed(db, INBOX, { 1: [] });
    await markRead(db, [rowId(INBOX, 1)], true);
    let answers = 0;
    const { bridge } = fakeBridge(() =>
      ++answers < 3 ? transientFailure('offline') : { ok: true },
    );

    run(bridge, { retryIntervalMs: 40 });

    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
    expect(answers).toBe(3);
  });

  it('backs off: each failure in a row doubles the wait, up to the cap', async () => {
    await seed(db, INBOX, { 1: [] });
    await markRead(db, [rowId(INBOX, 1)], true);
    const at: number[] = [];
    const { bridge } = fakeBridge(() => {
      at.push(Date.now());
      return at.length < 5 ? transientFailure('offline') : { ok: true };
    });

    run(bridge, { retryIntervalMs: 40, maxRetryIntervalMs: 200 });

    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0), { timeout: 3_000 });
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    // Never sooner than the backoff: 40, 80, 160, then the cap (200).
    [40, 80, 160, 200].forEach((least, i) => expect(gaps[i]).toBeGreaterThanOrEqual(least - 2));
  });

  it('retries at once when a status says the account is connected, from the first step', async () => {
    await seed(db, INBOX, { 1: [] });
    await markRead(db, [rowId(INBOX, 1)], true);
    let online = false;
    const { bridge, performed, connected } = fakeBridge(() =>
      online ? { ok: true } : transientFailure('offline'),
    );
    run(bridge, { retryIntervalMs: 60_000 });
    await vi.waitFor(() => expect(performed).toHaveLength(1));
    // Nothing before the minute of backoff, without a status.
    await pause();
    expect(performed).toHaveLength(1);

    online = true;
    connected(ACCOUNT);
    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
    expect(performed).toHaveLength(2);
  });

  it('tells a call main could not take (try later) from one it refused (never)', async () => {
    await seed(db, INBOX, { 1: [], 2: [] });
    await markRead(db, [rowId(INBOX, 1)], true);
    await markRead(db, [rowId(INBOX, 2)], true);
    let calls = 0;
    const failed: string[] = [];
    const { bridge } = fakeBridge((task) => {
      calls++;
      if (taskUids(task)[0] === 1 && calls === 1) throw new PetrelError('unavailable', 'gone');
      if (taskUids(task)[0] === 2) throw new PetrelError('invalid-argument', 'Invalid arguments');
      return { ok: true };
    });

    run(bridge, { retryIntervalMs: 40, onFailed: (reason) => failed.push(reason) });

    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
    expect(failed).toEqual(['Invalid arguments']);
    expect(await flagsOf(db, INBOX, 1)).toEqual([SEEN]);
    expect(await flagsOf(db, INBOX, 2)).toEqual([]);
  });

  it('survives a restart: a new runner over the reopened cache drains the queue', async () => {
    await seed(db, INBOX, { 1: [], 2: [], 3: [] });
    const { bridge: offline } = fakeBridge(() => transientFailure('offline'));
    const stopFirst = run(offline);
    await markRead(db, [rowId(INBOX, 1)], true);
    await setFlagged(db, [rowId(INBOX, 2)], true);
    await markRead(db, [rowId(INBOX, 3)], true);
    await vi.waitFor(async () => expect((await db.tasks.toArray())[0]?.attempts).toBe(1));
    stopFirst();
    db.close();

    db = openCache(db.name);
    const { bridge, performed } = fakeBridge(() => ({ ok: true }));
    run(bridge);

    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
    expect(performed.map((task) => [taskUids(task), flagsAdded(task)])).toEqual([
      [[1], [SEEN]],
      [[2], [FLAGGED]],
      [[3], [SEEN]],
    ]);
    expect(await flagsOf(db, INBOX, 2)).toEqual([FLAGGED]);
  });

  it('stops handing tasks to main once stopped', async () => {
    await seed(db, INBOX, { 1: [] });
    const { bridge, performed } = fakeBridge(() => ({ ok: true }));
    const stop = run(bridge);
    stop();

    await markRead(db, [rowId(INBOX, 1)], true);
    await pause();

    expect(performed).toEqual([]);
    expect(await db.tasks.count()).toBe(1);
  });

  it('never runs two tasks of one account at once, even with two runners in the window', async () => {
    await seed(db, INBOX, { 1: [], 2: [], 3: [] });
    await seed(db, OTHER_INBOX, { 1: [], 2: [] });
    const running = new Map<string, number>();
    let most = 0;
    const { bridge, performed } = fakeBridge(async (task) => {
      const now = (running.get(task.accountId) ?? 0) + 1;
      running.set(task.accountId, now);
      most = Math.max(most, now);
      await pause(5);
      running.set(task.accountId, now - 1);
      return { ok: true };
    });
    for (const uid of [1, 2, 3]) await markRead(db, [rowId(INBOX, uid)], true);
    for (const uid of [1, 2]) await markRead(db, [rowId(OTHER_INBOX, uid)], true);

    // A second runner, as when the writer's effect runs again before the first one is stopped.
    run(bridge);
    run(bridge);

    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
    expect(most).toBe(1);
    // Each once, in queue order per account (the two accounts may interleave).
    const of = (accountId: string) =>
      performed.filter((task) => task.accountId === accountId).map(taskUids);
    expect(of(ACCOUNT)).toEqual([[1], [2], [3]]);
    expect(of(OTHER_ACCOUNT)).toEqual([[1], [2]]);
  });

  it('hands a task again after a reload that came while main had it (main makes it a no-op)', async () => {
    await seed(db, INBOX, { 1: [] });
    await markRead(db, [rowId(INBOX, 1)], true);
    const { bridge: hanging, performed: before } = fakeBridge(() => new Promise(() => {}));
    const stopFirst = run(hanging);
    await vi.waitFor(() => expect(before).toHaveLength(1));
    stopFirst();
    db.close();

    // A reload: a new page (a fresh module) over the same database.
    vi.resetModules();
    const reloaded = await import('./task-runner.ts');
    db = openCache(db.name);
    const { bridge, performed } = fakeBridge(() => ({ ok: true }));
    stops.push(reloaded.startTaskRunner(db, bridge, { retryIntervalMs: 60_000 }));

    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
    expect(performed).toEqual(before);
    expect(await flagsOf(db, INBOX, 1)).toEqual([SEEN]);
  });

  it('runs a transfer only after the earlier tasks of its target account', async () => {
    await seed(db, INBOX, { 1: [] });
    await seed(db, OTHER_INBOX, {});
    let online = false;
    const { bridge, performed, connected } = fakeBridge((task) =>
      task.accountId === OTHER_ACCOUNT && !online ? transientFailure('offline') : { ok: true },
    );
    await createFolder(db, OTHER_ACCOUNT, 'Imported');
    await moveMessages(db, [rowId(INBOX, 1)], folderIdOf(OTHER_ACCOUNT, 'Imported'));

    run(bridge);
    await vi.waitFor(() => expect(performed).toHaveLength(1));
    await pause();
    expect(performed.map((task) => task.type)).toEqual(['createFolder']);

    online = true;
    connected(OTHER_ACCOUNT);

    await vi.waitFor(async () => expect(await db.tasks.count()).toBe(0));
    expect(performed.map((task) => task.type)).toEqual([
      'createFolder',
      'createFolder',
      'transferMessages',
    ]);
  });
});

describe('queueStatus', () => {
  it('counts the tasks waiting, and says why the oldest is stuck once it failed for now', async () => {
    await seed(db, INBOX, { 1: [], 2: [] });
    expect(await queueStatus(db)).toEqual({ waiting: 0 });

    const started = Date.now();
    await markRead(db, [rowId(INBOX, 1)], true);
    await markRead(db, [rowId(INBOX, 2)], true);
    expect(await queueStatus(db)).toEqual({ waiting: 2 });

    const { bridge } = fakeBridge(() => transientFailure('the server cannot be reached'));
    run(bridge, { retryIntervalMs: 20 });
    await vi.waitFor(async () =>
      expect((await db.tasks.toArray())[0]?.attempts).toBeGreaterThan(1),
    );

    const status = await queueStatus(db);
    expect(status).toMatchObject({
      waiting: 2,
      stuck: { reason: 'the server cannot be reached' },
    });
    // Since the first failure, not the last.
    const [oldest] = await db.tasks.toArray();
    expect(status.stuck?.since).toBe(oldest?.failingSince);
    expect(status.stuck?.since).toBeGreaterThanOrEqual(started);
    expect(status.stuck?.since).toBeLessThan(Date.now());
  });
});
