/**
 * The search box's text → a `SearchQuery` (the syntax is in query.ts), or a readable error with
 * its position. Pure and synchronous: the UI parses on every keystroke. Nothing the user typed is
 * dropped silently: a token is a term, an error, or punctuation that no index could find anyway.
 */
import { foldText, textWords } from './fold.ts';
import type { ParsedQuery, SearchTerm, TextField } from './query.ts';

const TEXT_KEYS = ['from', 'to', 'cc', 'subject', 'body'] as const;
const KEYS = [
  ...TEXT_KEYS,
  'has',
  'is',
  'in',
  'account',
  'before',
  'after',
  'larger',
  'smaller',
] as const;
type Key = (typeof KEYS)[number];

/** Address fields match names and addresses by word prefix even when not typed last. */
const ADDRESS_KEYS: ReadonlySet<Key> = new Set(['from', 'to', 'cc']);

const KEY_PATTERN = /^([A-Za-z]+):/;

class QueryError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

/** A value as typed: the text (without quotes) and where it starts (its quote, if quoted). */
interface Value {
  text: string;
  at: number;
  quoted: boolean;
}

/** `now` anchors today, yesterday and 7d/2w/3m/1y (local time). */
export function parseSearchQuery(input: string, now: Date = new Date()): ParsedQuery {
  try {
    return { ok: true, query: { terms: new Parser(input, now).terms() } };
  } catch (error) {
    if (error instanceof QueryError) return { ok: false, error: error.message, at: error.at };
    throw error;
  }
}

class Parser {
  private pos = 0;

  constructor(
    private readonly input: string,
    private readonly now: Date,
  ) {}

  terms(): SearchTerm[] {
    const terms: SearchTerm[] = [];
    let skipped: Value | undefined;
    for (;;) {
      this.skipSpaces();
      if (this.pos >= this.input.length) break;
      const term = this.term();
      if (term.kind === 'skipped') skipped ??= term.value;
      else terms.push(term.term);
    }
    if (terms.length === 0 && skipped) {
      throw new QueryError(
        `nothing to search for in "${skipped.text}": search finds letters and digits`,
        skipped.at,
      );
    }
    return terms;
  }

  private term(): { kind: 'term'; term: SearchTerm } | { kind: 'skipped'; value: Value } {
    const start = this.pos;
    const negated = this.input[start] === '-' && !this.atSpaceOrEnd(start + 1);
    if (negated) this.pos++;

    if (this.input[this.pos] === '"') {
      const value = this.quoted();
      return { kind: 'term', term: this.phrase(value, negated) };
    }
    const key = KEY_PATTERN.exec(this.input.slice(this.pos))?.[1];
    if (key !== undefined) {
      const keyAt = this.pos;
      const lower = key.toLowerCase();
      if (isKey(lower)) {
        this.pos += key.length + 1;
        return { kind: 'term', term: this.filter(lower, keyAt, negated) };
      }
      this.rejectUnknownKey(key, keyAt);
    }
    const word = this.bare();
    const term = this.freeText(word, negated);
    return term ? { kind: 'term', term } : { kind: 'skipped', value: word };
  }

  /** A free word (or a bare token of several words, as a phrase: "foo-bar", "a@b.c"). */
  private freeText(value: Value, negated: boolean): SearchTerm | undefined {
    const words = textWords(value.text);
    if (words.length === 0) return undefined;
    return {
      kind: 'text',
      words,
      phrase: words.length > 1,
      prefix: !negated && this.isLastToken(),
      negated,
      typed: value.text,
    };
  }

  private phrase(value: Value, negated: boolean): SearchTerm {
    const words = textWords(value.text);
    if (words.length === 0) {
      throw new QueryError(
        value.text.trim() === ''
          ? 'the quotes are empty'
          : `nothing to search for in "${value.text}": search finds letters and digits`,
        value.at,
      );
    }
    return { kind: 'text', words, phrase: true, prefix: false, negated, typed: value.text };
  }

  private filter(key: Key, keyAt: number, negated: boolean): SearchTerm {
    const value = this.value(key, keyAt);
    switch (key) {
      case 'from':
      case 'to':
      case 'cc':
      case 'subject':
      case 'body':
        return this.fieldText(key, value, negated);
      case 'has':
        if (!/^attachments?$/i.test(value.text)) {
          throw new QueryError('has: takes attachment', value.at);
        }
        return { kind: 'hasAttachment', negated };
      case 'is': {
        const flag = value.text.toLowerCase();
        if (flag !== 'unread' && flag !== 'read' && flag !== 'flagged') {
          throw new QueryError('is: takes unread, read or flagged', value.at);
        }
        return { kind: 'flag', flag, negated };
      }
      case 'in':
        return { kind: 'in', folder: foldText(value.text), negated };
      case 'account':
        return { kind: 'account', account: foldText(value.text), negated };
      case 'before':
      case 'after':
        return { kind: 'date', op: key, at: this.date(value), negated };
      case 'larger':
      case 'smaller':
        return { kind: 'size', op: key, bytes: size(key, value), negated };
    }
  }

