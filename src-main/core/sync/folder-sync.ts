/**
 * Executes the plan of `planFolderSync` for one folder on a connection that has it selected, and
 * streams the result down as ChangeBatches. Every batch that moves a checkpoint carries it, so a
 * crash or a cut connection at any point resumes without a gap; rows are puts, so a batch applied
 * twice changes nothing.
 */
import type { FetchMessageObject, ImapFlow, MailboxObject } from 'imapflow';
import type { FolderRow, MessageRow } from '#shared/mail';
import type { ChangeBatch, Checkpoint, FlagChange } from '#shared/sync';
import { toUidSet } from '#shared/uid-set';
import { LIST_FETCH_QUERY, toMessageRow } from './message-mapper.ts';
import { trace } from '../trace.ts';
import { FIRST_PART_PREVIEW, fillPreviews, previewsFromFirstPart } from './preview.ts';
import {
  planFolderSync,
  type ServerAbilities,
  type ServerStatus,
  type SyncPlan,
} from './sync-strategy.ts';

/** Rows per batch: the first page lands at once, then batches sized for the IndexedDB write path. */
export const CHUNKS = { firstPage: 50, second: 1_000, rest: 2_500 } as const;

export type SendBatch = (batch: Omit<ChangeBatch, 'id' | 'accountId'>) => Promise<void>;

export interface FolderContext {
  client: ImapFlow;
  folder: FolderRow;
  abilities: ServerAbilities;
  /** The checkpoint the cache will hold once everything sent so far is applied. */
  checkpoint: Checkpoint | undefined;
  /** Sends a batch; resolves once the cache has committed it. */
  send: SendBatch;
  /** Called with the new checkpoint whenever one is sent. */
  onCheckpoint(checkpoint: Checkpoint | undefined): void;
  onProgress?(mirrored: number): void;
  now(): number;
  /** Highest MODSEQ seen in fetched rows in this pass (0n when none). */
  seenModseq: bigint;
  /**
   * Flag changes the server announced in the middle of one of our FETCHes: imapflow hands such an
   * unsolicited FETCH to the running command, never as a push, so it would be lost. Sent with the
   * next checkpoint. Optional: created on first use.
   */
  strayFlags?: Map<number, string[]>;
}

/** Changes the server pushed while the folder was (re)selected with QRESYNC, or while idling. */
export interface PushedChanges {
  flags: Map<number, string[]>;
  vanished: Set<number>;
  /** An expunge arrived without a UID (no QRESYNC): only a UID comparison can tell which. */
  unknownExpunge: boolean;
  /**
   * Flags changed and the pushes do not say which: a flag update came by sequence number only
   * (no CONDSTORE), or the folder's status moved with no push at all. Ask the server.
   */
  unknownFlags: boolean;
  /** Highest MODSEQ among pushed flag changes. */
  highestModseq: bigint;
}

export const noPushedChanges = (): PushedChanges => ({
  flags: new Map(),
  vanished: new Set(),
  unknownExpunge: false,
  unknownFlags: false,
  highestModseq: 0n,
});

export function statusOf(mailbox: MailboxObject): ServerStatus {
  const status: ServerStatus = {
    uidValidity: Number(mailbox.uidValidity),
    uidNext: mailbox.uidNext,
    messages: mailbox.exists,
  };
  if (mailbox.highestModseq !== undefined && !mailbox.noModseq) {
    status.highestModseq = mailbox.highestModseq.toString();
  }
  return status;
}

/** Brings the selected folder up to date: decide, then do. Returns the plan it carried out. */
export async function syncSelectedFolder(
  ctx: FolderContext,
  pushed: PushedChanges,
): Promise<SyncPlan> {
  const mailbox = selectedMailbox(ctx);
  const status = statusOf(mailbox);
  const plan = planFolderSync(ctx.checkpoint, status, ctx.abilities, ctx.now());
  switch (plan.type) {
    case 'initial':
      await initialSync(ctx, status, false);
      return plan;
    case 'reset':
      await initialSync(ctx, status, true);
      return plan;
    case 'none':
      break;
    case 'qresync':
    case 'condstore':
      await incrementalSync(ctx, status, pushed, plan.type === 'condstore' && plan.reconcileUids);
      break;
    case 'full':
      await fullReconciliation(ctx, status);
      break;
  }
  if (plan.backfill) await backfill(ctx);
  return plan;
}

/**
 * Applies what IDLE reported on the open folder without selecting it again (a re-SELECT of a
 * changed Maildir costs Dovecot 250–300 ms): CHANGEDSINCE, the new UIDs, the pushed expunges.
 */
