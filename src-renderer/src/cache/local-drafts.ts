/**
 * Drafts on this computer, and their way to the server's Drafts folder.
 *
 * The composer saves what it holds here (`db.drafts`) within a second of every change, so a
 * crash or a kill loses at most that second. Every few seconds of quiet (and when the composer
 * closes) the draft is queued for the server as a `saveDraft` task, built from the saved row in
 * the same transaction that marks the row queued (`queuedAt`): what the server gets is exactly
 * what is saved here. One draft never fills the queue: a queued save main does not have yet is
 * replaced by the newer one (claimed first, so no runner hands it over meanwhile); one in flight
 * is waited for, and the newer one follows it.
 *
 * Sending removes the local draft in the transaction that queues the message (`outbox.ts`);
 * discarding removes it, drops its queued saves and queues a `deleteDraft`. On start, drafts
 * whose latest version was never queued (killed before the quiet came) are queued, and the one
 * the composer showed when the app went away is offered back.
 */
import type { DraftContent } from '#shared/compose';
import type { DeleteDraftTask, OutgoingMessage, SaveDraftTask } from '#shared/tasks';
import type { DraftRow, PetrelDb, TaskRow } from './db.ts';
import { draftsQueueFolderId } from './task-effects.ts';
import { queueTask, taskScope } from './task-queue.ts';
import { claimTask } from './task-runner.ts';

/** Builds the message a draft is saved on the server as; undefined when it cannot be (no account). */
export type DraftMessageBuilder = (
  draft: DraftContent,
  updatedAt: number,
) => OutgoingMessage | undefined;

/** Saves the composer's content (`open`: the composer still shows it). */
export async function saveLocalDraft(
  db: PetrelDb,
  draft: DraftContent,
  opts: { open: boolean; now?: number },
): Promise<void> {
  await db.transaction('rw', db.drafts, async () => {
    const before = await db.drafts.get(draft.outboxId);
    const row: DraftRow = {
      id: draft.outboxId,
      accountId: draft.accountId,
      draft,
      updatedAt: Math.max(opts.now ?? Date.now(), (before?.updatedAt ?? 0) + 1),
      open: opts.open,
    };
    if (before?.queuedAt !== undefined) row.queuedAt = before.queuedAt;
    if (before?.queuedTo !== undefined) row.queuedTo = before.queuedTo;
    await db.drafts.put(row);
  });
}

/** The composer closed it (kept, not discarded): it is not reopened on the next start. */
export async function closeLocalDraft(db: PetrelDb, id: string): Promise<void> {
  await db.drafts.update(id, { open: false });
}

/** The composer shows a draft saved before (it reopens on the next start if the app goes away). */
export async function markDraftOpen(db: PetrelDb, id: string): Promise<void> {
  await db.drafts.update(id, { open: true });
}

/** A random revision for one queued version of a draft. */
const newRevision = (): string => crypto.randomUUID();

/**
 * Queues the draft's saved version for the server, unless that version is queued already or the
 * draft is gone (sent or discarded meanwhile). Resolves once queued (or found nothing to do).
 */
export function queueDraftSave(
  db: PetrelDb,
  id: string,
  build: DraftMessageBuilder,
  revision: string = newRevision(),
): Promise<void> {
  return serially(async () => {
    const stored = await db.drafts.get(id);
    if (!stored) return;
    const claims = await claimQueuedSaves(db, id, stored.accountId);
    try {
      await db.transaction('rw', taskScope(db), async () => {
        const row = await db.drafts.get(id);
        if (!row || row.queuedAt === row.updatedAt) return;
        const message = build(row.draft, row.updatedAt);
        if (!message) return;
        const task: SaveDraftTask = {
          type: 'saveDraft',
          accountId: row.accountId,
          outboxId: id,
          revision,
          message,
        };
        // A replaced save keeps its place in the queue (and what it knows of failed tries).
        const [replaced, ...rest] = await present(db, claims.ids);
        if (replaced)
          await db.tasks.put({ ...replaced, folderId: draftsQueueFolderId(task.accountId), task });
        else await queueTask(db, task, false);
        await db.tasks.bulkDelete(rest.map((r) => r.id));
        if (row.queuedTo && row.queuedTo !== row.accountId) {
          // Sent from another account now: its copy in the old account's Drafts goes.
          await queueTask(db, deleteTask(row.queuedTo, message.messageId), false);
        }
        await db.drafts.update(id, { queuedAt: row.updatedAt, queuedTo: row.accountId });
      });
    } finally {
      claims.release();
    }
  });
}

