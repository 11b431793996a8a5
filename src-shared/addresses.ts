/**
 * Recipient lists as people type and paste them: parsing, validation, display and comparison.
 *
 * Decisions the UI relies on:
 * - An address is a practical RFC 5322 subset: an ASCII dot-atom local part (no quoted local parts:
 *   they were routed to the wrong domain by nodemailer), "@", and a domain of at least two labels
 *   whose last one is not all digits (no `localhost`, no IP literals). At most 254 characters.
 * - Unicode (IDN) domains are accepted and stored in their ASCII form (`xn--…`), so that sending
 *   needs no SMTPUTF8 and the user sees the punycode of look-alike hosts. Non-ASCII local parts are
 *   refused (they would need SMTPUTF8).
 * - A display name is only ever a name (Mailsploit): it is never decoded (`=?utf-8?b?…?=` stays as
 *   typed) and never taken as an address, even when it looks like one.
 * - Any control character (CR, LF, NUL, …) anywhere in an entry, names included, makes it invalid.
 */
import type { Address } from './mail.ts';

/** C0 controls, DEL and the Unicode line breaks: never allowed in a header-bound value. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\x00-\x1f\x7f\u0085\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROLS = /[\x00-\x1f\x7f\u0085\u2028\u2029]+/g;

const MAX_ADDRESS = 254;
const MAX_LOCAL_PART = 64;
const MAX_DOMAIN = 253;
const MAX_LABEL = 63;

const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const ASCII_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const UNICODE_LABEL = /^[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?$/u;
/** Ideographic and full-width full stops separate labels too (UTS #46). */
const FULL_STOPS = /[\u3002\uff0e\uff61]/g;

export interface ParsedAddressList {
  /** Valid addresses in input order, without duplicates (the first one of each is kept). */
  addresses: Address[];
  /** The entries that are not valid, as typed (control characters shown as spaces). */
  invalid: string[];
}

/**
 * Splits a recipient field on commas, semicolons and line breaks outside quoted names, angle
 * brackets and comments, and validates each entry. Accepted forms: `jane@x.org`,
 * `Jane Doe <jane@x.org>`, `"Doe, Jane" <jane@x.org>`, `jane@x.org (Jane)`, and several bare
 * addresses separated by spaces only.
 */
export function parseAddressList(input: string): ParsedAddressList {
  const addresses: Address[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const raw of splitEntries(input)) {
    const entry = raw.trim();
    if (entry === '') continue;
    const parsed = parseEntry(entry);
    if (!parsed) {
      invalid.push(entry.replace(CONTROLS, ' '));
      continue;
    }
    for (const address of parsed) {
      const key = addressKey(address.address ?? '');
      if (seen.has(key)) continue;
      seen.add(key);
      addresses.push(address);
    }
  }
  return { addresses, invalid };
}

/** The canonical form of a valid address (domain lowercased and in ASCII), else undefined. */
export function normalizeAddress(address: string): string | undefined {
  if (address.length > MAX_ADDRESS * 4 || CONTROL.test(address)) return undefined;
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = address.slice(0, at);
  if (local.length > MAX_LOCAL_PART || !DOT_ATOM.test(local)) return undefined;
  const domain = toAsciiDomain(address.slice(at + 1));
  if (domain === undefined) return undefined;
  const result = `${local}@${domain}`;
  return result.length <= MAX_ADDRESS ? result : undefined;
}

export const isValidAddress = (address: string): boolean => normalizeAddress(address) !== undefined;

/**
 * The comparison key of an address: the whole address lowercased (local parts are case-sensitive
 * in theory, never in practice) with the domain in ASCII.
 */
export function addressKey(address: string): string {
  const trimmed = address.trim();
  return (normalizeAddress(trimmed) ?? trimmed).toLowerCase();
}

