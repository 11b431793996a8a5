/**
 * STAND-INS — the one place the search UI reaches the other two parts of search. Until they land,
 * naive versions live here so that the UI can be built and tested end to end. When merging, this
 * whole file becomes:
 *
 *   export { parseSearchQuery } from '#shared/search/parse';
 *   export { foldText } from '#shared/search/fold';
import { foldText } from '#shared/search/fold';
 *   export { folderMatches } from '#shared/search/imap';
 *   export { searchLocal, type LocalSearchResult } from '../../cache/search-local.ts';
 *
 * Everything below that line is throwaway: the scan in `searchLocal` is exactly what issue 7 says
 * search must not do (a stand-in only), and the parser knows just enough of the language.
 */
import type { FolderRow, MessageRow } from '#shared/mail';
import type { SearchQuery, SearchTerm, TextField } from '#shared/search/query';
import { messagesOfFolder, type PetrelDb } from '../../cache/db.ts';

export interface LocalSearchResult {
  rows: MessageRow[];
  truncated: boolean;
  coverage: {
    messages: number;
    bodiesCachedSince?: number;
    bodiesMissing: number;
    indexing: boolean;
  };
}

export { parseSearchQuery } from '#shared/search/parse';
export { foldText } from '#shared/search/fold';
import { foldText } from '#shared/search/fold';
export { folderMatches } from '#shared/search/imap';

/** A scan of every row in scope (stand-in only: the real one reads the search index). */
export async function searchLocal(
  db: PetrelDb,
  query: SearchQuery,
  scope: { accountIds: string[]; folderId?: string },
  opts: { limit: number },
): Promise<LocalSearchResult> {
  const folders = (await db.folders.where('accountId').anyOf(scope.accountIds).toArray()).filter(
    (f) => f.selectable && (scope.folderId === undefined || f.id === scope.folderId),
  );
  const found: MessageRow[] = [];
  let messages = 0;
  let bodiesMissing = 0;
  let bodiesCachedSince: number | undefined;
  for (const folder of folders) {
    const rows = await messagesOfFolder(db, folder.id).toArray();
    const bodies = new Map<string, string>();
    await db.bodies
      .where('folderId')
      .equals(folder.id)
      .each((b) => {
        if (b.text !== undefined) bodies.set(b.rowId, `${bodies.get(b.rowId) ?? ''} ${b.text}`);
      });
    for (const row of rows) {
      messages++;
      const body = bodies.get(row.id);
      if (body === undefined) bodiesMissing++;
      else bodiesCachedSince = Math.min(bodiesCachedSince ?? Infinity, row.date);
      if (matches(query, row, folder, body ?? row.preview)) found.push(row);
    }
  }
  found.sort((a, b) => b.date - a.date);
  const coverage = { messages, bodiesMissing, indexing: false };
  return {
    rows: found.slice(0, opts.limit),
    truncated: found.length > opts.limit,
    coverage: bodiesCachedSince === undefined ? coverage : { ...coverage, bodiesCachedSince },
  };
}

function matches(query: SearchQuery, row: MessageRow, folder: FolderRow, body: string): boolean {
  const people = (list: MessageRow['from']) =>
    foldText(list.map((a) => `${a.name ?? ''} ${a.address ?? ''}`).join(' '));
  const fields: Record<TextField, string> = {
    from: people(row.from),
    to: people(row.to),
    cc: people(row.cc),
    subject: foldText(row.subject),
    body: foldText(`${row.preview} ${body}`),
  };
  const anywhere = Object.values(fields).join(' ');
  return query.terms.every((term) => {
    const hit = termHolds(term, row, folder, fields, anywhere);
    return term.negated ? !hit : hit;
  });
}

function termHolds(
  term: SearchTerm,
  row: MessageRow,
  folder: FolderRow,
  fields: Record<TextField, string>,
  anywhere: string,
): boolean {
  switch (term.kind) {
    case 'text': {
      const words = (term.field ? fields[term.field] : anywhere).split(/[^\p{L}\p{N}]+/u);
      return term.words.every((w, i) =>
        words.some(
          (x) => x === w || (term.prefix && i === term.words.length - 1 && x.startsWith(w)),
        ),
      );
    }
    case 'hasAttachment':
      return row.hasAttachments;
    case 'flag':
      if (term.flag === 'flagged') return row.flags.includes('\\Flagged');
      return row.flags.includes('\\Seen') === (term.flag === 'read');
    case 'in':
      return [folder.role, folder.path, folder.name].some((v) => v && foldText(v) === term.folder);
    case 'date':
      return term.op === 'before' ? row.date < term.at : row.date >= term.at;
    case 'size':
      return term.op === 'larger' ? row.size > term.bytes : row.size < term.bytes;
    case 'account':
      return true;
  }
}
