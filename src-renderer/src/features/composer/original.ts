/**
 * What a reply or forward takes from the original message: its body as text and as the editor's
 * HTML, and its attachments' bytes. Parts not cached yet are fetched once (as the reader does).
 * An HTML original is quoted through `quoteOfMailHtml` (the reader's sanitizer, then the
 * editor's schema): never its own markup.
 */
import { plainTextToHtml } from '#shared/plain-html';
import type { MessageRow, MimePart } from '#shared/mail';
import { errorMessage } from '#shared/result';
import type { OutgoingAttachment } from '#shared/tasks';
import { petrel } from '../../bridge/index.ts';
import type { BodyRow } from '../../cache/db.ts';
import { db } from '../../state/cache.ts';
import { formatSize } from '../mail/format.ts';
import { cleanAttachmentName } from '../reader/attachment-name.ts';
import { readerParts } from '../reader/reader-parts.ts';

export const NOT_SAVED = '(The original text is not saved on this computer.)';

/** What Petrel can send in one message (validation.ts refuses more): the forwarding cap too. */
export const FORWARD_MAX_BYTES = 25 * 1024 * 1024;

export interface OriginalBody {
  /** Plain text: the text/plain part, else the text of the sanitized HTML. */
  text: string;
  /** The editor's HTML of the body (sanitized HTML, or the text in paragraphs). */
  html: string;
}

/** The original's body, as text and as editor HTML. */
export async function originalBody(row: MessageRow): Promise<OriginalBody> {
  const { body } = readerParts(row.structure);
  if (!body) return { text: '', html: '' };
  const plain = plainAlternative(row.structure, body);
  const wanted = [body, ...(plain ? [plain] : [])];
  const cached = await cachedParts(row, wanted).catch(() => new Map<string, BodyRow>());
  const main = cached.get(body.part)?.text;
  if (main === undefined) return { text: NOT_SAVED, html: plainTextToHtml(NOT_SAVED) };
  if (body.type !== 'text/html') return { text: main, html: plainTextToHtml(main) };
  // The editor's schema (TipTap) loads with the first quote, not with the app.
  const { quoteOfMailHtml } = await import('./quote.ts');
  const html = quoteOfMailHtml(main);
  const text = plain && cached.get(plain.part)?.text;
  if (text !== undefined) return { text, html };
  const { htmlToPlainText } = await import('#shared/html-text');
  return { text: htmlToPlainText(html), html };
}

/** The original's attachments (as the reader lists them), with their bytes, for a forward. */
export async function originalAttachments(row: MessageRow): Promise<OutgoingAttachment[]> {
  const parts = readerParts(row.structure).attachments;
  if (parts.length === 0) return [];
  const total = parts.reduce((sum, p) => sum + (p.size ?? 0), 0);
  if (total > FORWARD_MAX_BYTES) throw new Error(tooLarge('Its attachments', total));
  const cached = await cachedParts(row, parts);
  return parts.map((part) => {
    const body = cached.get(part.part);
    if (!body || body.truncated) throw new Error(`the attachment ${part.filename} did not arrive`);
    return {
      filename: cleanAttachmentName(part.filename ?? ''),
      contentType: part.type,
      dataBase64: toBase64(body.data ?? new TextEncoder().encode(body.text ?? '')),
    };
  });
}

/** The original as it is on the server (every byte), as a message/rfc822 attachment. */
export async function originalAsAttachment(row: MessageRow): Promise<OutgoingAttachment> {
  if (row.size > FORWARD_MAX_BYTES) throw new Error(tooLarge('This message', row.size));
  const whole: MimePart = { part: '', type: 'message/rfc822' };
  const body = (await cachedParts(row, [whole])).get('');
  if (!body?.data || body.truncated) throw new Error('the server did not send the whole message');
  const subject = row.subject.replace(/[/\\]/g, '-').slice(0, 120).trim();
  return {
    filename: cleanAttachmentName(`${subject || 'message'}.eml`),
    contentType: 'message/rfc822',
    dataBase64: toBase64(body.data),
  };
}

const tooLarge = (what: string, bytes: number) =>
  `${what} come${what.endsWith('s') ? '' : 's'} to ${formatSize(bytes)}; Petrel forwards at most ${formatSize(FORWARD_MAX_BYTES)}`;

/** The text/plain alternative of an HTML body (same multipart/alternative), if any. */
function plainAlternative(structure: MimePart | undefined, body: MimePart): MimePart | undefined {
  if (body.type !== 'text/html' || !structure) return undefined;
  const parent = findParent(structure, body);
  if (parent?.type !== 'multipart/alternative') return undefined;
  return parent.children?.find((c) => c.type === 'text/plain' && !c.filename);
}

function findParent(node: MimePart, child: MimePart): MimePart | undefined {
  for (const c of node.children ?? []) {
    if (c === child) return node;
    const found = findParent(c, child);
    if (found) return found;
  }
  return undefined;
}

/** The cached rows of these parts, fetching the missing ones first (one request). */
async function cachedParts(row: MessageRow, parts: MimePart[]): Promise<Map<string, BodyRow>> {
  const read = async () => {
    const rows = await db.bodies.bulkGet(parts.map((p) => [row.id, p.part] as [string, string]));
    return new Map(rows.flatMap((r) => (r ? [[r.part, r] as const] : [])));
  };
  const have = await read();
  const missing = parts.filter((p) => !have.has(p.part)).map((p) => p.part);
  if (missing.length === 0) return have;
  try {
    await petrel().loadParts([{ rowId: row.id, parts: missing }]);
  } catch (error) {
    throw new Error(`the server did not send it (${errorMessage(error)})`, { cause: error });
  }
  return read();
}

function toBase64(data: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < data.length; i += 0x8000) {
    binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
