/**
 * The offline cache: one Dexie database over the renderer's IndexedDB. `apply.ts` is its only writer
 * of mail data; views read it through `queries.ts` with `useLiveQuery`.
 *
 * Indexes are kept to what queries need: every index is paid on every write, and the write path
 * (about 10k rows/s) is what limits a large initial sync.
 */
import { Dexie, type Collection, type EntityTable, type InsertType, type Table } from 'dexie';
import type { DraftContent } from '#shared/compose';
import type { FolderRow, MessageRow } from '#shared/mail';
import type { Checkpoint } from '#shared/sync';
import type { MailTask, OutgoingMessage } from '#shared/tasks';

/** Reported to main on attach; main resyncs from scratch when it does not know this version. */
export const CACHE_SCHEMA_VERSION = 1;

/** A folder's sync position, stored next to the rows it describes. */
export interface CheckpointRow extends Checkpoint {
  folderId: string;
  /** Lets an account's removal find checkpoints of folders whose row is already gone. */
  accountId: string;
}

/** One cached MIME part of one message. */
export interface BodyRow {
  /** The message row's id (`${folderId}#${uid}`). */
  rowId: string;
  /** IMAP section, as in `MimePart.part`. */
  part: string;
  /** The message's folder: lets a folder's reset or removal drop its bodies in one range. */
  folderId: string;
  contentType: string;
  /** Decoded text parts. */
  text?: string;
  /** Binary parts (attachments, inline images). */
  data?: Uint8Array;
  /** Decoded size in bytes. */
  size: number;
  /** Cut at the size limit. */
  truncated?: boolean;
  /** ms since epoch: lets a prefetch window age parts out. */
  fetchedAt: number;
}

/** A sender whose remote content (images, stylesheets) the user chose to load always. */
export interface TrustedSenderRow {
  /** Lower-cased address. */
  address: string;
  /** ms since epoch. */
  since: number;
}

/** What a task's local effect did to one message's flags (case as written), to undo it. */
export interface FlagUndo {
  rowId: string;
  added: string[];
  removed: string[];
}

/** What undoes a task's local effect; one field per kind of effect. */
export interface TaskUndo {
  flags?: FlagUndo[];
  /**
   * Message rows the task took out of their folder (moveMessages, deleteMessages,
   * transferMessages), as they were. While the task is queued, `apply.ts` keeps them as the
   * server has them (newer flags; forgotten once expunged), so a rollback puts back what the server
   * still holds. Their cached bodies stay in `bodies`, under the same row ids, until the task is
   * settled: done drops them, a rollback finds them in place.
   */
  messages?: MessageRow[];
  /** Folder rows the task took away (renameFolder's old paths, deleteFolder), kept up to date too. */
  folders?: FolderRow[];
}

/** A task the user asked for that main has not carried out yet: the queue (see `tasks.ts`). */
export interface TaskRow {
  /** Auto-incremented: the queue's order. */
  id: number;
  /** The task's folder: `apply.ts` finds the pending effects on a folder's rows by it. */
  folderId: string;
  task: MailTask;
  undo: TaskUndo;
  /** ms since epoch. */
  createdAt: number;
  /** Tries that failed for now (offline), and why the last one did. */
  attempts: number;
  /** Not to be handed to main before this (ms since epoch): the undo-send delay. */
  notBefore?: number;
  lastError?: string;
  /** When the first try that failed for now did (ms since epoch). */
  failingSince?: number;
  /** Folders the task shows before the server has them (createFolder, renameFolder's new paths). */
  creates?: string[];
  /** Folders the task hides (renameFolder's old paths, deleteFolder): sync does not show them. */
  hides?: string[];
}

/** The typed database: one table per kind of row. */
export type PetrelDb = Dexie & {
  folders: EntityTable<FolderRow, 'id'>;
  messages: EntityTable<MessageRow, 'id'>;
  checkpoints: EntityTable<CheckpointRow, 'folderId'>;
  bodies: Table<BodyRow, [string, string]>;
  trustedSenders: EntityTable<TrustedSenderRow, 'address'>;
  tasks: EntityTable<TaskRow, 'id'>;
  outbox: EntityTable<OutboxRow, 'id'>;
  drafts: EntityTable<DraftRow, 'id'>;
  contacts: EntityTable<ContactRow, 'address'>;
  searchPending: EntityTable<SearchPendingRow, 'id'>;
  searchBlocks: Table<SearchBlockRow, [number, string]>;
  searchDocs: EntityTable<SearchDocsRow, 'chunk'>;
};

