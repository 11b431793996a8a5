/**
 * Which MIME parts the reader needs: the body to show (HTML when the message has it, else plain
 * text), the inline images that body may reference by `cid:`, and the attachments to list.
 * Pure; from the cached BODYSTRUCTURE only, so nothing is fetched to decide.
 */
import type { MimePart } from '#shared/mail';
import { leafParts } from '#shared/mime';

export interface ReaderParts {
  body: MimePart | undefined;
  /** Images with a Content-ID, fetched with an HTML body so `cid:` references resolve. */
  inline: MimePart[];
  attachments: MimePart[];
}

/** A message without a cached structure: its body is section 1 (TEXT of a single part). */
const FALLBACK_BODY: MimePart = { part: '1', type: 'text/plain' };

export function readerParts(structure: MimePart | undefined): ReaderParts {
  if (!structure) return { body: FALLBACK_BODY, inline: [], attachments: [] };
  const leaves = leafParts(structure);
  const texts = leaves.filter(isInlineText);
  const body =
    texts.find((p) => p.type === 'text/html') ?? texts.find((p) => p.type === 'text/plain');
  const inline =
    body?.type === 'text/html'
      ? leaves.filter((p) => p.contentId && p.type.startsWith('image/') && !isAttachment(p))
      : [];
  const attachments = leaves.filter(
    (p) => p !== body && !inline.includes(p) && !isAlternativeText(p, texts),
  );
  return { body, inline, attachments };
}

function isAttachment(part: MimePart): boolean {
  return part.disposition === 'attachment';
}

function isInlineText(part: MimePart): boolean {
  return !isAttachment(part) && !part.filename && part.type.startsWith('text/');
}

/** The other alternative of the body (text/plain next to text/html) is not an attachment. */
function isAlternativeText(part: MimePart, texts: MimePart[]): boolean {
  return texts.includes(part) && (part.type === 'text/plain' || part.type === 'text/html');
}

/** A Content-ID without its angle brackets, as `cid:` URLs name it. */
export function bareContentId(contentId: string): string {
  return contentId.trim().replace(/^<|>$/g, '');
}

/** Characters shown before "Show all" (Mailspring cuts at 300,000 too). */
export const DISPLAY_LIMIT = 300_000;