/**
 * Discards a draft: the local row goes, queued saves of it not handed to main are dropped (one in
 * flight is waited for), and the server's copy is deleted (a queued `deleteDraft`, when the draft
 * has a Message-ID and so may have one).
 */
export function discardDraft(
  db: PetrelDb,
  draft: Pick<DraftContent, 'outboxId' | 'accountId' | 'messageId'>,
): Promise<void> {
  return serially(async () => {
    const claims = await claimQueuedSaves(db, draft.outboxId, draft.accountId);
    try {
      await db.transaction('rw', taskScope(db), async () => {
        const row = await db.drafts.get(draft.outboxId);
        await db.tasks.bulkDelete((await present(db, claims.ids)).map((r) => r.id));
        await db.drafts.delete(draft.outboxId);
        const messageId = row?.draft.messageId ?? draft.messageId;
        if (!messageId) return;
        const accounts = new Set([row?.accountId ?? draft.accountId]);
        if (row?.queuedTo) accounts.add(row.queuedTo);
        for (const accountId of accounts) {
          await queueTask(db, deleteTask(accountId, messageId), false);
        }
      });
    } finally {
      claims.release();
    }
  });
}

/** The local draft with this Message-ID in this account, if any. */
export async function localDraftOf(
  db: PetrelDb,
  accountId: string,
  messageId: string,
): Promise<DraftRow | undefined> {
  const rows = await db.drafts.where('accountId').equals(accountId).toArray();
  return rows.find((row) => row.draft.messageId === messageId);
}

/**
 * On start: every draft whose latest version was never queued for the server is queued now (so a
 * kill before the quiet still ends with exactly one server copy), and the draft the composer
 * showed when the app went away is returned, to show again; other drafts left open are closed.
 */
export async function resumeDrafts(
  db: PetrelDb,
  build: DraftMessageBuilder,
): Promise<DraftContent | undefined> {
  const rows = await db.drafts.orderBy('updatedAt').reverse().toArray();
  for (const row of rows) {
    if (row.queuedAt !== row.updatedAt) await queueDraftSave(db, row.id, build);
  }
  const [shown, ...others] = rows.filter((row) => row.open);
  await Promise.all(others.map((row) => closeLocalDraft(db, row.id)));
  return shown?.draft;
}

// ---- helpers ----

const deleteTask = (accountId: string, messageId: string): DeleteDraftTask => ({
  type: 'deleteDraft',
  accountId,
  messageId,
});

/**
 * Queued saves of this draft, claimed (each waited for while a runner performs it). They are
 * found through the tasks' folder index, under the accounts the draft was saved to.
 */
async function claimQueuedSaves(
  db: PetrelDb,
  id: string,
  accountId: string,
): Promise<{ ids: number[]; release(): void }> {
  const row = await db.drafts.get(id);
  const accounts = new Set([accountId, row?.accountId, row?.queuedTo]);
  const folderIds = [...accounts].flatMap((a) => (a ? [draftsQueueFolderId(a)] : []));
  const rows = await db.tasks.where('folderId').anyOf(folderIds).toArray();
  const saves = rows.filter((r) => r.task.type === 'saveDraft' && r.task.outboxId === id);
  const releases: (() => void)[] = [];
  for (const save of saves) releases.push(await claimTask(db, save.id));
  return { ids: saves.map((r) => r.id), release: () => releases.forEach((r) => r()) };
}

/** The tasks of these ids still queued (one in flight when claimed may have been done since). */
async function present(db: PetrelDb, ids: readonly number[]): Promise<TaskRow[]> {
  return (await db.tasks.bulkGet([...ids])).filter((row): row is TaskRow => row !== undefined);
}

/** Draft operations of this window run one after another: each sees what the last one queued. */
let chain: Promise<unknown> = Promise.resolve();
function serially<T>(step: () => Promise<T>): Promise<T> {
  const next = chain.then(step, step);
  chain = next.catch(() => {});
  return next;
}