/** Whether two addresses are the same mailbox (names are ignored). No address matches nothing. */
export function sameAddress(a: Address, b: Address): boolean {
  if (!a.address || !b.address) return false;
  return addressKey(a.address) === addressKey(b.address);
}

/**
 * One address for display and for the composer's text fields: `Name <address>`, the name quoted
 * when it holds specials, so that `parseAddressList(formatAddress(a))` gives `a` back. Control
 * characters in a name (from a hostile message) become spaces.
 */
export function formatAddress(a: Address): string {
  const name = (a.name ?? '').replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim();
  const address = (a.address ?? '').replace(CONTROLS, '').trim();
  if (!name) return address;
  const quoted = /[()<>[\]:;@\\,."]/.test(name)
    ? `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`
    : name;
  return address ? `${quoted} <${address}>` : quoted;
}

/** A list of addresses for a text field, separated by ", ". */
export const formatAddressList = (list: readonly Address[]): string =>
  list.map(formatAddress).join(', ');

/**
 * Splits a recipient field into its entries, on commas, semicolons and line breaks outside quotes,
 * angle brackets and comments (linear, no recursion). Entries are as typed (not trimmed); the last
 * one is what follows the last separator ('' after a trailing one).
 */
export function splitEntries(input: string): string[] {
  const entries: string[] = [];
  let start = 0;
  let quoted = false;
  let angle = false;
  let comment = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if ((quoted || comment > 0) && c === '\\') {
      i++;
    } else if (quoted) {
      if (c === '"') quoted = false;
    } else if (comment > 0) {
      if (c === '(') comment++;
      else if (c === ')') comment--;
    } else if (angle) {
      if (c === '>') angle = false;
    } else if (c === '"') {
      quoted = true;
    } else if (c === '(') {
      comment = 1;
    } else if (c === '<') {
      angle = true;
    } else if (c === ',' || c === ';' || c === '\n' || c === '\r') {
      entries.push(input.slice(start, i));
      start = i + 1;
    }
  }
  entries.push(input.slice(start));
  return entries;
}

interface EntryTokens {
  phrase: string[];
  words: string[];
  quoted: boolean;
  angle?: string;
  comment?: string;
}

/** One entry (already split): its addresses, or undefined when it is not valid. */
function parseEntry(entry: string): Address[] | undefined {
  if (CONTROL.test(entry.replace(/\t/g, ' '))) return undefined;
  const tokens = tokenize(entry.replace(/\t/g, ' '));
  if (!tokens) return undefined;
  const { phrase, words, quoted, angle, comment } = tokens;
  if (angle !== undefined) {
    const address = normalizeAddress(angle);
    if (!address) return undefined;
    const name = collapse(phrase.join(' ')) || collapse(comment ?? '');
    return [name ? { name, address } : { address }];
  }
  if (quoted || words.length === 0) return undefined;
  if (words.length === 1) {
    const address = normalizeAddress(words[0] ?? '');
    if (!address) return undefined;
    const name = collapse(comment ?? '');
    return [name ? { name, address } : { address }];
  }
  const many = words.map(normalizeAddress);
  if (many.some((a) => a === undefined)) return undefined;
  return many.map((address) => ({ address }));
}

function tokenize(entry: string): EntryTokens | undefined {
  const tokens: EntryTokens = { phrase: [], words: [], quoted: false };
  let i = 0;
  while (i < entry.length) {
    const c = entry[i];
    if (c === ' ') {
      i++;
    } else if (c === '"') {
      const end = readDelimited(entry, i + 1, '"');
      if (!end || tokens.angle !== undefined) return undefined;
      tokens.phrase.push(end.text);
      tokens.quoted = true;
      i = end.next;
    } else if (c === '(') {
      const end = readComment(entry, i + 1);
      if (!end) return undefined;
      tokens.comment = [tokens.comment, end.text].filter(Boolean).join(' ');
      i = end.next;
    } else if (c === '<') {
      const close = entry.indexOf('>', i + 1);
      if (close < 0 || tokens.angle !== undefined) return undefined;
      tokens.angle = entry.slice(i + 1, close).trim();
      i = close + 1;
    } else if (c === '>') {
      return undefined;
    } else {
      let end = i;
      while (end < entry.length && !' "(<>'.includes(entry[end] ?? '')) end++;
      if (tokens.angle !== undefined) return undefined;
      const word = entry.slice(i, end);
      tokens.phrase.push(word);
      tokens.words.push(word);
      i = end;
    }
  }
  return tokens;
}