/** Folders up to this size are compared flag by flag on every live pass without CONDSTORE. */
const FULL_COMPARE_MAX = 10_000;

export async function syncLiveChanges(ctx: FolderContext, pushed: PushedChanges): Promise<void> {
  if (!ctx.checkpoint) {
    await syncSelectedFolder(ctx, pushed);
    return;
  }
  const status = statusOf(selectedMailbox(ctx));
  if (status.uidValidity !== ctx.checkpoint.uidValidity) {
    await syncSelectedFolder(ctx, pushed);
    return;
  }
  // Without modseqs, a flag change is known only from its push, and a push that arrives while a
  // command of ours runs is taken by imapflow for that command's answer and never reported. So a
  // folder of modest size is compared in full on every pass (apply.ts writes only rows whose
  // flags changed); a larger one waits for the periodic full reconciliation unless a flag push
  // came without its UID.
  const small = status.messages <= FULL_COMPARE_MAX;
  if (!ctx.checkpoint.highestModseq && (pushed.unknownFlags || small)) {
    await fullReconciliation(ctx, status);
    return;
  }
  // With QRESYNC, IDLE reports every change with its UID (and flag changes with their MODSEQ):
  // nothing to ask the server but the new messages, unless a push is known to be missing.
  await incrementalSync(ctx, status, pushed, false, ctx.abilities.qresync && !pushed.unknownFlags);
}

function selectedMailbox(ctx: FolderContext): MailboxObject {
  const mailbox = ctx.client.mailbox;
  if (!mailbox || mailbox.path !== ctx.folder.path) {
    throw new Error(`${ctx.folder.path} is not selected on this connection`);
  }
  return mailbox;
}

/**
 * Newest first. The first page comes by sequence number (the newest 50 are the last 50), before
 * any search, so it lands as soon as possible; the rest by UID, walking down in chunks, each
 * batch with its checkpoint.
 */
async function initialSync(
  ctx: FolderContext,
  status: ServerStatus,
  reset: boolean,
): Promise<void> {
  trace(`${ctx.folder.path}: initial sync starts`);
  const base: Checkpoint = { ...status, fullSyncAt: ctx.now() };
  if (status.messages === 0) {
    await sendWithCheckpoint(ctx, { reset }, base);
    return;
  }
  const first = Math.max(1, status.messages - CHUNKS.firstPage + 1);
  const page = (await fetchRows(ctx, `${first}:${status.messages}`, true)).filter(
    (row) => row.uid < status.uidNext,
  );
  const lowest = Math.min(...page.map((row) => row.uid), status.uidNext);
  const complete = first === 1;
  await sendWithCheckpoint(
    ctx,
    { reset, put: page },
    complete ? base : { ...base, backfillBelow: lowest },
  );
  ctx.onProgress?.(page.length);
  if (complete || lowest <= 1) return;
  const uids = await searchUids(ctx.client, `1:${lowest - 1}`);
  trace(`${ctx.folder.path}: ${uids.length} more UIDs found`);
  if (uids.length === 0) {
    const { backfillBelow: _done, ...rest } = ctx.checkpoint as Checkpoint;
    await sendWithCheckpoint(ctx, {}, rest);
    return;
  }
  await walkDown(ctx, uids, base, false, page.length);
}

async function backfill(ctx: FolderContext): Promise<void> {
  const below = ctx.checkpoint?.backfillBelow ?? 0;
  if (below <= 1 || !ctx.checkpoint) return;
  const uids = await searchUids(ctx.client, `1:${below - 1}`);
  const { backfillBelow: _done, ...rest } = ctx.checkpoint;
  if (uids.length === 0) {
    await sendWithCheckpoint(ctx, {}, rest);
    return;
  }
  await walkDown(ctx, uids, rest, false, 0);
}

/**
 * Fetches `uids` newest first in growing chunks. The fetch of the next chunk overlaps the cache's
 * commit of the previous one; at most one batch is unacknowledged at a time.
 */
