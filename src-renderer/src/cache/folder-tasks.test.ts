import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderIdOf, type FolderRow } from '#shared/mail';
import { applyBatch } from './apply.ts';
import type { PetrelDb } from './db.ts';
import { threadOf } from './queries.ts';
import { completeTask, createFolder, deleteFolder, renameFolder, rollBackTask } from './tasks.ts';
import { batch, body, checkpoint, dump, folder, freshDb, message, uidsOf } from './test-support.ts';

const ACCOUNT = 'acc1';
const id = (path: string): string => folderIdOf(ACCOUNT, path);
const INBOX = id('INBOX');
const PROJECTS = id('Projects');
const THREAD = '<root@example.org>';

const FOLDERS: FolderRow[] = [
  folder(ACCOUNT, 'INBOX', { role: 'inbox' }),
  folder(ACCOUNT, 'Projects', { messages: 2 }),
  folder(ACCOUNT, 'Projects/2026', { parentPath: 'Projects' }),
  folder(ACCOUNT, 'Projects/2026/Q1', { parentPath: 'Projects/2026' }),
  folder(ACCOUNT, 'Projects-old'),
];

let db: PetrelDb;

beforeEach(async () => {
  db = freshDb();
  await applyBatch(db, batch(ACCOUNT, { folders: { put: FOLDERS } }));
  for (const [folderId, uid] of [
    [INBOX, 1],
    [PROJECTS, 5],
    [id('Projects/2026'), 8],
  ] as const) {
    await applyBatch(
      db,
      batch(ACCOUNT, {
        folderId,
        put: [message(folderId, uid, { threadId: THREAD })],
        checkpoint: checkpoint(),
      }),
    );
  }
});

afterEach(async () => {
  db.close();
  await db.delete();
});

const paths = async (): Promise<string[]> =>
  (await db.folders.toArray()).map((row) => row.path).sort();
const threadFolders = async (): Promise<string[]> =>
  (await threadOf(db, THREAD)).map((row) => row.folderId);

describe('createFolder', () => {
  it('shows a provisional row at once, under its parent', async () => {
    const [taskId] = await createFolder(db, ACCOUNT, 'Projects/2026/Q2');

    expect(await db.folders.get(id('Projects/2026/Q2'))).toEqual({
      id: id('Projects/2026/Q2'),
      accountId: ACCOUNT,
      path: 'Projects/2026/Q2',
      name: 'Q2',
      delimiter: '/',
      parentPath: 'Projects/2026',
      namespace: 'personal',
      subscribed: true,
      selectable: true,
      messages: 0,
      unseen: 0,
    });
    expect(await db.tasks.get(taskId as number)).toMatchObject({
      folderId: id('Projects/2026/Q2'),
      task: { type: 'createFolder', accountId: ACCOUNT, path: 'Projects/2026/Q2' },
      creates: [id('Projects/2026/Q2')],
    });
  });

  it('takes the delimiter the account’s folders use', async () => {
    await applyBatch(
      db,
      batch('acc2', { folders: { put: [folder('acc2', 'INBOX', { delimiter: '.' })] } }),
    );

    await createFolder(db, 'acc2', 'INBOX.Lists');

    expect(await db.folders.get(folderIdOf('acc2', 'INBOX.Lists'))).toMatchObject({
      name: 'Lists',
      parentPath: 'INBOX',
      delimiter: '.',
    });
  });

  it('refuses a path the account has already, writing nothing', async () => {
    const before = await dump(db);

    await expect(createFolder(db, ACCOUNT, 'Projects')).rejects.toThrow(/exists already/);

    expect(await dump(db)).toEqual(before);
    expect(await db.tasks.count()).toBe(0);
  });

  it('stays while queued although the server’s list lacks it; the server’s row replaces it', async () => {
    const [taskId] = await createFolder(db, ACCOUNT, 'New');

    await applyBatch(db, batch(ACCOUNT, { folders: { remove: [id('New')] } }));
    expect(await db.folders.get(id('New'))).toBeDefined();

    await completeTask(db, taskId as number);
    await applyBatch(db, batch(ACCOUNT, { folders: { put: [folder(ACCOUNT, 'New')] } }));
    expect(await db.folders.get(id('New'))).toEqual(folder(ACCOUNT, 'New'));
  });

  it('goes on rollback', async () => {
    const before = await dump(db);
    const [taskId] = await createFolder(db, ACCOUNT, 'New');

    await rollBackTask(db, taskId as number);

    expect(await dump(db)).toEqual(before);
  });
});

