import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DraftContent } from '#shared/compose';
import { TASK_DONE, type MailTask, type TaskResult } from '#shared/tasks';
import type { PetrelDb } from './db.ts';
import {
  closeLocalDraft,
  discardDraft,
  localDraftOf,
  queueDraftSave,
  resumeDrafts,
  saveLocalDraft,
  type DraftMessageBuilder,
} from './local-drafts.ts';
import { queueSend } from './outbox.ts';
import { completeTask } from './task-queue.ts';
import { startTaskRunner } from './task-runner.ts';
import { fakeBridge, freshDb, pause } from './test-support.ts';

const ACCOUNT = 'acc1';
const OTHER = 'acc2';
const MESSAGE_ID = '<draft-1@example.org>';

let db: PetrelDb;
const stops: (() => void)[] = [];

beforeEach(() => {
  db = freshDb();
});

afterEach(async () => {
  stops.splice(0).forEach((stop) => stop());
  await db.delete();
});

function draft(extra: Partial<DraftContent> = {}): DraftContent {
  return {
    outboxId: 'd1',
    accountId: ACCOUNT,
    to: 'bob@example.org',
    cc: '',
    bcc: 'carol@example.org',
    subject: 'Plans',
    body: 'First line',
    messageId: MESSAGE_ID,
    ...extra,
  };
}

/** As the composer's builder: the draft's own fields, its save time as the date. */
const build: DraftMessageBuilder = (d, updatedAt) => ({
  messageId: d.messageId ?? '<none@example.org>',
  from: { address: 'alice@example.org' },
  to: d.to ? [{ address: d.to }] : [],
  cc: [],
  bcc: d.bcc ? [{ address: d.bcc }] : [],
  subject: d.subject,
  text: d.body,
  date: updatedAt,
});

const queued = async () => (await db.tasks.orderBy(':id').toArray()).map((row) => row.task);
const bodyOf = (task: MailTask | undefined) =>
  task?.type === 'saveDraft' ? task.message.text : undefined;