async function walkDown(
  ctx: FolderContext,
  uids: number[],
  base: Checkpoint,
  reset: boolean,
  alreadyMirrored: number,
): Promise<void> {
  const descending = [...uids].sort((a, b) => b - a);
  let inFlight: Promise<void> = Promise.resolve();
  let mirrored = alreadyMirrored;
  for (let start = 0, index = 0; start < descending.length; index++) {
    const size =
      index === 0 && !alreadyMirrored ? CHUNKS.firstPage : index <= 1 ? CHUNKS.second : CHUNKS.rest;
    const chunk = descending.slice(start, start + size);
    start += chunk.length;
    const rows = await fetchRows(ctx, toUidSet(chunk));
    trace(`${ctx.folder.path}: chunk ${index} fetched (${rows.length})`);
    const lowest = chunk[chunk.length - 1] as number;
    const checkpoint: Checkpoint =
      start < descending.length ? { ...base, backfillBelow: lowest } : base;
    await inFlight;
    trace(`${ctx.folder.path}: chunk ${index - 1} acknowledged`);
    mirrored += rows.length;
    ctx.onProgress?.(mirrored);
    inFlight = sendWithCheckpoint(ctx, { reset: reset && index === 0, put: rows }, checkpoint);
    // Awaited on the next turn; until then a rejection (cache detached) must not count as unhandled.
    inFlight.catch(() => {});
  }
  await inFlight;
}

/** CHANGEDSINCE for flags, the new UIDs, and what QRESYNC or IDLE reported as vanished. */
async function incrementalSync(
  ctx: FolderContext,
  status: ServerStatus,
  pushed: PushedChanges,
  reconcileUids: boolean,
  pushesAreComplete = false,
): Promise<void> {
  trace(
    `${ctx.folder.path}: incremental (${pushed.flags.size} pushed flags, ${pushed.vanished.size} vanished)`,
  );
  const cp = ctx.checkpoint as Checkpoint;
  const flags = new Map(pushed.flags);
  let highest = BigInt(cp.highestModseq ?? '0');
  if (pushed.highestModseq > highest) highest = pushed.highestModseq;
  if (cp.highestModseq && !pushesAreComplete) {
    const query = { uid: true, flags: true };
    const options = { uid: true, changedSince: BigInt(cp.highestModseq) };
    for await (const message of ctx.client.fetch('1:*', query, options)) {
      if (message.uid < cp.uidNext && message.flags) flags.set(message.uid, [...message.flags]);
      if (message.modseq !== undefined && message.modseq > highest) highest = message.modseq;
    }
  }
  const fresh = await fetchNewRows(ctx, cp.uidNext);
  const removed = [...pushed.vanished].filter((uid) => !fresh.some((row) => row.uid === uid));
  const keepOnly =
    reconcileUids || pushed.unknownExpunge
      ? toUidSet(await searchUids(ctx.client, '1:*'))
      : undefined;
  const next: Checkpoint = {
    ...cp,
    uidNext: Math.max(status.uidNext, nextUid(fresh, cp.uidNext)),
    messages: status.messages,
  };
  // CHANGEDSINCE returned every change up to the moment it ran, so the higher of the server's
  // value at SELECT and the highest modseq actually received is safe to claim.
  if (status.highestModseq !== undefined) {
    const serverModseq = BigInt(status.highestModseq);
    next.highestModseq = (serverModseq > highest ? serverModseq : highest).toString();
  }
  await sendChanges(ctx, { fresh, flags, removed, keepOnly }, next);
}

/** No CONDSTORE: compare every UID and every flag (the cache writes only what differs). */
async function fullReconciliation(ctx: FolderContext, status: ServerStatus): Promise<void> {
  const cp = ctx.checkpoint as Checkpoint;
  const flags = new Map<number, string[]>();
  const present: number[] = [];
  for await (const message of ctx.client.fetch('1:*', { uid: true, flags: true }, { uid: true })) {
    present.push(message.uid);
    if (message.uid < cp.uidNext && message.flags) flags.set(message.uid, [...message.flags]);
  }
  const fresh = await fetchNewRows(ctx, cp.uidNext);
  const next: Checkpoint = {
    ...cp,
    uidNext: Math.max(status.uidNext, nextUid(fresh, cp.uidNext)),
    messages: status.messages,
    fullSyncAt: ctx.now(),
  };
  delete next.highestModseq;
  const keepOnly = toUidSet([...present, ...fresh.map((row) => row.uid)]);
  await sendChanges(ctx, { fresh, flags, removed: [], keepOnly }, next);
}

interface Changes {
  fresh: MessageRow[];
  flags: Map<number, string[]>;
  removed: number[];
  keepOnly: string | undefined;
}