/** Reads a quoted string's content (backslash escapes removed) up to its closing quote. */
function readDelimited(
  text: string,
  from: number,
  close: string,
): { text: string; next: number } | undefined {
  let out = '';
  for (let i = from; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '\\' && i + 1 < text.length) out += text[++i];
    else if (c === close) return { text: out, next: i + 1 };
    else out += c;
  }
  return undefined;
}

/** Reads a (possibly nested) comment's content up to its closing parenthesis. */
function readComment(text: string, from: number): { text: string; next: number } | undefined {
  let depth = 1;
  let out = '';
  for (let i = from; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '\\' && i + 1 < text.length) {
      out += text[++i];
      continue;
    }
    if (c === '(') depth++;
    if (c === ')' && --depth === 0) return { text: out.trim(), next: i + 1 };
    out += c;
  }
  return undefined;
}

const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** A host name in ASCII (lowercase, IDN labels as punycode), or undefined when it is not valid. */
export function toAsciiDomain(domain: string): string | undefined {
  const labels = domain.normalize('NFC').toLowerCase().replace(FULL_STOPS, '.').split('.');
  if (labels.length < 2) return undefined;
  const ascii: string[] = [];
  for (const label of labels) {
    // Each code point takes at least one character of punycode: longer labels cannot fit.
    if (label.length > 2 * MAX_LABEL) return undefined;
    let encoded: string;
    if (ASCII_LABEL.test(label)) encoded = label;
    else if (UNICODE_LABEL.test(label)) encoded = `xn--${punycode(label)}`;
    else return undefined;
    if (encoded.length > MAX_LABEL) return undefined;
    ascii.push(encoded);
  }
  if (/^\d+$/.test(ascii[ascii.length - 1] ?? '')) return undefined;
  const result = ascii.join('.');
  return result.length <= MAX_DOMAIN ? result : undefined;
}

// RFC 3492 (Punycode), encoding only: src-shared has neither `URL` nor Node's `punycode`.
const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;

function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / DAMP) : Math.floor(delta / 2);
  d += Math.floor(d / points);
  let k = 0;
  while (d > ((BASE - T_MIN) * T_MAX) >> 1) {
    d = Math.floor(d / (BASE - T_MIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - T_MIN + 1) * d) / (d + SKEW));
}

const digit = (d: number): string => String.fromCharCode(d < 26 ? d + 97 : d + 22);

function punycode(label: string): string {
  const points = Array.from(label, (c) => c.codePointAt(0) ?? 0);
  let output = points
    .filter((p) => p < 0x80)
    .map((p) => String.fromCharCode(p))
    .join('');
  const basic = output.length;
  if (basic > 0) output += '-';
  let handled = basic;
  let n = 0x80;
  let delta = 0;
  let bias = 72;
  while (handled < points.length) {
    const next = Math.min(...points.filter((p) => p >= n));
    delta += (next - n) * (handled + 1);
    n = next;
    for (const p of points) {
      if (p < n) delta++;
      if (p !== n) continue;
      let q = delta;
      for (let k = BASE; ; k += BASE) {
        const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
        if (q < t) break;
        output += digit(t + ((q - t) % (BASE - t)));
        q = Math.floor((q - t) / (BASE - t));
      }
      output += digit(q);
      bias = adapt(delta, handled + 1, handled === basic);
      delta = 0;
      handled++;
    }
    delta++;
    n++;
  }
  return output;
}
