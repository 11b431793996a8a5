/**
 * What flows down from the sync engine (ChangeBatch) and what the cache tells it on attach.
 * The renderer applies a batch and its checkpoint in one transaction, then acknowledges it; main
 * keeps at most one batch of a folder unacknowledged. Applying twice is harmless.
 *
 * Order inside one batch: removeAccount; folders.remove, folders.put; then for `folderId`: reset
 * (drops its messages, bodies and checkpoint), keepOnly, put, flags, remove, bodies; last the
 * checkpoint. Bodies of a message that is not (or no longer) cached are dropped.
 * So a UID both fetched (`put`) and expunged (`remove`) ends up removed; main leaves such UIDs out
 * of `put`, and includes fresh UIDs in `keepOnly`.
 */
import type { BodyPart, FolderRow, MessageRow } from './mail.ts';

/** Per-folder sync position, committed together with the changes that reach it. */
export interface Checkpoint {
  uidValidity: number;
  /** HIGHESTMODSEQ (decimal string: 63-bit) as of the last completed pass; absent without CONDSTORE. */
  highestModseq?: string;
  uidNext: number;
  messages: number;
  /** Initial sync still walking down: messages with a UID below this are not mirrored yet. */
  backfillBelow?: number;
  /** When the last full UID + flags reconciliation ran (ms since epoch). */
  fullSyncAt?: number;
}

export interface FlagChange {
  uid: number;
  flags: string[];
}

export interface ChangeBatch {
  /** Increases per host process; acknowledged by `ackBatch`. */
  id: number;
  accountId: string;
  /** The whole account is gone: drop its folders, messages, bodies and checkpoints. */
  removeAccount?: boolean;
  folders?: { put?: FolderRow[]; remove?: string[] };
  /** The folder the message changes below belong to. */
  folderId?: string;
  /** Drop every cached message of `folderId` first (UIDVALIDITY changed). */
  reset?: boolean;
  put?: MessageRow[];
  flags?: FlagChange[];
  /** UIDs expunged from `folderId`. */
  remove?: number[];
  /** UID reconciliation: drop cached messages of `folderId` whose UID is not in this set. */
  keepOnly?: string;
  /** Fetched MIME parts of messages of `folderId` (stored after the message changes). */
  bodies?: BodyPart[];
  checkpoint?: Checkpoint;
}

/** What the cache holds, sent by the renderer when it attaches (start, reconnect, new tab). */
export interface CacheState {
  schemaVersion: number;
  /** By folder id. */
  checkpoints: Record<string, Checkpoint>;
  /** Every cached folder, with or without a checkpoint (so that folders gone elsewhere go here). */
  folderIds: string[];
}
