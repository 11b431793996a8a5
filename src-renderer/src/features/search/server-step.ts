/**
 * "Search the server too": the same query as IMAP SEARCH on the scope's folders (chosen with
 * `folderMatches`), one call per account, in parallel across accounts. What the server found is
 * looked up in the cache; rows the cache lacks (a folder still syncing, mail that arrived since)
 * are fetched into it, headers only, through main — the cache writer stays the only writer. The
 * found row ids go to the UI state, where the list merges them with the local results.
 */
import type { AccountStatus, AccountSummary } from '#shared/accounts';
import { messageRowId, type FolderRow } from '#shared/mail';
import { errorMessage } from '#shared/result';
import type { SearchQuery } from '#shared/search/query';
import type { ServerFolderHits } from '#shared/server-search';
import { petrel } from '../../bridge/index.ts';
import { db } from '../../state/cache.ts';
import { useUiStore } from '../../state/store.ts';
import { folderMatches } from '#shared/search/imap';
import type { SearchScopeIds } from './use-search.ts';

/** Whether an account can take the server step now (not offline, not refused). */
export function reachable(status: AccountStatus | undefined): boolean {
  return status?.state !== 'offline' && status?.state !== 'error';
}

/** The folders the server step searches: selectable, in scope, and allowed by in:/account:. */
export async function serverFolders(
  query: SearchQuery,
  scope: SearchScopeIds,
  accounts: AccountSummary[],
): Promise<FolderRow[]> {
  const folders = await db.folders.where('accountId').anyOf(scope.accountIds).toArray();
  return folders.filter((folder) => {
    const account = accounts.find((a) => a.id === folder.accountId);
    if (!account || !folder.selectable) return false;
    if (scope.folderId !== undefined && folder.id !== scope.folderId) return false;
    return folderMatches(query, folder, account);
  });
}

/** Runs the server step for the search `key`; progress and results land in the UI state. */
export async function runServerStep(
  key: string,
  query: SearchQuery,
  scope: SearchScopeIds,
  accounts: AccountSummary[],
): Promise<void> {
  const store = useUiStore.getState();
  const statuses = store.accountStatus;
  const online = accounts.filter((a) => scope.accountIds.includes(a.id));
  const notes = online
    .filter((a) => !reachable(statuses[a.id]))
    .map((a) => `${a.name} is offline: only this computer’s copy of it was searched.`);
  const folders = (await serverFolders(query, scope, accounts)).filter((f) =>
    reachable(statuses[f.accountId]),
  );
  const found: string[] = [];
  const progress = { done: 0, total: folders.length };
  const publish = (running: boolean) => {
    // A newer search took over: this one's results are not wanted any more.
    if (useUiStore.getState().serverSearch?.key !== key) return;
    useUiStore.getState().setServerSearch({
      key,
      running,
      progress: { ...progress },
      found: [...found],
      notes: [...new Set(notes)],
    });
  };
  store.setServerSearch({ key, running: true, progress, found: [], notes });
  const byAccount = new Map<string, FolderRow[]>();
  for (const folder of folders) {
    byAccount.set(folder.accountId, [...(byAccount.get(folder.accountId) ?? []), folder]);
  }
  await Promise.all(
    [...byAccount].map(async ([accountId, list]) => {
      const account = accounts.find((a) => a.id === accountId) as AccountSummary;
      const checkpoints = await db.checkpoints.bulkGet(list.map((f) => f.id));
      // Folder by folder, so the list fills in as the server answers.
      for (const [i, folder] of list.entries()) {
        const uidValidity = checkpoints[i]?.uidValidity;
        try {
          const result = await petrel().searchServer({
            accountId,
            folders: [
              { folderId: folder.id, ...(uidValidity === undefined ? {} : { uidValidity }) },
            ],
            query,
          });
          notes.push(...result.approximate);
          for (const hits of result.folders) {
            found.push(...(await intoCache(hits, uidValidity, account, folder, notes)));
          }
        } catch (error) {
          notes.push(`${account.name}: ${errorMessage(error)}`);
          progress.done += list.length - i;
          publish(true);
          return;
        }
        progress.done++;
        publish(true);
      }
    }),
  );
  publish(false);
}

/** Row ids of what one folder's search found, after fetching the rows the cache lacks. */
async function intoCache(
  hits: ServerFolderHits,
  uidValidity: number | undefined,
  account: AccountSummary,
  folder: FolderRow,
  notes: string[],
): Promise<string[]> {
  const where = `${folder.name} (${account.name})`;
  if (!hits.ok) {
    notes.push(`${where}: ${hits.reason}.`);
    return [];
  }
  if (uidValidity === undefined || hits.uidValidity !== uidValidity) {
    notes.push(`${where} is being synced again; search the server once it is done.`);
    return [];
  }
  if (hits.total > hits.uids.length) {
    notes.push(`${where}: the newest ${hits.uids.length} of ${hits.total} found are shown.`);
  }
  const ids = hits.uids.map((uid) => messageRowId(folder.id, uid));
  const cached = await db.messages.bulkGet(ids);
  const missing = hits.uids.filter((_, i) => !cached[i]);
  if (missing.length) {
    await petrel().loadMessages({ folderId: folder.id, uidValidity, uids: missing });
  }
  return ids;
}
