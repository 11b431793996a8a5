/**
 * The pure decisions of composing a reply or a forward: subjects, recipients, threading headers,
 * quoting, and the hygiene of every value that ends up in a header.
 */
import { addressKey, normalizeAddress } from './addresses.ts';
import type { Address, MessageRow } from './mail.ts';
import type { OutgoingAttachment } from './tasks.ts';

/**
 * A message being written, as the composer holds it and a local draft saves it. Recipients are
 * the text the user typed (parsed when sending).
 */
export interface DraftContent {
  /** Stays the same through edits, saves and retries: the draft's and the outbox entry's id. */
  outboxId: string;
  accountId: string;
  /** The identity it is sent as (one of the account's addresses); the account's own when absent. */
  from?: Address;
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  /** The plain text: the message in plain-text mode, and the source of a rich one's start. */
  body: string;
  /** The rich text (HTML from the editor) when `format` is 'rich'. */
  html?: string;
  /** 'plain' writes text/plain only; 'rich' (the default when absent) HTML plus a text part. */
  format?: 'rich' | 'plain';
  /** Fixed once (new, or kept from a draft or a refused message): every save and retry keeps it. */
  messageId?: string;
  /** Files the user picked, read into the draft (main never opens a path for a message). */
  attachments?: OutgoingAttachment[];
  inReplyTo?: string;
  references?: string[];
}

/** C0 controls (CR, LF, TAB, NUL…), DEL and the Unicode line breaks NEL, LS and PS. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const HEADER_BREAKS = /[\x00-\x1f\x7f\u0085\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const HEADER_BREAK_RUNS = /[\x00-\x1f\x7f\u0085\u2028\u2029]+/g;

/**
 * What the UI applies to every header-bound field (subject, names, ids): each run of control
 * characters becomes one space, and the result is trimmed. A value can then never start a new
 * header line (CRLF injection through a subject or a name).
 */
export const stripHeaderBreaks = (value: string): string =>
  value.replace(HEADER_BREAK_RUNS, ' ').trim();

/** Whether a value holds a character that `stripHeaderBreaks` would replace. */
export const hasHeaderBreak = (value: string): boolean => HEADER_BREAKS.test(value);

// Prefixes that lead a subject. Reply: English, German (AW), Scandinavian (SV), Dutch (Antw),
// Polish (Odp). Forward: English, German (WG), French (TR), Dutch (Doorst), Spanish (RV),
// Portuguese (ENC). "VS" is left out: it means reply in Finnish and forward in Norwegian.
// "Re[2]:" and "Re(2):" (counted replies) are prefixes too.
const REPLY_PREFIX = /^\s*(?:re|aw|sv|antw|odp)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*/i;
const FORWARD_PREFIX = /^\s*(?:fwd?|wg|tr|doorst|rv|enc)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*/i;

function stripPrefixes(subject: string, prefix: RegExp): string {
  let rest = stripHeaderBreaks(subject);
  for (let before = ''; before !== rest;) {
    before = rest;
    rest = rest.replace(prefix, '');
  }
  return rest;
}

/** `Re: x` for `x`, `Re: x`, `RE: Re: x`, `AW: x`…: reply prefixes never stack. */
export const replySubject = (subject: string): string =>
  `Re: ${stripPrefixes(subject, REPLY_PREFIX)}`.trimEnd();

/** `Fwd: x` for `x`, `Fwd: x`, `FW: x`, `WG: x`…; a forwarded reply stays `Fwd: Re: x`. */
export const forwardSubject = (subject: string): string =>
  `Fwd: ${stripPrefixes(subject, FORWARD_PREFIX)}`.trimEnd();

export interface ReplyRecipients {
  to: Address[];
  cc: Address[];
  /** Addresses of the original that cannot be sent to (invalid, or holding control characters). */
  skipped: Address[];
}