/**
 * What the search index has still to take in (`search-index.ts`): one row per batch the cache
 * writer applied that changed something searchable, in the order they came.
 */
export interface SearchPendingRow {
  /** Auto-incremented: the order batches came in. */
  id: number;
  /** Rows put: indexed unless they already are (a UID's message never changes). */
  rowIds: string[];
  /** Rows whose text parts were cached: indexed again when their text is new to the index. */
  textIds?: string[];
  /** Rows whose flags changed: their flags in the index are brought up to date. */
  flagIds?: string[];
  /** Rows expunged. */
  removedIds?: string[];
  /** Folders dropped whole (removed, or reset for a new UIDVALIDITY), before this batch's puts. */
  droppedFolders?: string[];
  /** Every folder of this account dropped. */
  droppedAccount?: string;
  /** UID reconciliation: messages of the folder whose UID is not in `uids` are gone. */
  keepOnly?: { folderId: string; uids: string };
}

/**
 * The postings of consecutive words (in code unit order) within one chunk of the index, packed
 * into one row of about 16 KB: word `i`'s postings are `docs`/`fields` from `starts[i]` to
 * `starts[i + 1]`: the chunk's local message numbers, ascending, and for each the fields the word
 * occurs in (`FIELD` bits). Keyed by chunk and first word. One row per word would be one
 * IndexedDB write per word per chunk, about 45 µs each in Chromium: 30,000 of them for a chunk.
 */
export interface SearchBlockRow {
  chunk: number;
  first: string;
  words: string[];
  starts: Uint32Array;
  docs: Uint16Array;
  fields: Uint8Array;
}

/** One word's postings in one chunk (a view into a `SearchBlockRow`). */
export interface SearchPosting {
  word: string;
  chunk: number;
  docs: Uint16Array;
  fields: Uint8Array;
}

/**
 * The messages of one chunk of the index, by local number: row id, date, size and `DOC` bits
 * (unread, flagged, attachment, body cached, gone), and a hash of the body text indexed (0 for
 * none). The columns are as long as `rowIds`.
 */
export interface SearchDocsRow {
  chunk: number;
  rowIds: string[];
  dates: Float64Array;
  sizes: Float64Array;
  bits: Uint8Array;
  texts: Uint32Array;
  /** Messages of the chunk marked gone whose postings were dropped (`compactChunk`). */
  purged?: number;
}

/**
 * A message being written, saved locally within a second of typing (it survives a crash or a
 * kill). Removed when it is sent or discarded.
 */
export interface DraftRow {
  /** The draft's `outboxId`. */
  id: string;
  accountId: string;
  draft: DraftContent;
  /** ms since epoch of the last local save. */
  updatedAt: number;
  /** The composer shows it (still true after a crash or a kill: it reopens on the next start). */
  open?: boolean;
  /** The `updatedAt` of the version last queued for the server's Drafts folder. */
  queuedAt?: number;
  /** The account that version was queued to (a draft can change its From account). */
  queuedTo?: string;
}

/**
 * An address seen in synced mail (senders and recipients), for autocomplete. Harvested by the
 * cache writer (`contacts.ts`); the Sent folder's recipients count for more. The row keyed ''
 * (`PASS_KEY`) is no contact: it holds `pass`, the progress of the one-time harvest of mail
 * cached before contacts existed.
 */
export interface ContactRow {
  /** Lower-cased address: the key. */
  address: string;
  /** The last display name seen with it, if any. */
  name?: string;
  /** Ranking: frequency and recency, higher first (see `contacts.ts`). */
  score: number;
  /** Messages it was seen in, and those of them in Sent (as a recipient). */
  count: number;
  sentCount: number;
  /** Date (ms since epoch) of the newest message it was seen in. */
  lastSeen: number;
  /** Only on the `PASS_KEY` row: the last message id walked, and whether the walk is over. */
  pass?: { after: string; done: boolean };
}

/**
 * A message the server refused to send (or one the user is still to fix): kept here, with the
 * reason, until it is edited and sent again or deleted. Messages waiting to be sent are the queued
 * sendMessage tasks themselves.
 */
export interface OutboxRow {
  /** The composer's id for the message (the task's `outboxId`). */
  id: string;
  accountId: string;
  message: OutgoingMessage;
  /** Why it was not sent, in the server's words where it gave any. */
  error: string;
  /** ms since epoch. */
  failedAt: number;
}

/** A query over `messages`, typed as the table's own collections are. */
export type MessageCollection = Collection<MessageRow, string, InsertType<MessageRow, 'id'>>;

