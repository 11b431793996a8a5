/**
 * Drafts the composer opens with: a new message, a reply (to the sender, or to everyone), a
 * forward, or a refused message to fix. Recipients are text the user can edit; subjects and
 * thread headers come from the pure rules in src-shared/compose.ts.
 */
import type { AccountSummary } from '#shared/accounts';
import { formatAddressList } from '#shared/addresses';
import {
  attribution,
  forwardHeaderBlock,
  forwardSubject,
  normalizeMessageId,
  quotePlain,
  replyRecipients,
  replySubject,
  threadHeaders,
} from '#shared/compose';
import type { MessageRow } from '#shared/mail';
import { textPart } from '#shared/mime';
import type { OutgoingAttachment } from '#shared/tasks';
import { petrel } from '../../bridge/index.ts';
import type { BodyRow } from '../../cache/db.ts';
import { localDraftOf } from '../../cache/local-drafts.ts';
import type { OutboxEntry } from '../../cache/outbox.ts';
import { db } from '../../state/cache.ts';
import { cleanAttachmentName } from '../reader/attachment-name.ts';
import { readerParts } from '../reader/reader-parts.ts';
import type { ComposerDraft } from '../../state/store.ts';

const newId = () => crypto.randomUUID();

export function newDraft(accountId: string): ComposerDraft {
  return { outboxId: newId(), accountId, to: '', cc: '', bcc: '', subject: '', body: '' };
}

export type ReplyMode = 'reply' | 'replyAll' | 'forward';

/** A reply or forward of a cached message, quoting its text (plain; HTML becomes its text). */
export async function draftFrom(
  row: MessageRow,
  mode: ReplyMode,
  accounts: AccountSummary[],
): Promise<ComposerDraft> {
  const text = await plainTextOf(row);
  const draft = newDraft(row.accountId);
  if (mode === 'forward') {
    return {
      ...draft,
      subject: forwardSubject(row.subject),
      body: `\n\n${forwardHeaderBlock(row)}\n\n${text}`,
    };
  }
  // The replying account's own address: other accounts of this app are other people here.
  const own = accounts.filter((a) => a.id === row.accountId).map((a) => a.email);
  const { to, cc } = replyRecipients(row, own, mode);
  const thread = threadHeaders({
    ...(row.messageId ? { messageId: row.messageId } : {}),
    references: [row.threadId, row.inReplyTo],
    ...(row.inReplyTo ? { inReplyTo: row.inReplyTo } : {}),
  });
  return {
    ...draft,
    to: formatAddressList(to),
    cc: formatAddressList(cc),
    subject: replySubject(row.subject),
    body: `\n\n${quotePlain(text, attribution(row))}`,
    ...(thread.inReplyTo ? { inReplyTo: thread.inReplyTo } : {}),
    references: thread.references,
  };
}

/** A message from the outbox, back in the composer (same id and Message-ID: it was never sent). */
export function draftFromOutbox(entry: OutboxEntry): ComposerDraft {
  const m = entry.message;
  return {
    outboxId: entry.id,
    accountId: entry.accountId,
    to: formatAddressList(m.to),
    cc: formatAddressList(m.cc),
    bcc: formatAddressList(m.bcc),
    subject: m.subject,
    body: m.text ?? '',
    messageId: m.messageId,
    ...(m.attachments?.length ? { attachments: m.attachments } : {}),
    ...(m.inReplyTo ? { inReplyTo: m.inReplyTo } : {}),
    ...(m.references ? { references: m.references } : {}),
  };
}

/**
 * The text to quote: the cached text/plain part, else the HTML part's text (parsed inertly, never
 * rendered), else a note that the body is not saved here.
 */
async function plainTextOf(row: MessageRow): Promise<string> {
  const part = row.structure ? textPart(row.structure) : { part: '1', type: 'text/plain' };
  if (!part) return '';
  const body = await db.bodies.get([row.id, part.part]);
  if (!body?.text) return '(The original text is not saved on this computer.)';
  if (part.type !== 'text/html') return body.text;
  // DOMParser documents never run scripts or load anything: only the text is read.
  return new DOMParser().parseFromString(body.text, 'text/html').body.textContent ?? '';
}