/**
 * Who a reply goes to.
 * - reply: the Reply-To addresses if any, else the sender. When the original is from one of my
 *   identities (a message in Sent), the reply goes to its To instead.
 * - replyAll: the same, plus the original's To; Cc is the original's Cc. When Reply-To is given
 *   the sender is not added (a list's Reply-To replaces the sender, as in Thunderbird and Gmail).
 * My own addresses (every identity, `ownAddresses`) are removed, and every address appears once
 * (case-insensitively) across To and Cc, To winning. Names have their control characters replaced.
 * If nothing is left (a message I sent to myself), the reply goes to the sender.
 */
export function replyRecipients(
  original: Pick<MessageRow, 'from' | 'to' | 'cc'>,
  ownAddresses: readonly string[],
  mode: 'reply' | 'replyAll',
  replyTo?: readonly Address[],
): ReplyRecipients {
  const own = new Set(ownAddresses.map(addressKey));
  const isMine = (a: Address): boolean => a.address !== undefined && own.has(addressKey(a.address));
  const fromMe = original.from.length > 0 && original.from.every(isMine);
  const primary = fromMe ? original.to : replyTo?.length ? replyTo : original.from;

  const skipped: Address[] = [];
  const taken = new Set<string>();
  const pick = (list: readonly Address[], keepMine: boolean): Address[] => {
    const out: Address[] = [];
    for (const candidate of list) {
      const clean = cleanAddress(candidate);
      if (!clean) {
        if (candidate.address !== undefined) skipped.push(candidate);
        continue;
      }
      const key = addressKey(clean.address ?? '');
      if ((!keepMine && own.has(key)) || taken.has(key)) continue;
      taken.add(key);
      out.push(clean);
    }
    return out;
  };

  const to = pick(mode === 'replyAll' && !fromMe ? [...primary, ...original.to] : primary, false);
  const cc = mode === 'replyAll' ? pick(original.cc, false) : [];
  if (to.length === 0 && cc.length === 0) return { to: pick(original.from, true), cc, skipped };
  return { to, cc, skipped };
}

/** A copy of an address that is safe to send to, or undefined. */
function cleanAddress(a: Address): Address | undefined {
  const address = a.address === undefined ? undefined : normalizeAddress(a.address.trim());
  if (!address) return undefined;
  const name = stripHeaderBreaks(a.name ?? '');
  return name ? { name, address } : { address };
}

/** RFC 5322 allows any number; long threads keep the first ones and the most recent ones. */
export const MAX_REFERENCES = 20;

/**
 * The threading source of a reply. Pass the original's References when known. A cached
 * `MessageRow` stores only the thread root (`threadId`) and `inReplyTo`: pass
 * `references: [row.threadId, row.inReplyTo]` then (values that are not Message-IDs, such as a
 * row id used as a thread id, are dropped), which keeps the reply in the same thread.
 */
export interface ThreadSource {
  messageId?: string;
  references?: readonly (string | undefined)[];
  inReplyTo?: string;
}

export interface ThreadHeaders {
  /** The original's Message-ID (absent when it had none). */
  inReplyTo?: string;
  /** Message-IDs, oldest first, each as `<…>`; empty when there is nothing to refer to. */
  references: string[];
}

/**
 * In-Reply-To and References of a reply (RFC 5322 3.6.4): the original's References, else its
 * In-Reply-To, followed by its Message-ID; duplicates removed, capped at `MAX_REFERENCES` keeping
 * the first one and the last ones.
 */
export function threadHeaders(original: ThreadSource): ThreadHeaders {
  const messageId = normalizeMessageId(original.messageId);
  const known = (original.references ?? []).map(normalizeMessageId).filter(isDefined);
  const parents = known.length > 0 ? known : [normalizeMessageId(original.inReplyTo)];
  const references: string[] = [];
  for (const id of [...parents, messageId].filter(isDefined)) {
    if (!references.includes(id)) references.push(id);
  }
  const capped =
    references.length > MAX_REFERENCES
      ? [references[0] ?? '', ...references.slice(-(MAX_REFERENCES - 1))]
      : references;
  return messageId ? { inReplyTo: messageId, references: capped } : { references: capped };
}