describe('local drafts', () => {
  it('saves the composer’s content, each save newer than the last, keeping what was queued', async () => {
    await saveLocalDraft(db, draft(), { open: true, now: 1_000 });
    await queueDraftSave(db, 'd1', build);
    await saveLocalDraft(db, draft({ body: 'Second' }), { open: true, now: 1_000 });
    const row = await db.drafts.get('d1');
    expect(row).toMatchObject({
      accountId: ACCOUNT,
      open: true,
      queuedAt: 1_000,
      queuedTo: ACCOUNT,
    });
    expect(row?.draft.body).toBe('Second');
    // The same millisecond still counts as a newer version: it must be queued again.
    expect(row?.updatedAt).toBe(1_001);
  });

  it('queues one save per version: the same version again queues nothing', async () => {
    await saveLocalDraft(db, draft(), { open: true });
    await queueDraftSave(db, 'd1', build);
    await queueDraftSave(db, 'd1', build);
    const tasks = await queued();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      type: 'saveDraft',
      accountId: ACCOUNT,
      outboxId: 'd1',
      message: {
        messageId: MESSAGE_ID,
        text: 'First line',
        bcc: [{ address: 'carol@example.org' }],
      },
    });
  });

  it('replaces a queued save main does not have yet, in its place in the queue', async () => {
    await db.tasks.add({
      folderId: 'acc1:INBOX',
      task: { type: 'createFolder', accountId: ACCOUNT, path: 'Before' },
      undo: {},
      createdAt: 0,
      attempts: 0,
    });
    await saveLocalDraft(db, draft(), { open: true });
    await queueDraftSave(db, 'd1', build);
    const [, first] = await db.tasks.orderBy(':id').toArray();
    await saveLocalDraft(db, draft({ body: 'Second' }), { open: true });
    await queueDraftSave(db, 'd1', build);
    await saveLocalDraft(db, draft({ body: 'Third' }), { open: true });
    await queueDraftSave(db, 'd1', build);

    const rows = await db.tasks.orderBy(':id').toArray();
    expect(rows).toHaveLength(2);
    expect(rows[1]?.id).toBe(first?.id);
    expect(bodyOf(rows[1]?.task)).toBe('Third');
    const revisions = new Set(
      [first, rows[1]].map((r) => (r?.task as { revision: string }).revision),
    );
    expect(revisions.size).toBe(2);
  });

  it('a save in flight is not replaced: the newer one waits for it and follows', async () => {
    let release = (): void => {};
    const held = new Promise<TaskResult>((resolve) => (release = () => resolve(TASK_DONE)));
    const { bridge, performed } = fakeBridge((task) =>
      task.type === 'saveDraft' && task.message.text === 'First line' ? held : TASK_DONE,
    );
    stops.push(startTaskRunner(db, bridge, { retryIntervalMs: 60_000 }));
    await saveLocalDraft(db, draft(), { open: true });
    await queueDraftSave(db, 'd1', build);
    await expect.poll(() => performed.length).toBe(1);

    await saveLocalDraft(db, draft({ body: 'Second' }), { open: true });
    const second = queueDraftSave(db, 'd1', build);
    await pause();
    // Still waiting for the first to be settled; nothing was queued or changed meanwhile.
    expect(performed).toHaveLength(1);
    expect(bodyOf((await queued())[0])).toBe('First line');
    release();
    await second;
    await expect.poll(() => performed.map(bodyOf)).toEqual(['First line', 'Second']);
    await expect.poll(() => db.tasks.count()).toBe(0);
  });

  it('discarding drops queued saves and the local draft, and deletes the server copy', async () => {
    await saveLocalDraft(db, draft(), { open: true });
    await queueDraftSave(db, 'd1', build);
    await discardDraft(db, draft());
    expect(await db.drafts.get('d1')).toBeUndefined();
    expect(await queued()).toEqual([
      { type: 'deleteDraft', accountId: ACCOUNT, messageId: MESSAGE_ID },
    ]);
  });

  it('a draft that never had a Message-ID leaves nothing to delete on the server', async () => {
    await discardDraft(db, draft({ messageId: undefined }));
    expect(await queued()).toEqual([]);
  });

  it('a draft moved to another account: the old account’s copy is deleted with the next save', async () => {
    await saveLocalDraft(db, draft(), { open: true });
    await queueDraftSave(db, 'd1', build);
    await completeTask(db, (await db.tasks.orderBy(':id').first())!.id);
    await saveLocalDraft(db, draft({ accountId: OTHER }), { open: true });
    await queueDraftSave(db, 'd1', build);
    expect((await queued()).map((t) => [t.type, t.accountId])).toEqual([
      ['saveDraft', OTHER],
      ['deleteDraft', ACCOUNT],
    ]);
    // Discarding now deletes it from both, to be sure.
    await discardDraft(db, draft({ accountId: OTHER }));
    expect((await queued()).map((t) => [t.type, t.accountId])).toEqual([
      ['deleteDraft', ACCOUNT],
      ['deleteDraft', OTHER],
    ]);
  });

  it('sending removes the local draft in the same transaction as it queues the message', async () => {
    await saveLocalDraft(db, draft(), { open: true });
    const message = build(draft(), 5)!;
    await queueSend(db, ACCOUNT, 'd1', message);
    expect(await db.drafts.get('d1')).toBeUndefined();
    // A save asked for after the send finds no draft: nothing is queued behind the message.
    await queueDraftSave(db, 'd1', build);
    expect((await queued()).map((t) => t.type)).toEqual(['sendMessage']);
  });

  it('a closed draft goes once the server has its latest version; an open one stays', async () => {
    await saveLocalDraft(db, draft(), { open: false });
    await queueDraftSave(db, 'd1', build);
    await saveLocalDraft(db, draft({ outboxId: 'd2', messageId: '<d2@example.org>' }), {
      open: true,
    });
    await queueDraftSave(db, 'd2', build);
    for (const row of await db.tasks.toArray()) await completeTask(db, row.id);
    expect(await db.drafts.get('d1')).toBeUndefined();
    expect(await db.drafts.get('d2')).toBeDefined();
  });

  it('on start: queues versions never queued, and reopens the draft the composer showed', async () => {
    await saveLocalDraft(db, draft({ outboxId: 'old', messageId: '<old@example.org>' }), {
      open: true,
      now: 1_000,
    });
    await saveLocalDraft(db, draft({ outboxId: 'saved', messageId: '<saved@example.org>' }), {
      open: false,
      now: 2_000,
    });
    await queueDraftSave(db, 'saved', build);
    // Killed while typing: saved here, never queued for the server.
    await saveLocalDraft(db, draft({ body: 'typed before the kill' }), { open: true, now: 3_000 });

    const shown = await resumeDrafts(db, build);
    expect(shown?.body).toBe('typed before the kill');
    const saves = (await queued()).map((t) => (t.type === 'saveDraft' ? t.outboxId : t.type));
    expect(saves.sort()).toEqual(['d1', 'old', 'saved']);
    expect((await db.drafts.get('old'))?.open).toBe(false);
    // A second start queues nothing more.
    await resumeDrafts(db, build);
    expect(await db.tasks.count()).toBe(3);
  });

  it('finds a local draft by its Message-ID', async () => {
    await saveLocalDraft(db, draft(), { open: false });
    await closeLocalDraft(db, 'd1');
    expect((await localDraftOf(db, ACCOUNT, MESSAGE_ID))?.id).toBe('d1');
    expect(await localDraftOf(db, OTHER, MESSAGE_ID)).toBeUndefined();
  });
});
