/**
 * The search query language, as data. One parsed `SearchQuery` drives the three places a search
 * runs: the local index (`src-renderer/src/cache/search-index.ts`), the check of a cached message
 * (`matchesMessage`), and the server step (`toImapSearch`, IMAP SEARCH).
 *
 * Syntax (space-separated terms, all of which must hold):
 *   word                 a word anywhere (headers, addresses, preview, body); the last free word
 *                        of the query also matches as a prefix (typing "harb" finds "harbour")
 *   "exact phrase"       these words, next to each other, in this order
 *   from: to: cc:        an address or name (word prefix): from:alice, to:"Bob Smith"
 *   subject: body:       a word or a "phrase" in that field only
 *   has:attachment
 *   is:unread is:read is:flagged
 *   in:<folder or role>  in:inbox, in:sent, in:Projects/2026 (role names, then paths, then names)
 *   account:<name>       an account by its name or address
 *   before:<date> after:<date>   YYYY-MM-DD (or YYYY-MM), "today", "yesterday", 7d, 2w, 3m, 1y
 *   larger:<size> smaller:<size> 500k, 2M, 1G, bytes when bare
 *   -term                not this (any term above)
 * Case and diacritics are folded everywhere ("Ö" matches "o"); see `fold.ts` for what a word is.
 * Keys are case-insensitive. A bare token of several words ("foo-bar", "alice@example.test") is a
 * phrase. Punctuation-only tokens ("-", "…") are skipped, as the index holds no punctuation. An
 * unknown `key:value` is an error (quote it to search for it), but "Re:" (nothing after the
 * colon), times ("12:30") and URLs ("https://…") are words. `parseSearchQuery` (parse.ts) reads it.
 */

/** Fields a text term can be limited to. */
export type TextField = 'from' | 'to' | 'cc' | 'subject' | 'body';

export type SearchTerm =
  | {
      kind: 'text';
      /** Folded words (see `foldText`), in order; one for a word, several for a phrase. */
      words: string[];
      /** Limited to one field; anywhere when absent. */
      field?: TextField;
      /** The words must stand next to each other, in order (a quoted phrase). */
      phrase: boolean;
      /** The last word may be the start of a longer word (the last free word as typed). */
      prefix: boolean;
      negated: boolean;
      /** The value as typed, unfolded and without its quotes ("Café", "alice@example.test"):
       * what the server step sends, as the server does its own case matching. Absent for
       * terms built in code; `words.join(' ')` then stands in. */
      typed?: string;
    }
  | { kind: 'hasAttachment'; negated: boolean }
  | { kind: 'flag'; flag: 'unread' | 'read' | 'flagged'; negated: boolean }
  | {
      kind: 'in';
      /** As typed (folded): a role ("inbox", "sent", "drafts", "trash", "junk", "archive",
       * "all", "flagged") or a folder path or name. */
      folder: string;
      negated: boolean;
    }
  | { kind: 'account'; account: string; negated: boolean }
  | {
      kind: 'date';
      /** before: date < `at`; after: date >= `at` (ms since epoch, local midnight). */
      op: 'before' | 'after';
      at: number;
      negated: boolean;
    }
  | { kind: 'size'; op: 'larger' | 'smaller'; bytes: number; negated: boolean };

export interface SearchQuery {
  /** All must hold. */
  terms: SearchTerm[];
}

export type ParsedQuery =
  | { ok: true; query: SearchQuery }
  /** A malformed query: a message a person can read, and where (index into the input). */
  | { ok: false; error: string; at: number };