/** Table names, for transaction scopes. */
export type CacheTable = 'folders' | 'messages' | 'checkpoints' | 'bodies';
/**
 * Tables of the user's own choices and intent: sync never adds or changes what they say. It reads
 * `tasks` to keep pending effects, updates queued tasks' copies of the rows they took away (their
 * undo data), and drops the tasks of a removed account.
 */
export type UserTable = 'trustedSenders' | 'tasks' | 'outbox' | 'drafts' | 'contacts';
/** The search index's tables: derived from the mail tables, rebuilt from them if need be. */
export type SearchTable = 'searchPending' | 'searchBlocks' | 'searchDocs';

/**
 * Version 1. Keep every `version(n)` block users may still have; data changes go in `.upgrade()`.
 * Messages carry no `accountId` index: an account is removed folder by folder through
 * `[folderId+date]`, which the list needs anyway. Rows without `unifiedInbox` stay out of that index
 * because IndexedDB skips rows whose key path is undefined.
 */
const SCHEMA_V1: Record<CacheTable, string> = {
  folders: 'id, accountId',
  messages: 'id, [folderId+date], [unifiedInbox+date], threadId, messageId',
  checkpoints: 'folderId, accountId',
  bodies: '[rowId+part], folderId',
};

/** Version 2 adds the user's own tables; mail tables are unchanged. */
const SCHEMA_V2: Partial<Record<UserTable, string>> = {
  trustedSenders: 'address',
  tasks: '++id, folderId',
};

/**
 * Version 3 indexes the folders queued folder tasks create and hide (multi-entry), so that a folder
 * batch and a thread query find them without reading every task. Tasks of version 2 (setFlags)
 * have neither field, and IndexedDB leaves them out of both indexes: no upgrade needed.
 */
const SCHEMA_V3: Partial<Record<UserTable, string>> = {
  tasks: '++id, folderId, *creates, *hides',
};

/** Version 4 adds the outbox of messages that could not be sent. */
const SCHEMA_V4: Partial<Record<UserTable, string>> = {
  outbox: 'id, accountId',
};

/** Version 5 adds local drafts and the contacts harvested for autocomplete. */
const SCHEMA_V5: Partial<Record<UserTable, string>> = {
  drafts: 'id, accountId, updatedAt',
  contacts: 'address, score',
};

/**
 * Version 6 adds the search index (`search-index.ts`). Existing caches queue every cached message
 * for indexing in the upgrade (ids read from the primary key alone, 5,000 a pending row); the
 * indexer then builds the postings in the background.
 */
const SCHEMA_V6: Record<SearchTable, string> = {
  searchPending: '++id',
  searchBlocks: '[chunk+first]',
  searchDocs: 'chunk',
};
const SEARCH_PENDING_CHUNK = 5_000;

/** The newest schema version. */
export const CACHE_DB_VERSION = 6;

/**
 * Creates the cache's Dexie instance; it opens on first use. Tests pass a unique name, and an
 * older `version` to build a cache as an older app left it.
 */
export function openCache(name = 'petrel-cache', version = CACHE_DB_VERSION): PetrelDb {
  // Relaxed durability: no flush to disk per commit. A crash can lose the last commits, but
  // each batch and its checkpoint commit together, so the cache only ever goes back in time,
  // consistently, and sync resumes from there.
  const db = new Dexie(name, { chromeTransactionDurability: 'relaxed' }) as PetrelDb;
  db.version(1).stores(SCHEMA_V1);
  db.version(2).stores(SCHEMA_V2);
  db.version(3).stores(SCHEMA_V3);
  db.version(4).stores(SCHEMA_V4);
  db.version(5).stores(SCHEMA_V5);
  if (version < 6) return db;
  db.version(6)
    .stores(SCHEMA_V6)
    .upgrade(async (tx) => {
      const ids = (await tx.table('messages').toCollection().primaryKeys()) as string[];
      const rows = [];
      for (let i = 0; i < ids.length; i += SEARCH_PENDING_CHUNK) {
        rows.push({ rowIds: ids.slice(i, i + SEARCH_PENDING_CHUNK) });
      }
      await tx.table('searchPending').bulkAdd(rows);
    });
  return db;
}

/**
 * Every message row of one folder, oldest first, through `[folderId+date]`: the index the list
 * already pays for, so a folder's reset, reconciliation and removal need no index of their own.
 */
export function messagesOfFolder(db: PetrelDb, folderId: string): MessageCollection {
  return db.messages
    .where('[folderId+date]')
    .between([folderId, Dexie.minKey], [folderId, Dexie.maxKey], true, true);
}
