/**
 * STAND-IN — replace when `src-shared/search/imap.ts` lands. The server step needs only
 * `toImapSearch`; until the real translation exists, this naive one covers the common terms so
 * that the server step can be built and tested. When merging, this whole file becomes:
 *
 *   export { toImapSearch, type ImapSearch } from '#shared/search/imap';
 */
import type { SearchObject } from 'imapflow';
import type { SearchQuery, SearchTerm } from '#shared/search/query';

export type ImapSearch = SearchObject;

/** The query as an IMAP SEARCH (all terms ANDed), and what it can only approximate. */
export function toImapSearch(query: SearchQuery): { search: ImapSearch; approximate: string[] } {
  const approximate: string[] = [];
  const parts: ImapSearch[] = [];
  for (const term of query.terms) {
    const one = termSearch(term, approximate);
    if (one) parts.push(term.negated ? { not: one } : one);
  }
  // One object cannot hold the same key twice: nest the rest as NOT NOT (an AND in IMAP).
  const search = parts.reduce<ImapSearch>((all, part) => {
    const clash = Object.keys(part).some((key) => key in all);
    return clash ? { ...all, not: { not: part } } : { ...all, ...part };
  }, {});
  return { search: Object.keys(search).length ? search : { all: true }, approximate };
}

function termSearch(term: SearchTerm, approximate: string[]): ImapSearch | undefined {
  switch (term.kind) {
    case 'text': {
      const text = term.words.join(' ');
      return term.field ? { [term.field]: text } : { text };
    }
    case 'hasAttachment':
      approximate.push('has:attachment is checked on this computer only');
      return undefined;
    case 'flag':
      return term.flag === 'flagged' ? { flagged: true } : { seen: term.flag === 'read' };
    case 'date':
      return term.op === 'before' ? { before: new Date(term.at) } : { since: new Date(term.at) };
    case 'size':
      return term.op === 'larger' ? { larger: term.bytes } : { smaller: term.bytes };
    case 'in':
    case 'account':
      // Chosen by the folders searched, not by SEARCH.
      return undefined;
  }
}
