/**
 * saveDraft and deleteDraft: exactly one copy of each draft in the account's Drafts folder.
 *
 * A save APPENDs the new version (flagged \Draft \Seen, Bcc kept), then removes every other
 * message in Drafts with the draft's Message-ID — by UID, \Deleted plus UID EXPUNGE of exactly
 * those (never a plain EXPUNGE, which would also take what other clients flagged). The new copy
 * goes in before the old one goes out, so a failure in between leaves two copies for the next
 * save to tidy, never none.
 *
 * Replays: each queued version carries a revision (an `X-Petrel-Draft` header). A save performed
 * twice (a lost answer, a crash) finds its revision there already and appends nothing; the
 * removal of the others is harmless to repeat. Without UIDPLUS the old copies can only be flagged
 * \Deleted; they are left for the server (or another client's expunge) to remove, and they are
 * not counted: every search here skips \Deleted messages.
 */
import type { ImapFlow } from 'imapflow';
import type { FolderRow } from '#shared/mail';
import {
  TASK_DONE,
  permanentFailure,
  transientFailure,
  type DeleteDraftTask,
  type SaveDraftTask,
  type TaskFailure,
  type TaskResult,
} from '#shared/tasks';
import { buildMessage } from '../send/outgoing-mime.ts';
import { removeMessages } from './selected-folder.ts';
import type { TaskRunner } from './transfer-messages.ts';

/** What drafts need of the account (AccountSync has it). */
export type DraftAccount = TaskRunner & { folderRows(): FolderRow[] };

/** The header naming a draft's version; searched for on a replay. */
export const REVISION_HEADER = 'X-Petrel-Draft';

export const DRAFTS_NOT_LISTED = 'the account is not connected yet';
const DRAFTS_GONE = 'the Drafts folder no longer exists on the server';

/**
 * The folder drafts go to: the one LIST marks \Drafts, else one named "Drafts" (the shortest path
 * first); undefined when there is none.
 */
export function draftsFolderPathOf(rows: readonly FolderRow[]): string | undefined {
  const selectable = rows.filter((row) => row.selectable);
  const marked = selectable.find((row) => row.role === 'drafts');
  if (marked) return marked.path;
  const named = selectable
    .filter((row) => row.name.toLowerCase() === 'drafts')
    .sort((a, b) => a.path.length - b.path.length);
  return named[0]?.path;
}

export async function saveDraft(account: DraftAccount, task: SaveDraftTask): Promise<TaskResult> {
  const folder = await draftsFolder(account, { create: true });
  if (!folder.ok) return folder;
  let raw: Buffer;
  let date: Date;
  try {
    const built = await buildMessage(task.message);
    raw = withRevision(built.forSent, task.revision);
    date = built.date;
  } catch (error) {
    return permanentFailure(`the draft could not be put together (${String(error)})`);
  }
  const { messageId } = task.message;
  const result = await account.onFolder(
    folder.path,
    'draft: save',
    async (client) => {
      let keep = await undeleted(client, { header: { [REVISION_HEADER]: task.revision } });
      if (!keep.length) {
        const appended = await client.append(folder.path, raw, ['\\Draft', '\\Seen'], date);
        if (!appended) throw new Error('the Drafts folder did not take the draft');
        // With APPENDUID the new UID is known; without it, the revision finds it.
        keep =
          appended.uidValidity !== undefined && appended.uid !== undefined
            ? [appended.uid]
            : await undeleted(client, { header: { [REVISION_HEADER]: task.revision } });
      }
      // Not found right after the APPEND: remove nothing now; the retry finds it.
      const newest = Math.max(...keep);
      if (!Number.isFinite(newest)) return transientFailure('the saved draft was not found yet');
      const copies = await undeleted(client, { header: { 'message-id': messageId } });
      await removeMessages(
        client,
        copies.filter((uid) => uid !== newest),
      );
      return TASK_DONE;
    },
    DRAFTS_GONE,
  );
  if (result.ok) account.pollSoon();
  return result;
}

/** Removes every copy of the draft from Drafts; done when the account has no Drafts folder. */
export async function deleteDraft(
  account: DraftAccount,
  task: Pick<DeleteDraftTask, 'messageId'>,
): Promise<TaskResult> {
  const folder = await draftsFolder(account, { create: false });
  if (!folder.ok) return folder;
  if (!folder.path) return TASK_DONE;
  const path = folder.path;
  const result = await account.onFolder(path, 'draft: delete', async (client) => {
    await removeMessages(
      client,
      await undeleted(client, { header: { 'message-id': task.messageId } }),
    );
    return TASK_DONE;
  });
  // Gone with its folder is gone.
  if (!result.ok && result.reason === DRAFTS_GONE) return TASK_DONE;
  if (result.ok) account.pollSoon();
  return result;
}

type FolderFound<P> = { ok: true; path: P } | TaskFailure;

async function draftsFolder(
  account: DraftAccount,
  opts: { create: true },
): Promise<FolderFound<string>>;
async function draftsFolder(
  account: DraftAccount,
  opts: { create: false },
): Promise<FolderFound<string | undefined>>;
async function draftsFolder(
  account: DraftAccount,
  opts: { create: boolean },
): Promise<FolderFound<string | undefined>> {
  const rows = account.folderRows();
  // Every account has INBOX: no rows means the work connection has not listed folders yet.
  if (!rows.length) return transientFailure(DRAFTS_NOT_LISTED);
  const path = draftsFolderPathOf(rows);
  if (path || !opts.create) return { ok: true, path };
  // None: make "Drafts" in the personal namespace (imapflow adds its prefix, e.g. "INBOX.").
  const created = await account.onFolder('INBOX', 'draft: create Drafts', async (client) => ({
    ok: true as const,
    path: (await client.mailboxCreate(['Drafts'])).path,
  }));
  if (created.ok) account.pollSoon();
  return created;
}

/** UIDs of the selected folder's messages that match and are not flagged \Deleted. */
async function undeleted(
  client: ImapFlow,
  query: { header: Record<string, string> },
): Promise<number[]> {
  const found = await client.search({ ...query, deleted: false }, { uid: true });
  // imapflow answers a refused SEARCH with false (a dropped connection throws).
  if (!Array.isArray(found)) throw new Error('the server refused to search the Drafts folder');
  return found;
}

/** The message with the revision header in front (a header's place in the block is free). */
function withRevision(raw: Buffer, revision: string): Buffer {
  return Buffer.concat([Buffer.from(`${REVISION_HEADER}: ${revision}\r\n`, 'latin1'), raw]);
}
