/**
 * Does one cached message satisfy a query? The exact check behind the local index (which only
 * narrows candidates by words) and the reference for what every term means. Pure, no I/O.
 *
 * Text is compared as folded words (fold.ts), never as substrings: "art" does not find "start",
 * except as the prefix of the last word typed. A phrase must stand in one field (one subject, one
 * address's name, the body), not across two. A body not cached is searched through its preview.
 */
import type { Address, MessageRow } from '../mail.ts';
import { foldText, foldedWords, textWords } from './fold.ts';
import type { SearchQuery, SearchTerm, TextField } from './query.ts';

export interface SearchableMessage {
  row: MessageRow;
  /** The cached body text; undefined when not cached. */
  bodyText?: string;
  folder: SearchFolder;
  account: SearchAccount;
}

export interface SearchFolder {
  path: string;
  name: string;
  role?: string;
  /** The server's hierarchy delimiter; "in:Projects/2026" also finds "Projects.2026" with ".". */
  delimiter?: string;
}

export interface SearchAccount {
  name: string;
  email: string;
}

type TextTerm = Extract<SearchTerm, { kind: 'text' }>;

export function matchesMessage(query: SearchQuery, message: SearchableMessage): boolean {
  const fields = new MessageFields(message);
  return query.terms.every((term) => holds(term, message, fields) !== term.negated);
}

/** True when a non-negated text term could be met by the body alone (anywhere or body:):
 * a message whose body is not cached may then be missed, and the coverage should say so. */
export function needsBody(query: SearchQuery): boolean {
  return query.terms.some(
    (term) =>
      term.kind === 'text' && !term.negated && (term.field === undefined || term.field === 'body'),
  );
}

/** Whether a term holds, before its negation is applied. */
function holds(term: SearchTerm, message: SearchableMessage, fields: MessageFields): boolean {
  const { row } = message;
  switch (term.kind) {
    case 'text':
      return fields
        .texts(term.field)
        .some((text) => text.mayHold(term.words) && textMatches(term, text.words()));
    case 'hasAttachment':
      return row.hasAttachments;
    case 'flag':
      if (term.flag === 'flagged') return row.flags.includes('\\Flagged');
      return row.flags.includes('\\Seen') === (term.flag === 'read');
    case 'in':
      return folderIs(term.folder, message.folder);
    case 'account':
      return accountIs(term.account, message.account);
    case 'date':
      return term.op === 'before' ? row.date < term.at : row.date >= term.at;
    case 'size':
      return term.op === 'larger' ? row.size > term.bytes : row.size < term.bytes;
  }
}

/** The words of one field's text (a subject, one address's name…) meet the term. */
function textMatches(term: TextTerm, words: readonly string[]): boolean {
  if (term.phrase) return phraseAt(term, words);
  return term.words.every((wanted, i) =>
    words.some((word) => wordMatches(wanted, word, term.prefix && i === term.words.length - 1)),
  );
}

function phraseAt(term: TextTerm, words: readonly string[]): boolean {
  const last = term.words.length - 1;
  for (let start = 0; start + last < words.length; start++) {
    if (
      term.words.every((wanted, i) =>
        wordMatches(wanted, words[start + i] ?? '', term.prefix && i === last),
      )
    ) {
      return true;
    }
  }
  return false;
}

function wordMatches(wanted: string, word: string, prefix: boolean): boolean {
  return prefix ? word.startsWith(wanted) : word === wanted;
}

/** Role names people type for folders that are not literally called that. */
const ROLE_ALIASES: Readonly<Record<string, string>> = { spam: 'junk', starred: 'flagged' };

/** in:<x>: x is the folder's role, else its path (with "/" for the delimiter), else its name.
 * `wanted` is folded (as the parser gives it). */
export function folderIs(wanted: string, folder: SearchFolder): boolean {
  if (folder.role && (wanted === folder.role || ROLE_ALIASES[wanted] === folder.role)) return true;
  const path = foldText(folder.path);
  if (wanted === path) return true;
  if (folder.delimiter && folder.delimiter !== '/') {
    if (wanted === path.split(foldText(folder.delimiter)).join('/')) return true;
  }
  return wanted === foldText(folder.name);
}

/** account:<x>: x starts the account's name or address, or one of their words (account:work,
 * account:alice@, account:example). `wanted` is folded. */
export function accountIs(wanted: string, account: SearchAccount): boolean {
  const name = foldText(account.name);
  const email = foldText(account.email);
  if (name.startsWith(wanted) || email.startsWith(wanted)) return true;
  const wantedWords = textWords(wanted);
  const words = [...textWords(account.name), ...textWords(account.email)];
  return wantedWords.length === 1 && words.some((word) => word.startsWith(wantedWords[0] ?? ''));
}

/** One searchable text (a subject, a name, a body), folded once; split into words only when a
 * term's words all occur in it as substrings — most texts fail that cheap test. */
class FieldText {
  private split: string[] | undefined;

  constructor(private readonly folded: string) {}

  mayHold(words: readonly string[]): boolean {
    return words.every((word) => this.folded.includes(word));
  }

  words(): string[] {
    this.split ??= foldedWords(this.folded);
    return this.split;
  }
}

/** The searchable texts of a message, folded lazily and kept for the one call. */
class MessageFields {
  private readonly cache = new Map<string, FieldText[]>();

  constructor(private readonly message: SearchableMessage) {}

  /** The texts of a field, each on its own; every field when undefined. */
  texts(field: TextField | undefined): FieldText[] {
    const key = field ?? 'any';
    let texts = this.cache.get(key);
    if (!texts) {
      texts = this.rawTexts(field).map((text) => new FieldText(foldText(text)));
      this.cache.set(key, texts);
    }
    return texts;
  }

  private rawTexts(field: TextField | undefined): string[] {
    const { row, bodyText } = this.message;
    switch (field) {
      case 'from':
        return addressTexts(row.from);
      case 'to':
        return addressTexts(row.to);
      case 'cc':
        return addressTexts(row.cc);
      case 'subject':
        return [row.subject];
      case 'body':
        return [bodyText ?? row.preview];
      case undefined:
        return [
          row.subject,
          ...addressTexts(row.from),
          ...addressTexts(row.to),
          ...addressTexts(row.cc),
          row.preview,
          ...(bodyText === undefined ? [] : [bodyText]),
        ];
    }
  }
}

function addressTexts(addresses: readonly Address[]): string[] {
  return addresses.flatMap((a) => [a.name ?? '', a.address ?? '']).filter((t) => t !== '');
}