describe('renameFolder', () => {
  it('shows the folder and its subfolders at the new paths at once; their messages wait', async () => {
    const [taskId] = await renameFolder(db, PROJECTS, 'Work');

    expect(await paths()).toEqual(['INBOX', 'Projects-old', 'Work', 'Work/2026', 'Work/2026/Q1']);
    expect(await db.folders.get(id('Work'))).toMatchObject({ name: 'Work', messages: 2 });
    expect(await db.folders.get(id('Work/2026/Q1'))).toMatchObject({
      name: 'Q1',
      parentPath: 'Work/2026',
    });
    expect((await db.folders.get(id('Work')))?.parentPath).toBeUndefined();
    // The old paths' messages stay, hidden, until sync drops those paths after the rename.
    expect(await uidsOf(db, PROJECTS)).toEqual([5]);
    expect(await threadFolders()).toEqual([INBOX]);
    expect(await db.tasks.get(taskId as number)).toMatchObject({
      folderId: PROJECTS,
      task: { type: 'renameFolder', accountId: ACCOUNT, folderId: PROJECTS, newPath: 'Work' },
      creates: [id('Work'), id('Work/2026'), id('Work/2026/Q1')],
      hides: [PROJECTS, id('Projects/2026'), id('Projects/2026/Q1')],
    });
  });

  it('moves a subfolder under another parent', async () => {
    await renameFolder(db, id('Projects/2026'), 'Projects-old/2026');

    expect(await db.folders.get(id('Projects-old/2026'))).toMatchObject({
      name: '2026',
      parentPath: 'Projects-old',
    });
    expect(await db.folders.get(id('Projects-old/2026/Q1'))).toMatchObject({
      parentPath: 'Projects-old/2026',
    });
  });

  it('keeps sync from fighting it, and rolls back to what the server has', async () => {
    const [taskId] = await renameFolder(db, PROJECTS, 'Work');
    const newer = { ...(FOLDERS[1] as FolderRow), messages: 3 };

    // The server still has the old paths (new counts) and not the new ones.
    await applyBatch(db, batch(ACCOUNT, { folders: { put: [newer], remove: [id('Work')] } }));
    expect(await paths()).toEqual(['INBOX', 'Projects-old', 'Work', 'Work/2026', 'Work/2026/Q1']);

    await rollBackTask(db, taskId as number);

    expect(await paths()).toEqual([
      'INBOX',
      'Projects',
      'Projects-old',
      'Projects/2026',
      'Projects/2026/Q1',
    ]);
    expect(await db.folders.get(PROJECTS)).toEqual(newer);
    expect(await threadFolders()).toEqual([INBOX, PROJECTS, id('Projects/2026')]);
  });

  it('once done, the old paths’ messages go, and sync brings the new paths', async () => {
    const [taskId] = await renameFolder(db, PROJECTS, 'Work');

    await completeTask(db, taskId as number);
    expect(await uidsOf(db, PROJECTS)).toEqual([]);
    expect(await db.checkpoints.get(PROJECTS)).toBeUndefined();
    expect(await threadFolders()).toEqual([INBOX]);
    await applyBatch(
      db,
      batch(ACCOUNT, {
        folders: {
          remove: [PROJECTS, id('Projects/2026'), id('Projects/2026/Q1')],
          put: [folder(ACCOUNT, 'Work')],
        },
      }),
    );

    expect(await uidsOf(db, PROJECTS)).toEqual([]);
    expect(await db.checkpoints.get(PROJECTS)).toBeUndefined();
    expect(await db.folders.get(id('Work'))).toEqual(folder(ACCOUNT, 'Work'));
  });

  it('refuses the inbox, a path taken and a move into itself; a same name is no task', async () => {
    const before = await dump(db);

    await expect(renameFolder(db, INBOX, 'Old inbox')).rejects.toThrow(/inbox/);
    await expect(renameFolder(db, PROJECTS, 'Projects-old')).rejects.toThrow(/exists already/);
    await expect(renameFolder(db, PROJECTS, 'Projects/2026/Sub')).rejects.toThrow(/itself/);
    await expect(renameFolder(db, id('Nope'), 'Yes')).rejects.toThrow(/not there/);
    expect(await renameFolder(db, PROJECTS, 'Projects')).toEqual([]);

    expect(await dump(db)).toEqual(before);
    expect(await db.tasks.count()).toBe(0);
  });
});

