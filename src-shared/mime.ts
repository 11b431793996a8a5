/**
 * Choosing parts of a message from its structure. Pure; used by main (previews) and by the
 * renderer (what to show, what to prefetch for offline reading).
 */
import type { MimePart } from './mail.ts';

/** Every leaf part, depth first, not descending into attached messages. */
export function leafParts(part: MimePart): MimePart[] {
  if (part.type === 'message/rfc822') return [part];
  return part.children ? part.children.flatMap(leafParts) : [part];
}

function isInlineText(part: MimePart): boolean {
  return part.disposition !== 'attachment' && !part.filename && part.type.startsWith('text/');
}

/** The part a preview (and a plain reader) starts from: text/plain, else text/html. */
export function textPart(root: MimePart): MimePart | undefined {
  const texts = leafParts(root).filter(isInlineText);
  return texts.find((p) => p.type === 'text/plain') ?? texts.find((p) => p.type === 'text/html');
}

/** Parts a reader shows: the HTML part if there is one, else the plain one. */
export function displayParts(root: MimePart): MimePart[] {
  const texts = leafParts(root).filter(isInlineText);
  const html = texts.find((p) => p.type === 'text/html');
  const plain = texts.find((p) => p.type === 'text/plain');
  return [html ?? plain].filter((p): p is MimePart => p !== undefined);
}

/** Parts the user would call attachments. */
export function attachmentParts(root: MimePart): MimePart[] {
  return leafParts(root).filter((p) => !isInlineText(p) && !p.type.startsWith('multipart/'));
}
