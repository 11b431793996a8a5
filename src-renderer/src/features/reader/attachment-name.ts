/**
 * Attachment names come from the sender. Shown or used as a file name, they must not carry a path,
 * invisible characters, or bidi controls that make `invoice\u202Efdp.exe` read as `invoiceexe.pdf`.
 */

const MAX_LENGTH = 180;
const MAX_EXTENSION = 16;
const FALLBACK = 'attachment';

/** C0, DEL, C1, line/paragraph separators and the byte-order mark / zero-width no-break space. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/g;
/** Bidi embeddings, overrides and isolates, the LRM/RLM marks and the Arabic letter mark. */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
/** Characters Windows refuses in a file name (a colon would even name an alternate data stream). */
const RESERVED = /[<>:"|?*]/g;

export function cleanAttachmentName(name: string): string {
  const visible = name.replace(CONTROL, '').replace(BIDI, '');
  const lastPart = visible.split(/[/\\]/).pop() ?? '';
  const cleaned = trimDotsAndSpaces(lastPart.replace(RESERVED, '_'));
  return capLength(cleaned) || FALLBACK;
}

/** Leading dots hide a file on Unix; trailing dots and spaces are dropped by Windows. */
function trimDotsAndSpaces(name: string): string {
  return name.replace(/^[.\s]+|[.\s]+$/g, '');
}

/** Shortens by code points (never splitting a surrogate pair) and keeps the extension. */
function capLength(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= MAX_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? Array.from(name.slice(dot + 1)) : [];
  if (extension.length === 0 || extension.length > MAX_EXTENSION) {
    return trimDotsAndSpaces(chars.slice(0, MAX_LENGTH).join(''));
  }
  const base = Array.from(name.slice(0, dot)).slice(0, MAX_LENGTH - extension.length - 1);
  return `${trimDotsAndSpaces(base.join(''))}.${extension.join('')}`;
}
