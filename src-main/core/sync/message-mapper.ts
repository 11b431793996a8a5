/**
 * Turns what imapflow fetched into lean cache rows. Pure: no I/O, unit-tested on its own.
 */
import type {
  FetchMessageObject,
  FetchQueryObject,
  MessageAddressObject,
  MessageStructureObject,
} from 'imapflow';
import { messageRowId, type Address, type MessageRow, type MimePart } from '#shared/mail';

/** What a list needs, and nothing more (ANCHORS: never the full header, never the body). */
export const LIST_FETCH_QUERY: FetchQueryObject = {
  uid: true,
  flags: true,
  internalDate: true,
  size: true,
  envelope: true,
  bodyStructure: true,
  headers: ['references'],
};

const MAX_SUBJECT = 998;
const MAX_ADDRESSES = 50;

export interface RowContext {
  accountId: string;
  folderId: string;
  isInbox: boolean;
}

export function toMessageRow(message: FetchMessageObject, ctx: RowContext): MessageRow {
  const envelope = message.envelope ?? {};
  const messageId = cleanMessageId(envelope.messageId);
  const inReplyTo = cleanMessageId(envelope.inReplyTo);
  const references = parseReferences(message.headers);
  const structure = message.bodyStructure ? toMimePart(message.bodyStructure) : undefined;
  const row: MessageRow = {
    id: messageRowId(ctx.folderId, message.uid),
    folderId: ctx.folderId,
    accountId: ctx.accountId,
    uid: message.uid,
    date: toTime(message.internalDate) ?? toTime(envelope.date) ?? 0,
    flags: [...(message.flags ?? [])],
    size: message.size ?? 0,
    subject: (envelope.subject ?? '').slice(0, MAX_SUBJECT),
    from: addresses(envelope.from),
    to: addresses(envelope.to),
    cc: addresses(envelope.cc),
    threadId: references[0] ?? inReplyTo ?? messageId ?? messageRowId(ctx.folderId, message.uid),
    preview: '',
    hasAttachments: structure ? hasAttachment(structure) : false,
  };
  if (messageId) row.messageId = messageId;
  if (inReplyTo) row.inReplyTo = inReplyTo;
  if (structure) row.structure = structure;
  if (ctx.isInbox) row.unifiedInbox = 1;
  return row;
}

function toTime(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value).getTime();
  return Number.isFinite(time) ? time : undefined;
}

function addresses(list: MessageAddressObject[] | undefined): Address[] {
  return (list ?? []).slice(0, MAX_ADDRESSES).map((a) => {
    const out: Address = {};
    if (a.name) out.name = a.name;
    if (a.address) out.address = a.address;
    return out;
  });
}

/** "<a@b>" → "a@b"; anything without angle brackets is kept trimmed. */
function cleanMessageId(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim();
  if (!trimmed) return undefined;
  const inside = /<([^<>\s]+)>/.exec(trimmed);
  return inside?.[1] ?? trimmed;
}

/** Message-IDs listed in the References header, oldest (the thread's root) first. */
export function parseReferences(headers: Buffer | undefined): string[] {
  if (!headers) return [];
  const text = headers.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  const line = /^references:(.*)$/im.exec(text)?.[1] ?? '';
  return [...line.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1] as string);
}

export function toMimePart(node: MessageStructureObject, depth = 0): MimePart {
  const part: MimePart = { part: node.part ?? '1', type: node.type.toLowerCase() };
  if (node.size !== undefined) part.size = node.size;
  if (node.encoding) part.encoding = node.encoding.toLowerCase();
  const charset = node.parameters?.['charset'];
  if (charset) part.charset = charset;
  if (node.disposition) part.disposition = node.disposition.toLowerCase();
  const filename = node.dispositionParameters?.['filename'] ?? node.parameters?.['name'];
  if (filename) part.filename = filename;
  if (node.id) part.contentId = node.id;
  // Nesting deeper than any real mail is a hostile message; keep what a reader can show.
  if (node.childNodes?.length && depth < 32) {
    part.children = node.childNodes.map((child) => toMimePart(child, depth + 1));
  }
  return part;
}

function hasAttachment(part: MimePart): boolean {
  if (part.children) return part.children.some(hasAttachment);
  if (part.disposition === 'attachment') return true;
  return Boolean(part.filename) && !part.type.startsWith('text/') && part.disposition !== 'inline';
}