  private fieldText(field: TextField, value: Value, negated: boolean): SearchTerm {
    const words = textWords(value.text);
    if (words.length === 0) {
      throw new QueryError(`${field}: needs a word to search for, not "${value.text}"`, value.at);
    }
    const prefix = !value.quoted && (ADDRESS_KEYS.has(field) || (!negated && this.isLastToken()));
    return {
      kind: 'text',
      words,
      field,
      phrase: value.quoted || words.length > 1,
      prefix,
      negated,
      typed: value.text,
    };
  }

  /** The value right after `key:`, quoted or up to the next space. */
  private value(key: Key, keyAt: number): Value {
    if (this.input[this.pos] === '"') {
      const value = this.quoted();
      if (value.text.trim() === '') throw new QueryError(`${key}: needs a value`, keyAt);
      return value;
    }
    const value = this.bare();
    if (value.text === '') throw new QueryError(`${key}: needs a value`, keyAt);
    return value;
  }

  private quoted(): Value {
    const at = this.pos;
    const close = this.input.indexOf('"', at + 1);
    if (close < 0) throw new QueryError('a quote is not closed', at);
    this.pos = close + 1;
    return { text: this.input.slice(at + 1, close), at, quoted: true };
  }

  /** Up to the next space, or a quote that opens the next token. */
  private bare(): Value {
    const at = this.pos;
    while (!this.atSpaceOrEnd(this.pos) && (this.pos === at || this.input[this.pos] !== '"')) {
      this.pos++;
    }
    return { text: this.input.slice(at, this.pos), at, quoted: false };
  }

  /** "Re:" (nothing after it), times ("12:30" has no letter key) and URLs read as words. */
  private rejectUnknownKey(key: string, keyAt: number): void {
    const after = keyAt + key.length + 1;
    if (this.atSpaceOrEnd(after) || this.input.startsWith('//', after)) return;
    throw new QueryError(
      `unknown filter ${key}: — try ${KEYS.map((k) => `${k}:`).join(', ')}` +
        ` (or put it in quotes to search for the text)`,
      keyAt,
    );
  }

  private date(value: Value): number {
    const at = parseDate(value.text, this.now);
    if (at !== undefined) return at;
    const hint = /^\d{4}-\d+(-\d+)?$/.test(value.text)
      ? 'use YYYY-MM-DD'
      : 'use YYYY-MM-DD, YYYY-MM, today, yesterday or 7d, 2w, 3m, 1y';
    throw new QueryError(`not a date: ${value.text} (${hint})`, value.at);
  }

  private isLastToken(): boolean {
    return this.pos >= this.input.length;
  }

  private atSpaceOrEnd(index: number): boolean {
    return index >= this.input.length || /\s/.test(this.input[index] ?? '');
  }

  private skipSpaces(): void {
    while (this.pos < this.input.length && /\s/.test(this.input[this.pos] ?? '')) this.pos++;
  }
}

function isKey(key: string): key is Key {
  return (KEYS as readonly string[]).includes(key);
}

/** Local midnight of a date as typed, in ms; undefined when it is not one. */
export function parseDate(text: string, now: Date): number | undefined {
  const today = { y: now.getFullYear(), m: now.getMonth(), d: now.getDate() };
  const lower = text.toLowerCase();
  if (lower === 'today') return localMidnight(today.y, today.m, today.d);
  if (lower === 'yesterday') return localMidnight(today.y, today.m, today.d - 1);

  const relative = /^(\d{1,4})([dwmy])$/.exec(lower);
  if (relative) {
    const n = Number(relative[1]);
    switch (relative[2]) {
      case 'd':
        return localMidnight(today.y, today.m, today.d - n);
      case 'w':
        return localMidnight(today.y, today.m, today.d - 7 * n);
      case 'm':
        return monthsBack(today, n);
      default:
        return monthsBack(today, 12 * n);
    }
  }

  const ymd = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(text);
  if (!ymd) return undefined;
  const y = Number(ymd[1]);
  const m = Number(ymd[2]) - 1;
  const d = ymd[3] === undefined ? 1 : Number(ymd[3]);
  const date = new Date(y, m, d);
  // new Date() rolls 2026-02-30 over to March: a date that does not exist comes back different.
  if (date.getFullYear() !== y || date.getMonth() !== m || date.getDate() !== d) return undefined;
  return date.getTime();
}

function localMidnight(y: number, m: number, d: number): number {
  return new Date(y, m, d).getTime();
}

/** The same day n months back, or that month's last day (31 March − 1 month = 28/29 February). */
function monthsBack(today: { y: number; m: number; d: number }, n: number): number {
  const first = new Date(today.y, today.m - n, 1);
  const lastDay = new Date(first.getFullYear(), first.getMonth() + 1, 0).getDate();
  return localMidnight(first.getFullYear(), first.getMonth(), Math.min(today.d, lastDay));
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** Bytes of "500k", "2M", "1.5MB", "1G" or "1200" (k = 1024). */
function size(key: 'larger' | 'smaller', value: Value): number {
  const match = /^(\d+(?:\.\d+)?)([a-z]*)$/i.exec(value.text);
  const unit = SIZE_UNITS[match?.[2]?.toLowerCase() ?? 'none'];
  if (!match || unit === undefined) {
    throw new QueryError(
      `not a size: ${value.text} (use 500k, 2M, 1.5MB or a number of bytes)`,
      value.at,
    );
  }
  const bytes = Math.round(Number(match[1]) * unit);
  if (bytes <= 0) throw new QueryError(`${key}: needs a size above 0`, value.at);
  return bytes;
}
