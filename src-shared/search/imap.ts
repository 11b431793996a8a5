/**
 * A `SearchQuery` as an IMAP SEARCH for one folder, in the shape of imapflow's `SearchObject`
 * (main passes `search` to `client.search()` as it is), plus which parts the server can only
 * approximate, for the UI to say so. `in:` and `account:` choose folders (`folderMatches`), they
 * are not search keys.
 *
 * The server's text matching is not ours: IMAP SEARCH matches substrings ("art" finds "start"),
 * case-insensitively by the server's collation, usually without folding diacritics ("cafe" may
 * not find "Café"). So text goes to the server as the user typed it (`typed`), and the local
 * matcher stays the reference for cached messages.
 */
import { accountIs, folderIs, type SearchAccount, type SearchFolder } from './match.ts';
import type { SearchQuery, SearchTerm } from './query.ts';

/** The subset of imapflow's `SearchObject` this module produces; plain data (dates as
 * YYYY-MM-DD strings), assignable to `SearchObject`. */
export interface ImapSearch {
  all?: boolean;
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  body?: string;
  /** Headers and body (IMAP TEXT). */
  text?: string;
  seen?: boolean;
  flagged?: boolean;
  /** INTERNALDATE on or after this day (server's time zone). */
  since?: string;
  /** INTERNALDATE before this day. */
  before?: string;
  larger?: number;
  smaller?: number;
  header?: Record<string, string>;
  not?: ImapSearch;
  or?: ImapSearch[];
}

export interface ImapTranslation {
  search: ImapSearch;
  /** Sentences for the UI: where the server's answer may differ from the local search. */
  approximate: string[];
}

export const APPROXIMATE = {
  substring: 'the server matches text anywhere inside words and may not ignore accents',
  attachment:
    'the server finds attachments by a multipart/mixed Content-Type, which is approximate',
  dates: 'the server compares dates by day, in its own time zone',
} as const;

export function toImapSearch(query: SearchQuery): ImapTranslation {
  const approximate = new Set<string>();
  const parts: ImapSearch[] = [];
  for (const term of query.terms) {
    const part = termSearch(term, approximate);
    if (part) parts.push(part);
  }
  return { search: parts.length ? allOf(parts) : { all: true }, approximate: [...approximate] };
}

/** Whether a folder of an account is within the query's in: and account: terms (every folder
 * when it has none): the server step searches only these. */
export function folderMatches(
  query: SearchQuery,
  folder: SearchFolder,
  account: SearchAccount,
): boolean {
  return query.terms.every((term) => {
    if (term.kind === 'in') return folderIs(term.folder, folder) !== term.negated;
    if (term.kind === 'account') return accountIs(term.account, account) !== term.negated;
    return true;
  });
}

/** One term as a search key; undefined for terms that choose folders instead. */
function termSearch(term: SearchTerm, approximate: Set<string>): ImapSearch | undefined {
  switch (term.kind) {
    case 'text': {
      approximate.add(APPROXIMATE.substring);
      const search: ImapSearch = {};
      search[term.field ?? 'text'] = term.typed ?? term.words.join(' ');
      return negate(search, term.negated);
    }
    case 'hasAttachment':
      approximate.add(APPROXIMATE.attachment);
      return negate({ header: { 'Content-Type': 'multipart/mixed' } }, term.negated);
    case 'flag':
      if (term.flag === 'flagged') return { flagged: !term.negated };
      return { seen: (term.flag === 'read') !== term.negated };
    case 'date': {
      approximate.add(APPROXIMATE.dates);
      // not before X = since X; not after X = before X.
      const day = localDay(term.at);
      return (term.op === 'before') !== term.negated ? { before: day } : { since: day };
    }
    case 'size': {
      const search: ImapSearch = {};
      search[term.op] = term.bytes;
      return negate(search, term.negated);
    }
    case 'in':
    case 'account':
      return undefined;
  }
}

function negate(search: ImapSearch, negated: boolean): ImapSearch {
  return negated ? { not: search } : search;
}

/**
 * All of these at once, as one search object. The keys of an object are ANDed, but an object
 * has each key once, so a second `text` (or `not`) goes one level down: through `not: { not: … }`
 * (NOT NOT x = x), or, when `not` is taken by a negated term ¬a, through ¬(a ∨ ¬rest) = ¬a ∧ rest.
 * imapflow parenthesizes a nested object of several keys, so each level stays an AND.
 */
function allOf(parts: readonly ImapSearch[]): ImapSearch {
  const merged: ImapSearch = {};
  const rest: ImapSearch[] = [];
  for (const part of parts) {
    if (Object.keys(part).some((key) => key in merged)) rest.push(part);
    else Object.assign(merged, part);
  }
  if (rest.length === 0) return merged;
  const others = allOf(rest);
  merged.not = merged.not ? { or: [merged.not, { not: others }] } : { not: others };
  return merged;
}

/** YYYY-MM-DD of the local day of a local-midnight timestamp. imapflow reads such a string as
 * that day (UTC midnight) and sends it as SINCE/BEFORE dd-Mon-yyyy unchanged. */
function localDay(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
