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