const isDefined = <T>(value: T | undefined): value is T => value !== undefined;

/**
 * A Message-ID as `<left@right>`, or undefined when the value is not one (no whitespace, no
 * control characters, no nested brackets, one "@"; at most 250 characters).
 */
export function normalizeMessageId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  const inner = trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1) : trimmed;
  if (inner.length === 0 || inner.length > 248) return undefined;
  if (!/^[\x21-\x7e]+$/.test(inner) || /[<>"\\]/.test(inner)) return undefined;
  const at = inner.indexOf('@');
  if (at <= 0 || at === inner.length - 1 || inner.indexOf('@', at + 1) >= 0) return undefined;
  return `<${inner}>`;
}

/**
 * A new Message-ID, `<random@domain>`. The caller injects the randomness (e.g.
 * `crypto.randomUUID`): this layer imports nothing. Throws a RangeError when the random part is
 * not a dot-atom of letters, digits, ".", "_" and "-", or when the domain is not a host name.
 */
export function newMessageId(domain: string, random: () => string): string {
  const left = random();
  if (!/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/.test(left) || left.length > 128) {
    throw new RangeError('the random part of a Message-ID must be letters, digits, ".", "_", "-"');
  }
  const host = normalizeAddress(`x@${domain.trim()}`)?.slice(2);
  if (!host) throw new RangeError(`not a host name for a Message-ID: ${domain}`);
  return `<${left}@${host}>`;
}

export interface DateOptions {
  /** A BCP 47 locale for the date; the runtime's default when absent. */
  locale?: string;
  /** An IANA time zone for the date; the runtime's when absent (tests pass one). */
  timeZone?: string;
}

function formatDate(ms: number, { locale, timeZone }: DateOptions): string {
  const format = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  });
  return format.format(new Date(ms));
}

function senderName(from: readonly Address[]): string {
  const first = from[0];
  if (!first) return 'unknown sender';
  return stripHeaderBreaks(first.name || first.address || '') || 'unknown sender';
}

/** `On <date>, <name> wrote:` (English text; the date follows the locale). */
export function attribution(
  original: Pick<MessageRow, 'date' | 'from'>,
  options: DateOptions = {},
): string {
  return `On ${formatDate(original.date, options)}, ${senderName(original.from)} wrote:`;
}

/**
 * A plain-text quote: the attribution, then every line prefixed with "> " (an already quoted line
 * gets one more ">", so "> a" becomes ">> a"). Line endings become "\n"; trailing blank lines go.
 */
export function quotePlain(text: string, attributionLine: string): string {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\s+$/, '').split('\n');
  const quoted = lines.map((line) => {
    if (line.startsWith('>')) return `>${line}`;
    return line === '' ? '>' : `> ${line}`;
  });
  return `${stripHeaderBreaks(attributionLine)}\n${quoted.join('\n')}\n`;
}

/**
 * The plain-text block above a forwarded message's body, as Gmail writes it. Every value goes
 * through `stripHeaderBreaks`, so a hostile subject cannot forge extra lines in the block.
 */
export function forwardHeaderBlock(
  original: Pick<MessageRow, 'from' | 'to' | 'cc' | 'date' | 'subject'>,
  options: DateOptions = {},
): string {
  const list = (addresses: readonly Address[]): string =>
    addresses.map(plainAddress).filter(Boolean).join(', ');
  const lines = [
    '---------- Forwarded message ---------',
    `From: ${list(original.from)}`,
    `Date: ${formatDate(original.date, options)}`,
    `Subject: ${stripHeaderBreaks(original.subject)}`,
    `To: ${list(original.to)}`,
  ];
  if (original.cc.length > 0) lines.push(`Cc: ${list(original.cc)}`);
  return `${lines.join('\n')}\n`;
}

function plainAddress(a: Address): string {
  const name = stripHeaderBreaks(a.name ?? '');
  const address = stripHeaderBreaks(a.address ?? '');
  if (name && address) return `${name} <${address}>`;
  return name || address;
}
