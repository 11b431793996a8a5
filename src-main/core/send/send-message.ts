/**
 * sendMessage: SMTP, then one copy in Sent.
 *
 * Replay rule: SMTP is not idempotent, so before every attempt the Sent folder is searched for
 * the message's Message-ID (one UID SEARCH), and a copy there counts as sent — the task succeeds
 * without sending again. Together with the renderer keeping one Message-ID for all attempts of an
 * outbox entry, a task performed twice (a lost answer, a crash, a retry after a connection lost
 * after DATA on a server that saves its own copy) sends once. Within one run of Petrel the
 * engine also remembers what it sent, which covers accounts without a Sent folder and a Sent copy
 * that could not be saved.
 *
 * The Sent copy: Gmail and Office 365 put what they send in Sent themselves, so after sending
 * Sent is searched a few times over about three seconds, and only if the Message-ID is still not
 * there is the message APPENDed (with its Bcc, flagged \Seen). Exactly one copy either way.
 * Once sent (or found sent), its draft leaves the Drafts folder.
 */
import type { ImapFlow } from 'imapflow';
import type { ServerSettings } from '#shared/accounts';
import type { FolderRow } from '#shared/mail';
import {
  permanentFailure,
  transientFailure,
  type SendMessageTask,
  type SentCopy,
  type TaskDone,
  type TaskFailure,
  type TaskResult,
} from '#shared/tasks';
import type { TaskRunner } from '../tasks/transfer-messages.ts';
import { buildMessage, type BuiltMessage } from './outgoing-mime.ts';
import { smtpFailureOf } from './smtp-failure.ts';

/** What sending needs of the account. */
export interface SendContext {
  /** The account's IMAP side (AccountSync): its folder list and its work connection. */
  imap: TaskRunner & { folderRows(): FolderRow[] };
  smtpServer: ServerSettings;
  /** Hands the message to the SMTP server; rejects with nodemailer's error. */
  smtp(raw: Buffer, envelope: BuiltMessage['envelope']): Promise<{ rejected: string[] }>;
  /** This run of Petrel sent the message already (in-memory). */
  alreadySent(messageId: string): boolean;
  markSent(messageId: string): void;
  /**
   * Removes the message's draft from Drafts once it went out (the draft and the message share the
   * Message-ID). Never rejects: a draft left behind must not fail a send that happened.
   */
  removeDraft?(messageId: string): Promise<void>;
  /** Waits between looks for the server's own Sent copy (default: 0, 0.5, 1, 1.5 s). */
  sentCopyDelaysMs?: readonly number[];
  sleep?(ms: number): Promise<void>;
}

export const SENT_COPY_DELAYS_MS: readonly number[] = [0, 500, 1000, 1500];

export const ACCOUNT_NOT_LISTED = 'the account is not connected yet';

export async function sendMessage(ctx: SendContext, task: SendMessageTask): Promise<TaskResult> {
  const result = await sendOnce(ctx, task);
  if (result.ok) await ctx.removeDraft?.(task.message.messageId).catch(() => {});
  return result;
}

async function sendOnce(ctx: SendContext, task: SendMessageTask): Promise<TaskResult> {
  const { messageId } = task.message;
  const rows = ctx.imap.folderRows();
  // Every account has INBOX: no rows means the work connection has not listed folders yet.
  if (!rows.length) return transientFailure(ACCOUNT_NOT_LISTED);
  let sentPath = sentFolderPathOf(rows);
  if (sentPath) {
    const before = await ctx.imap.onFolder(sentPath, 'send: look in Sent', (client) =>
      lookFor(client, messageId),
    );
    if (!before.ok && !before.permanent) return before;
    // The Sent folder went away since it was listed: send without one.
    if (!before.ok) sentPath = undefined;
    else if (before.found) return { ok: true, sentCopy: 'found' };
  }
  // Sent this run although Sent has no copy (none could be saved, or there is no Sent folder).
  if (ctx.alreadySent(messageId)) return { ok: true, sentCopy: 'none' };
  let built: BuiltMessage;
  try {
    built = await buildMessage(task.message);
  } catch (error) {
    return permanentFailure(`the message could not be put together (${String(error)})`);
  }
  let rejected: string[];
  try {
    ({ rejected } = await ctx.smtp(built.forSmtp, built.envelope));
  } catch (error) {
    return smtpFailureOf(error, ctx.smtpServer);
  }
  ctx.markSent(messageId);
  const done: TaskDone = { ok: true, sentCopy: 'none' };
  if (rejected.length) done.rejectedRecipients = rejected;
  if (!sentPath) return done;
  const copy = await keepSentCopy(ctx, sentPath, messageId, built);
  if (!copy.ok) return { ...done, sentCopyProblem: copy.reason };
  ctx.imap.pollSoon();
  return { ...done, sentCopy: copy.sentCopy };
}

/**
 * The folder sent mail goes to: the one LIST marks \Sent, else one named "Sent" (the shortest
 * path first: "Sent" before "INBOX.Sent"); undefined when there is none.
 */
export function sentFolderPathOf(rows: readonly FolderRow[]): string | undefined {
  const selectable = rows.filter((row) => row.selectable);
  const marked = selectable.find((row) => row.role === 'sent');
  if (marked) return marked.path;
  const named = selectable
    .filter((row) => row.name.toLowerCase() === 'sent')
    .sort((a, b) => a.path.length - b.path.length);
  return named[0]?.path;
}

async function keepSentCopy(
  ctx: SendContext,
  path: string,
  messageId: string,
  built: BuiltMessage,
): Promise<{ ok: true; sentCopy: SentCopy } | TaskFailure> {
  const delays = ctx.sentCopyDelaysMs ?? SENT_COPY_DELAYS_MS;
  const sleep = ctx.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (const [index, delay] of delays.entries()) {
    await sleep(delay);
    const last = index === delays.length - 1;
    const result = await ctx.imap.onFolder(path, 'send: Sent copy', async (client) => {
      const { found } = await lookFor(client, messageId);
      if (found) return { ok: true as const, sentCopy: 'found' as SentCopy };
      if (!last) return { ok: true as const, sentCopy: undefined };
      const appended = await client.append(path, built.forSent, ['\\Seen'], built.date);
      if (!appended) throw new Error('the Sent folder did not take the copy');
      return { ok: true as const, sentCopy: 'appended' as SentCopy };
    });
    if (!result.ok) return result;
    if (result.sentCopy) return { ok: true, sentCopy: result.sentCopy };
  }
  return { ok: true, sentCopy: 'none' };
}

/** Whether the selected folder holds a message with this Message-ID. */
async function lookFor(client: ImapFlow, messageId: string) {
  const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
  return { ok: true as const, found: Array.isArray(found) && found.length > 0 };
}
