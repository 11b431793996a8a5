/**
 * What the message list reads: a source (one folder, or every account's INBOX) as a flat,
 * newest-first sequence addressed by position (so a 100k list has a true scrollbar and reads only
 * the rows on screen), or as conversations.
 *
 * Conversations are built by walking the source newest first and folding each row into the
 * conversation of its `threadId` (main derives it from References / In-Reply-To), or, for a row
 * without either header, of its normalized subject when that subject already names a reply or
 * forward conversation. Walking stops once `limit` conversations are known: the list grows the
 * limit as the user scrolls, so the cost follows what is shown, never the folder's size.
 */
import { Dexie } from 'dexie';
import type { MessageRow } from '#shared/mail';
import type { MessageCollection, PetrelDb } from './db.ts';

/** Where the list reads from: one folder, or the unified inbox. */
export type ListSource = { kind: 'folder'; folderId: string } | { kind: 'unified' };

export const UNIFIED: ListSource = { kind: 'unified' };

export function sourceKey(source: ListSource): string {
  return source.kind === 'unified' ? 'unified' : source.folderId;
}

/** The source's rows, newest first. */
function newestFirst(db: PetrelDb, source: ListSource): MessageCollection {
  const [index, prefix] =
    source.kind === 'unified'
      ? (['[unifiedInbox+date]', 1] as const)
      : (['[folderId+date]', source.folderId] as const);
  return db.messages
    .where(index)
    .between([prefix, Dexie.minKey], [prefix, Dexie.maxKey], true, true)
    .reverse();
}

/** How many rows the source holds (an index count: no rows are read). */
export function countOf(db: PetrelDb, source: ListSource): Promise<number> {
  return newestFirst(db, source).count();
}

/** Rows `offset … offset + limit - 1` of the source, newest first. */
export function sliceOf(
  db: PetrelDb,
  source: ListSource,
  offset: number,
  limit: number,
): Promise<MessageRow[]> {
  return newestFirst(db, source).offset(offset).limit(limit).toArray();
}

/** One conversation as the list shows it. */
export interface Conversation {
  /** Stable across re-walks: the key of the conversation's newest row when it was first seen. */
  key: string;
  /** The newest row: the list shows its sender, subject, date. */
  latest: MessageRow;
  /** Every row walked so far, newest first. */
  rows: MessageRow[];
  unread: boolean;
  flagged: boolean;
  hasAttachments: boolean;
}

export interface ConversationPage {
  conversations: Conversation[];
  /** The walk reached the end of the source. */
  complete: boolean;
}

const WALK_CHUNK = 400;

/**
 * The newest `limit` conversations of the source. Rows of a conversation older than the point the
 * walk stopped at are not counted yet; a longer walk (a larger limit) finds them.
 */
export async function conversationsOf(
  db: PetrelDb,
  source: ListSource,
  limit: number,
): Promise<ConversationPage> {
  const builder = new ConversationBuilder();
  let offset = 0;
  for (;;) {
    const rows = await sliceOf(db, source, offset, WALK_CHUNK);
    for (const row of rows) {
      if (builder.size >= limit && !builder.joins(row)) {
        return { conversations: builder.result(), complete: false };
      }
      builder.add(row);
    }
    if (rows.length < WALK_CHUNK) return { conversations: builder.result(), complete: true };
    offset += rows.length;
  }
}

/** Groups rows given newest first into conversations. Pure; exported for tests. */
export class ConversationBuilder {
  private readonly byThread = new Map<string, Conversation>();
  private readonly bySubject = new Map<string, Conversation>();
  private readonly ordered: Conversation[] = [];

  get size(): number {
    return this.ordered.length;
  }

  /** Whether `row` belongs to a conversation already started. */
  joins(row: MessageRow): boolean {
    return this.find(row) !== undefined;
  }

  add(row: MessageRow): void {
    const found = this.find(row);
    if (found) {
      found.rows.push(row);
      found.unread ||= isUnread(row);
      found.flagged ||= isFlagged(row);
      found.hasAttachments ||= row.hasAttachments;
      this.byThread.set(row.threadId, found);
      return;
    }
    const conversation: Conversation = {
      key: row.id,
      latest: row,
      rows: [row],
      unread: isUnread(row),
      flagged: isFlagged(row),
      hasAttachments: row.hasAttachments,
    };
    this.ordered.push(conversation);
    this.byThread.set(row.threadId, conversation);
    const subject = normalizeSubject(row.subject);
    if (subject && isReplyOrForward(row.subject)) this.bySubject.set(subject, conversation);
  }

  result(): Conversation[] {
    return this.ordered;
  }

  private find(row: MessageRow): Conversation | undefined {
    const byThread = this.byThread.get(row.threadId);
    if (byThread) return byThread;
    // Subject fallback only for a row that names no thread of its own: a reply with References
    // belongs where they point, and unrelated mail with a common subject ("Hello") stays apart
    // unless one side is marked as a reply or forward.
    if (hasThreadHeaders(row)) return undefined;
    const subject = normalizeSubject(row.subject);
    return subject ? this.bySubject.get(subject) : undefined;
  }
}

const PREFIX = /^\s*((re|fw|fwd|aw|wg|sv|vs|antw|tr|rif|r)\s*(\[\d+\])?\s*:\s*)+/i;

/** The subject without reply/forward prefixes (any number, common languages), folded for compare. */
export function normalizeSubject(subject: string): string {
  return subject.replace(PREFIX, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

export function isReplyOrForward(subject: string): boolean {
  return PREFIX.test(subject);
}

/** A row whose thread id came from References / In-Reply-To rather than its own Message-ID. */
function hasThreadHeaders(row: MessageRow): boolean {
  return (
    row.inReplyTo !== undefined || (row.messageId !== undefined && row.threadId !== row.messageId)
  );
}

export const isUnread = (row: MessageRow): boolean => !row.flags.includes('\\Seen');
export const isFlagged = (row: MessageRow): boolean => row.flags.includes('\\Flagged');
