/**
 * The server step of search: the parsed query, translated to IMAP SEARCH, run folder by folder on
 * the account's work connection (under each folder's lock, the folder examined: nothing changes
 * on the server), and the header fetch of found messages the cache lacks. UIDs mean something only
 * under their folder's UIDVALIDITY, so both steps check it against what the cache holds.
 */
import { pathOfFolderId } from '#shared/mail';
import { PetrelError } from '#shared/result';
import {
  SERVER_SEARCH_MAX_UIDS,
  type LoadMessagesRequest,
  type ServerFolderHits,
  type ServerSearchRequest,
  type ServerSearchResult,
} from '#shared/server-search';
import { FOLDER_CHANGED, permanentFailure } from '#shared/tasks';
import type { AccountSync } from '../sync/account-sync.ts';
import { fetchRowsByUid } from '../sync/folder-sync.ts';
import { toImapSearch, type ImapSearch } from '#shared/search/imap';

/** Runs the query on each folder of the request; a folder that fails says why, the rest go on. */
export async function searchServer(
  sync: AccountSync,
  email: string,
  request: ServerSearchRequest,
): Promise<ServerSearchResult> {
  requireConnection(sync, email);
  const { search, approximate } = toImapSearch(request.query);
  const folders: ServerFolderHits[] = [];
  for (const folder of request.folders) {
    folders.push(await searchFolder(sync, folder.folderId, folder.uidValidity, search));
  }
  return { folders, approximate };
}

async function searchFolder(
  sync: AccountSync,
  folderId: string,
  uidValidity: number | undefined,
  search: ImapSearch,
): Promise<ServerFolderHits> {
  const result = await sync.onFolderReadOnly(pathOfFolderId(folderId), 'search', async (client) => {
    const current = Number(client.mailbox ? client.mailbox.uidValidity : 0);
    if (uidValidity !== undefined && current !== uidValidity) {
      return permanentFailure(FOLDER_CHANGED);
    }
    const found = await client.search(search, { uid: true });
    const uids = (Array.isArray(found) ? found : []).sort((a, b) => b - a);
    return {
      ok: true as const,
      uidValidity: current,
      uids: uids.slice(0, SERVER_SEARCH_MAX_UIDS),
      total: uids.length,
    };
  });
  return result.ok ? { folderId, ...result } : { folderId, ok: false, reason: result.reason };
}

/**
 * Fetches the rows of `uids` (headers only) and sends them to the cache as a batch without a
 * checkpoint, under the folder's lock, so no reset of that folder can slip in between; resolves
 * with how many rows arrived once the cache has them.
 */
export async function loadMessages(
  sync: AccountSync,
  email: string,
  request: LoadMessagesRequest,
): Promise<number> {
  requireConnection(sync, email);
  const path = pathOfFolderId(request.folderId);
  const folder = sync.folderAt(path);
  if (!folder || folder.id !== request.folderId) {
    throw new PetrelError('invalid-argument', `There is no folder “${path}” on ${email}.`);
  }
  const result = await sync.onFolderReadOnly(path, 'load found messages', async (client) => {
    if (Number(client.mailbox ? client.mailbox.uidValidity : 0) !== request.uidValidity) {
      return permanentFailure(FOLDER_CHANGED);
    }
    const rows = await fetchRowsByUid(client, folder, request.uids);
    if (rows.length) await sync.sendToCache({ folderId: folder.id, put: rows });
    return { ok: true as const, count: rows.length };
  });
  if (!result.ok) {
    throw new PetrelError(
      result.permanent ? 'invalid-argument' : 'unavailable',
      `The messages found on ${email} could not be fetched: ${result.reason}.`,
    );
  }
  return result.count;
}

function requireConnection(sync: AccountSync, email: string): void {
  if (sync.connected) return;
  throw new PetrelError(
    'unavailable',
    `Petrel cannot reach the server of ${email} right now: only this computer’s copy was searched.`,
  );
}
