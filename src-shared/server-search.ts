/**
 * The server step of search (issue 7): the same parsed query, run as IMAP SEARCH on chosen folders
 * of one account, so that mail whose body is not cached (older than the offline window) is found
 * too. Found UIDs come back per folder; rows the cache lacks are then fetched, headers only.
 */
import type { SearchQuery } from './search/query.ts';

/** At most this many UIDs per folder come back (the newest: highest UIDs). */
export const SERVER_SEARCH_MAX_UIDS = 500;

export interface ServerSearchRequest {
  accountId: string;
  /**
   * Folders of that account, each with the UIDVALIDITY the cache holds for it (absent when the
   * cache has no checkpoint for it yet): UIDs are meaningful only under that UIDVALIDITY.
   */
  folders: { folderId: string; uidValidity?: number }[];
  query: SearchQuery;
}

export type ServerFolderHits =
  | {
      folderId: string;
      ok: true;
      /** The folder's UIDVALIDITY on the server now. */
      uidValidity: number;
      /** Newest first (highest UID first), at most SERVER_SEARCH_MAX_UIDS. */
      uids: number[];
      /** How many the server found (more than `uids.length` when capped). */
      total: number;
    }
  | {
      folderId: string;
      ok: false;
      /** A sentence a person can read ("the folder changed on the server", "not found"). */
      reason: string;
    };

export interface ServerSearchResult {
  folders: ServerFolderHits[];
  /** Parts of the query IMAP SEARCH cannot say exactly (from `toImapSearch`), for the user. */
  approximate: string[];
}

/** Fetch these UIDs' list rows (headers only) of one folder into the cache. */
export interface LoadMessagesRequest {
  folderId: string;
  /** The UIDVALIDITY the UIDs belong to: nothing is fetched if the folder changed since. */
  uidValidity: number;
  uids: number[];
}