/**
 * A message of the Drafts folder, back in the composer: recipients, subject, the text (fetched
 * when not cached), attachments, threading headers and its Message-ID, so that later saves replace
 * that same server draft. A local draft of the same Message-ID that is as new or newer wins (it
 * has what the server copy may lack: Bcc, addresses still being typed). The server keeps no Bcc
 * in the cached row, so a draft from another device comes back without it.
 */
export async function draftFromServerDraft(row: MessageRow): Promise<ComposerDraft> {
  // The cache keeps it without its angle brackets.
  const stored = normalizeMessageId(row.messageId);
  const messageId = stored && OWN_MESSAGE_ID.test(stored) ? stored : undefined;
  const local = messageId ? await localDraftOf(db, row.accountId, messageId) : undefined;
  // The server copy's INTERNALDATE is its save's time (to the second): same version or older.
  if (local && local.updatedAt >= row.date) return local.draft;
  const parts = readerParts(row.structure);
  const text = row.structure ? textPart(row.structure) : { part: '1', type: 'text/plain' };
  const wanted = [...(text ? [text] : []), ...parts.attachments];
  const bodies = await cachedParts(
    row.id,
    wanted.map((p) => p.part),
  );
  const references = [row.threadId, row.inReplyTo]
    .map(normalizeMessageId)
    .filter((id): id is string => id !== undefined && id !== messageId)
    .filter((id, i, all) => all.indexOf(id) === i);
  const attachments = parts.attachments.flatMap((part): OutgoingAttachment[] => {
    const body = bodies.get(part.part);
    const data =
      body?.data ?? (body?.text !== undefined ? new TextEncoder().encode(body.text) : undefined);
    if (!data) return [];
    return [
      {
        filename: cleanAttachmentName(part.filename ?? '') || 'attachment',
        contentType: part.type,
        dataBase64: base64Of(data),
      },
    ];
  });
  const from = row.from[0];
  return {
    outboxId: local?.id ?? newId(),
    accountId: row.accountId,
    ...(from?.address ? { from } : {}),
    to: formatAddressList(row.to),
    cc: formatAddressList(row.cc),
    bcc: local?.draft.bcc ?? '',
    subject: row.subject,
    body: bodyText(text, text ? bodies.get(text.part) : undefined),
    ...(messageId ? { messageId } : {}),
    ...(attachments.length ? { attachments } : {}),
    ...(row.inReplyTo && normalizeMessageId(row.inReplyTo)
      ? { inReplyTo: normalizeMessageId(row.inReplyTo), references }
      : {}),
  };
}

/** Message-IDs the composer can keep (as main's validation wants them). */
const OWN_MESSAGE_ID = /^<[^<>\s@]+@[^<>\s@]+>$/;

/** The cached parts of a message, fetched first when missing. */
async function cachedParts(rowId: string, sections: string[]): Promise<Map<string, BodyRow>> {
  const keys = sections.map((part): [string, string] => [rowId, part]);
  let rows = await db.bodies.bulkGet(keys);
  for (let attempt = 1; sections.some((_, i) => !rows[i]); attempt++) {
    const missing = sections.filter((_, i) => !rows[i]);
    try {
      await petrel().loadParts([{ rowId, parts: missing }]);
    } catch (error) {
      // The reader asks for the same parts as it opens the message: one retry after it.
      if (attempt > 1) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    rows = await db.bodies.bulkGet(keys);
    if (attempt > 1) break;
  }
  const out = new Map<string, BodyRow>();
  rows.forEach((row, i) => row && out.set(sections[i] as string, row));
  return out;
}

/**
 * The draft's text. A single-part message's body ends with the line break MIME puts before its
 * end (MailComposer writes one): that one is not the user's.
 */
function bodyText(part: { type: string } | undefined, body: BodyRow | undefined): string {
  if (!part || !body?.text) return '';
  if (part.type !== 'text/html') return body.text.replace(/\r?\n$/, '');
  // DOMParser documents never run scripts or load anything: only the text is read.
  return new DOMParser().parseFromString(body.text, 'text/html').body.textContent ?? '';
}

function base64Of(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
