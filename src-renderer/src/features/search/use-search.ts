/**
 * The search as the list pane sees it: the field's text parsed (after a short pause in typing),
 * the scope resolved to accounts and a folder, the local search run as a live query (new mail
 * that matches shows up by itself), and the server step's finds merged in — newest first, each
 * message once, those only the server found marked. The result is a `ListModel`, so the normal
 * list (selection, keys, reader) works on it unchanged.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useMemo, useState } from 'react';
import type { AccountSummary } from '#shared/accounts';
import type { MessageRow } from '#shared/mail';
import type { ParsedQuery, SearchQuery } from '#shared/search/query';
import type { ListSource } from '../../cache/list-queries.ts';
import { db } from '../../state/cache.ts';
import { useUiStore, type SearchScope } from '../../state/store.ts';
import { messageEntry, type ListEntry, type ListModel } from '../message-list/list-model.ts';
import { highlightOf, type Highlight } from './highlight.ts';
import { accountIs } from '#shared/search/match';
import { parseSearchQuery } from '#shared/search/parse';
import {
  RESULT_PAGE,
  searchLocal,
  type LocalSearchResult,
  type SearchAccount,
} from '../../cache/search-local.ts';

const DEBOUNCE_MS = 120;

export interface SearchScopeIds {
  accountIds: string[];
  folderId?: string;
  /** Names and addresses of the accounts, for `account:` terms. */
  accounts?: SearchAccount[];
}

export interface SearchView {
  /** The field holds a query: the list shows results. */
  active: boolean;
  /** Identifies this search (text as run, scope, folder): the server step's results carry it. */
  key: string;
  parsed: ParsedQuery | undefined;
  /** The query as run: the parsed one, plus in:inbox for "This folder" in All inboxes. */
  query: SearchQuery | undefined;
  scope: SearchScopeIds;
  /** "in all accounts", "in this folder", "in all inboxes". */
  scopeLabel: string;
  local: LocalSearchResult | undefined;
  model: ListModel;
  highlight: Highlight;
  /** Rows only the server step found. */
  fromServer: ReadonlySet<string>;
  /** Shows another page of results (the newest first; a page is `RESULT_PAGE`). */
  showMore(): void;
}

export function useSearch(accounts: AccountSummary[]): SearchView {
  const { text, scope: scopeChoice } = useUiStore((s) => s.search);
  const source = useUiStore((s) => s.source);
  const typed = useDebounced(text.trim(), DEBOUNCE_MS);
  const active = text.trim() !== '';
  const parsed = useMemo(() => (typed ? parseSearchQuery(typed) : undefined), [typed]);
  const sourceId = source.kind === 'folder' ? source.folderId : 'unified';
  const key = JSON.stringify([typed, scopeChoice, sourceId]);
  const { query, scope, scopeLabel } = useMemo(
    () => resolve(parsed, scopeChoice, source, accounts),
    // sourceId stands for source; accounts change rarely and re-resolving is cheap.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [parsed, scopeChoice, sourceId, accounts],
  );
  // Pages shown, for this search: a new query starts from the first again.
  const [pages, setPages] = useState({ key, count: 1 });
  const shown = pages.key === key ? pages.count : 1;
  const found = useLiveQuery(
    async () =>
      query && active
        ? {
            key,
            pages: shown,
            result: await searchLocal(db, query, scope, { limit: RESULT_PAGE * shown }),
          }
        : undefined,
    [key, active, shown],
  );
  // A malformed query shows its error and no results (never the last query's).
  const local = useLatestResult(found, active && parsed?.ok === true);
  const server = useUiStore((s) => s.serverSearch);
  const serverIds = useMemo(() => (server?.key === key ? server.found : []), [server, key]);
  const serverRows = useLiveQuery(
    async () => (serverIds.length ? await db.messages.bulkGet(serverIds) : []),
    [serverIds],
    [],
  );
  const { entries, fromServer } = useMemo(
    () => merge(local?.rows ?? [], serverRows),
    [local, serverRows],
  );
  const highlight = useMemo(() => highlightOf(query ?? { terms: [] }), [query]);
  // One more page, once the pages asked for are in (the list asks on every scroll).
  const complete = found?.key === key && found.pages === shown;
  const showMore = () =>
    setPages((before) =>
      before.key === key && before.count > shown ? before : { key, count: shown + 1 },
    );
  return {
    active,
    key,
    parsed,
    query,
    scope,
    scopeLabel,
    local,
    model: arrayModel(
      entries,
      active && local === undefined && parsed?.ok === true,
      complete && local?.truncated ? showMore : undefined,
    ),
    highlight,
    fromServer,
    showMore,
  };
}

function resolve(
  parsed: ParsedQuery | undefined,
  choice: SearchScope,
  source: ListSource,
  accounts: AccountSummary[],
): { query: SearchQuery | undefined; scope: SearchScopeIds; scopeLabel: string } {
  const query = parsed?.ok ? parsed.query : undefined;
  // account: terms pick accounts (the index knows ids, not the names people type).
  const accountIds = accounts
    .filter((account) =>
      (query?.terms ?? []).every((term) => {
        if (term.kind !== 'account') return true;
        const hit = accountIs(term.account, { name: account.name, email: account.email });
        return term.negated ? !hit : hit;
      }),
    )
    .map((a) => a.id);
  const named = accounts.map(({ id, name, email }) => ({ id, name, email }));
  if (choice === 'all') {
    return { query, scope: { accountIds, accounts: named }, scopeLabel: 'in all accounts' };
  }
  if (source.kind === 'folder') {
    return {
      query,
      scope: { accountIds, folderId: source.folderId, accounts: named },
      scopeLabel: 'in this folder',
    };
  }
  const inInbox = query && {
    terms: [...query.terms, { kind: 'in' as const, folder: 'inbox', negated: false }],
  };
  return { query: inInbox, scope: { accountIds, accounts: named }, scopeLabel: 'in all inboxes' };
}

/** Local rows, then rows only the server found, newest first; each message once. */
function merge(
  local: MessageRow[],
  server: (MessageRow | undefined)[],
): { entries: ListEntry[]; fromServer: ReadonlySet<string> } {
  const seen = new Set(local.map((row) => row.id));
  const extra = server.filter((row): row is MessageRow => row !== undefined && !seen.has(row.id));
  const fromServer = new Set(extra.map((row) => row.id));
  const rows = extra.length
    ? [...local, ...extra].sort((a, b) => b.date - a.date || a.id.localeCompare(b.id))
    : local;
  return { entries: rows.map(messageEntry), fromServer };
}

/** Rows from this near the end are shown, the next page is asked for (scrolling on finds more). */
const MORE_AHEAD = 20;

function arrayModel(entries: ListEntry[], loading: boolean, more?: () => void): ListModel {
  return {
    count: entries.length,
    loading,
    at: (index) => entries[index],
    show: (_first, last) => {
      if (more && last >= entries.length - MORE_AHEAD) more();
    },
    load: async (index) => entries[index],
  };
}

/** `value`, once it has stayed the same for `ms` (an emptied field at once). */
function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), value === '' ? 0 : ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return value === '' ? '' : settled;
}

/** The last answer while the next query reads, so the list does not blink as one types. */
function useLatestResult(
  found: { key: string; pages: number; result: LocalSearchResult } | undefined,
  active: boolean,
): LocalSearchResult | undefined {
  const [kept, setKept] = useState(found);
  if (found !== undefined && found !== kept) setKept(found);
  if (!active) return undefined;
  return (found ?? kept)?.result;
}