/** Large change sets go in write-path-sized batches; only the last one moves the checkpoint. */
async function sendChanges(ctx: FolderContext, changes: Changes, next: Checkpoint): Promise<void> {
  const flagList: FlagChange[] = [...changes.flags].map(([uid, flags]) => ({ uid, flags }));
  const putChunks = chunked(changes.fresh, CHUNKS.rest);
  const flagChunks = chunked(flagList, CHUNKS.rest);
  const lastPut = putChunks.pop() ?? [];
  const lastFlags = flagChunks.pop() ?? [];
  for (const put of putChunks) await ctx.send({ folderId: ctx.folder.id, put });
  for (const flags of flagChunks) await ctx.send({ folderId: ctx.folder.id, flags });
  const last: Omit<ChangeBatch, 'id' | 'accountId' | 'folderId' | 'checkpoint'> = {
    put: lastPut,
    flags: lastFlags,
    remove: changes.removed,
  };
  if (changes.keepOnly !== undefined) last.keepOnly = changes.keepOnly;
  await sendWithCheckpoint(ctx, last, next);
}

function chunked<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function sendWithCheckpoint(
  ctx: FolderContext,
  batch: Omit<ChangeBatch, 'id' | 'accountId' | 'folderId' | 'checkpoint'>,
  checkpoint: Checkpoint,
): Promise<void> {
  const strays = ctx.strayFlags;
  if (strays?.size) {
    // Last in the list: a later change of the same UID wins.
    const flags = [...strays].map(([uid, flags]) => ({ uid, flags }));
    batch = { ...batch, flags: [...(batch.flags ?? []), ...flags] };
    strays.clear();
  }
  ctx.onCheckpoint(checkpoint);
  ctx.checkpoint = checkpoint;
  await ctx.send({ folderId: ctx.folder.id, ...compact(batch), checkpoint });
}

/** Leaves out empty parts, so batches stay small on the wire. */
function compact<T extends Record<string, unknown>>(batch: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(batch)) {
    if (value === undefined || value === false) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value;
  }
  return out as T;
}

async function fetchNewRows(ctx: FolderContext, uidNext: number): Promise<MessageRow[]> {
  // `N:*` also matches the highest existing UID when it is below N: filter it out.
  const rows = await fetchRows(ctx, `${uidNext}:*`);
  return rows.filter((row) => row.uid >= uidNext);
}

/**
 * The list rows of these UIDs of the selected folder (headers only, as a sync fetches them): the
 * rows the server step of search found that the cache lacks. Sent without a checkpoint: the
 * folder's sync position does not move, and its next pass puts the same rows again (idempotent).
 */
export function fetchRowsByUid(
  client: ImapFlow,
  folder: FolderRow,
  uids: number[],
): Promise<MessageRow[]> {
  return fetchRows({ client, folder, seenModseq: 0n }, toUidSet(uids));
}

async function fetchRows(
  ctx: Pick<FolderContext, 'client' | 'folder' | 'seenModseq' | 'strayFlags'>,
  range: string,
  bySequence = false,
): Promise<MessageRow[]> {
  const rowContext = {
    accountId: ctx.folder.accountId,
    folderId: ctx.folder.id,
    isInbox: ctx.folder.role === 'inbox',
  };
  const messages: FetchMessageObject[] = [];
  const query = { ...LIST_FETCH_QUERY, bodyParts: [FIRST_PART_PREVIEW] };
  // Collect first, act after: issuing a command inside the fetch loop deadlocks imapflow.
  for await (const message of ctx.client.fetch(range, query, { uid: !bySequence })) {
    // Every answer to this query has an envelope; a FETCH without one is another session's flag
    // change (UID, FLAGS, MODSEQ only), not a row. An answer after it is the newer state.
    if (message.envelope) {
      messages.push(message);
      ctx.strayFlags?.delete(message.uid);
    } else if (message.uid && message.flags) {
      ctx.strayFlags ??= new Map();
      ctx.strayFlags.set(message.uid, [...message.flags]);
    }
  }
  const rows = messages.map((message) => toMessageRow(message, rowContext));
  const firstParts = new Map(messages.map((m) => [m.uid, m.bodyParts?.values().next().value]));
  for (const message of messages) {
    if (message.modseq !== undefined && message.modseq > ctx.seenModseq)
      ctx.seenModseq = message.modseq;
  }
  const missing = previewsFromFirstPart(rows, firstParts);
  trace(`${ctx.folder.path}: ${rows.length} rows fetched, ${missing.length} previews to fetch`);
  if (missing.length) await fillPreviews(ctx.client, missing);
  return rows;
}

async function searchUids(client: ImapFlow, range: string): Promise<number[]> {
  const found = await client.search({ uid: range }, { uid: true });
  return Array.isArray(found) ? found : [];
}

function nextUid(rows: MessageRow[], fallback: number): number {
  let next = fallback;
  for (const row of rows) if (row.uid + 1 > next) next = row.uid + 1;
  return next;
}
