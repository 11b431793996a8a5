/**
 * Rows of the offline cache, as the main process produces them and the renderer stores them.
 * Lean on purpose: the IndexedDB write path (about 10k rows/s) limits a large initial sync.
 */

export type FolderRole =
  'inbox' | 'sent' | 'drafts' | 'trash' | 'junk' | 'archive' | 'all' | 'flagged';
export type Namespace = 'personal' | 'other' | 'shared';

export interface FolderRow {
  /** `${accountId}:${path}` */
  id: string;
  accountId: string;
  path: string;
  /** Last segment of the path, decoded for display. */
  name: string;
  delimiter: string;
  parentPath?: string;
  role?: FolderRole;
  namespace: Namespace;
  subscribed: boolean;
  /** \Noselect folders only hold other folders. */
  selectable: boolean;
  messages: number;
  unseen: number;
}

export interface Address {
  name?: string;
  address?: string;
}

/** A lean BODYSTRUCTURE node: enough to choose parts to display and list attachments. */
export interface MimePart {
  /** IMAP section number, e.g. "1.2" ("" for a single-part message's body: fetch as TEXT/"1"). */
  part: string;
  type: string;
  size?: number;
  encoding?: string;
  charset?: string;
  disposition?: string;
  filename?: string;
  contentId?: string;
  children?: MimePart[];
}

export interface MessageRow {
  /** `${folderId}#${uid}` */
  id: string;
  folderId: string;
  accountId: string;
  uid: number;
  /** INTERNALDATE, ms since epoch: the list's sort key. */
  date: number;
  flags: string[];
  size: number;
  subject: string;
  from: Address[];
  to: Address[];
  cc: Address[];
  messageId?: string;
  inReplyTo?: string;
  /** The thread's root Message-ID (first of References, else In-Reply-To, else its own). */
  threadId: string;
  preview: string;
  hasAttachments: boolean;
  structure?: MimePart;
  /** 1 for messages of an account's INBOX: the unified inbox index skips every other row. */
  unifiedInbox?: 1;
}

/** One MIME part of one message, as fetched for reading (decoded: text as UTF-8, else bytes). */
export interface BodyPart {
  /** The message row's id. */
  rowId: string;
  /** IMAP section, as in `MimePart.part`. */
  part: string;
  contentType: string;
  /** Text parts (text/plain, text/html), decoded to a string. */
  text?: string;
  /** Any other part (attachments, inline images), base64: the same on every transport. */
  dataBase64?: string;
  /** Bytes of the decoded content. */
  size: number;
  /** The content was longer than the limit and was cut there. */
  truncated?: boolean;
}

/** A request for parts of one message: the reader asks for what it shows, prefetch for text. */
export interface PartRequest {
  rowId: string;
  parts: string[];
}

export const folderIdOf = (accountId: string, path: string): string => `${accountId}:${path}`;
/** Account ids are UUIDs: they never contain ":", so the folder id splits unambiguously. */
export const messageRowId = (folderId: string, uid: number): string => `${folderId}#${uid}`;

/** The account id of a folder id (everything before the first ":"; account ids have none). */
export const accountIdOfFolderId = (folderId: string): string =>
  folderId.slice(0, folderId.indexOf(':'));

/** The folder's path on the server (everything after the account id and its ":"). */
export const pathOfFolderId = (folderId: string): string =>
  folderId.slice(folderId.indexOf(':') + 1);

/** The folder id of a message row id (everything before the last "#"). */
export const folderIdOfRowId = (rowId: string): string => rowId.slice(0, rowId.lastIndexOf('#'));

/** The UID of a message row id (the digits after the last "#"). */
export const uidOfRowId = (rowId: string): number =>
  Number(rowId.slice(rowId.lastIndexOf('#') + 1));
