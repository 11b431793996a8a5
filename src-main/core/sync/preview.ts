/**
 * The short text preview of list rows: the first bytes of each message's text part, fetched with a
 * partial `BODY.PEEK[section]<0.n>` per group of messages that share a section, then decoded.
 */
import type { ImapFlow } from 'imapflow';
import { decode as decodeQuotedPrintable } from 'libqp';
import type { MessageRow, MimePart } from '#shared/mail';
import { toUidSet } from '#shared/uid-set';
import { textPart } from '#shared/mime';

export const PREVIEW_CHARS = 200;
const BYTES = { text: 600, html: 2_400 } as const;

/**
 * Fetched along with the list fields: the first bytes of part 1, which is the text part of most
 * mail (single-part, or multipart/alternative with text/plain first). Saves a round trip per chunk.
 */
export const FIRST_PART_PREVIEW = { key: '1', maxLength: BYTES.text } as const;

/**
 * Sets previews from the part-1 bytes fetched with the list, where part 1 is the text part;
 * returns the rows that still need one (their text is elsewhere, or part 1 held no text yet).
 */
export function previewsFromFirstPart(
  rows: MessageRow[],
  firstParts: Map<number, Buffer | undefined>,
): MessageRow[] {
  const missing: MessageRow[] = [];
  for (const row of rows) {
    const part = partOf(row);
    const raw = firstParts.get(row.uid);
    if (part && part.part === '1' && raw) row.preview = previewText(raw, part);
    if (part && !row.preview) missing.push(row);
  }
  return missing;
}

/** Fills `preview` of the given rows (the folder must be selected on `client`). */
export async function fillPreviews(client: ImapFlow, rows: MessageRow[]): Promise<void> {
  for (const group of groupBySection(rows).values()) {
    const byUid = new Map(group.rows.map((row) => [row.uid, row]));
    const query = { uid: true, bodyParts: [{ key: group.part.part, maxLength: group.bytes }] };
    for await (const message of client.fetch(toUidSet(byUid.keys()), query, { uid: true })) {
      const row = byUid.get(message.uid);
      const raw = message.bodyParts ? [...message.bodyParts.values()][0] : undefined;
      if (row && raw) row.preview = previewText(raw, partOf(row) ?? group.part);
    }
  }
}

interface Group {
  part: MimePart;
  bytes: number;
  rows: MessageRow[];
}

function groupBySection(rows: MessageRow[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const row of rows) {
    const part = partOf(row);
    if (!part) continue;
    const bytes = part.type === 'text/html' ? BYTES.html : BYTES.text;
    const key = `${part.part}|${bytes}`;
    const group = groups.get(key) ?? { part, bytes, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  return groups;
}

function partOf(row: MessageRow): MimePart | undefined {
  return row.structure ? textPart(row.structure) : undefined;
}

/** Decodes a (possibly truncated) part and reduces it to one line of plain text. */
export function previewText(raw: Buffer, part: MimePart): string {
  const bytes = decodeTransfer(raw, part.encoding);
  let text = decodeCharset(bytes, part.charset);
  if (part.type === 'text/html') text = htmlToText(text);
  return text.replace(/^>.*$/gm, ' ').replace(/\s+/g, ' ').trim().slice(0, PREVIEW_CHARS);
}

function decodeTransfer(raw: Buffer, encoding: string | undefined): Uint8Array {
  if (encoding === 'base64') {
    const clean = raw.toString('latin1').replace(/[^A-Za-z0-9+/]/g, '');
    return Buffer.from(clean.slice(0, clean.length - (clean.length % 4)), 'base64');
  }
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(raw);
  return raw;
}

function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  try {
    return new TextDecoder(charset || 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** Enough for a preview line: the result is shown as text, never as HTML. */
function htmlToText(html: string): string {
  return html
    .replace(/<(head|style|script|title)\b[\s\S]*?(<\/\1\s*>|$)/gi, ' ')
    .replace(/<[^>]*>?/g, ' ')
    .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? whole;
      const code =
        name[1]?.toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000
        ? String.fromCodePoint(code)
        : ' ';
    });
}