describe('deleteFolder', () => {
  it('takes the folder and its subfolders away at once, and hides their messages', async () => {
    const [taskId] = await deleteFolder(db, PROJECTS);

    expect(await paths()).toEqual(['INBOX', 'Projects-old']);
    expect(await threadFolders()).toEqual([INBOX]);
    expect(await db.tasks.get(taskId as number)).toMatchObject({
      task: { type: 'deleteFolder', accountId: ACCOUNT, folderId: PROJECTS },
      hides: [PROJECTS, id('Projects/2026'), id('Projects/2026/Q1')],
    });
  });

  it('keeps them away from sync while queued, and back exactly on rollback', async () => {
    const before = await dump(db);
    const [taskId] = await deleteFolder(db, PROJECTS);

    await applyBatch(db, batch(ACCOUNT, { folders: { put: FOLDERS } }));
    await applyBatch(
      db,
      batch(ACCOUNT, {
        folderId: PROJECTS,
        flags: [{ uid: 5, flags: ['\\Seen'] }],
      }),
    );
    expect(await paths()).toEqual(['INBOX', 'Projects-old']);

    await rollBackTask(db, taskId as number);

    const rows = (await db.messages.get(`${PROJECTS}#5`))?.flags;
    expect(rows).toEqual(['\\Seen']);
    await applyBatch(db, batch(ACCOUNT, { folderId: PROJECTS, flags: [{ uid: 5, flags: [] }] }));
    expect(await dump(db)).toEqual(before);
  });

  it('does not bring back on rollback a folder the server removed meanwhile', async () => {
    const [taskId] = await deleteFolder(db, PROJECTS);

    await applyBatch(db, batch(ACCOUNT, { folders: { remove: [id('Projects/2026/Q1')] } }));
    await rollBackTask(db, taskId as number);

    expect(await paths()).toEqual(['INBOX', 'Projects', 'Projects-old', 'Projects/2026']);
  });

  it('once done, their messages, bodies and checkpoints go', async () => {
    const [taskId] = await deleteFolder(db, PROJECTS);
    await db.bodies.put(body(message(PROJECTS, 5)));

    await completeTask(db, taskId as number);

    expect(await threadFolders()).toEqual([INBOX]);
    expect(await uidsOf(db, PROJECTS)).toEqual([]);
    expect(await uidsOf(db, id('Projects/2026'))).toEqual([]);
    expect(await db.checkpoints.get(id('Projects/2026'))).toBeUndefined();
    expect(await db.bodies.count()).toBe(0);
    expect(await uidsOf(db, INBOX)).toEqual([1]);
  });

  it('refuses the inbox', async () => {
    await expect(deleteFolder(db, INBOX)).rejects.toThrow(/inbox/);
    expect(await db.tasks.count()).toBe(0);
  });
});

describe('folder tasks queued one after another', () => {
  it('a folder created and then deleted does not come back when both fail', async () => {
    const before = await dump(db);
    const [create] = await createFolder(db, ACCOUNT, 'New');
    const [remove] = await deleteFolder(db, id('New'));
    expect(await paths()).not.toContain('New');

    await rollBackTask(db, create as number);
    await rollBackTask(db, remove as number);

    expect(await dump(db)).toEqual(before);
  });

  it('a folder renamed twice comes back when both fail', async () => {
    const before = await dump(db);
    const [first] = await renameFolder(db, PROJECTS, 'Work');
    const [second] = await renameFolder(db, id('Work'), 'Job');
    expect(await paths()).toEqual(['INBOX', 'Job', 'Job/2026', 'Job/2026/Q1', 'Projects-old']);

    await rollBackTask(db, first as number);
    await rollBackTask(db, second as number);

    expect(await dump(db)).toEqual(before);
  });
});
