/**
 * The search field above the list, its scope, and what a search covered: how many messages were
 * searched and how far back bodies are cached (so a missing result never reads as a bug), with
 * the step that asks the servers for the rest — disabled, and saying so, while offline.
 */
import type { AccountSummary } from '#shared/accounts';
import { useUiStore } from '../../state/store.ts';
import { reachable, runServerStep } from './server-step.ts';
import type { SearchView } from './use-search.ts';

const FIELD_ID = 'search-field';

/** Focuses the search field with its text selected (`/`, Ctrl/Cmd+F, Ctrl/Cmd+K). */
export function focusSearch(): void {
  const field = document.getElementById(FIELD_ID);
  if (!(field instanceof HTMLInputElement)) return;
  field.focus();
  field.select();
}

export function SearchBar({
  search,
  accounts,
}: {
  search: SearchView;
  accounts: AccountSummary[];
}) {
  const text = useUiStore((s) => s.search.text);
  const scope = useUiStore((s) => s.search.scope);
  const setSearch = useUiStore((s) => s.setSearch);
  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') {
      // Back to the folder, and to the list.
      event.preventDefault();
      setSearch({ text: '' });
      event.currentTarget.blur();
      listElement()?.focus();
    } else if ((event.key === 'ArrowDown' || event.key === 'Enter') && search.active) {
      event.preventDefault();
      const first = search.model.at(0);
      if (first) {
        useUiStore.getState().select({
          ids: first.rowIds,
          focusId: first.row.id,
          focusIndex: 0,
          anchorId: first.row.id,
          anchorIndex: 0,
        });
      }
      listElement()?.focus();
    }
  };
  const error = search.parsed && !search.parsed.ok ? search.parsed : undefined;
  return (
    <div className="search-bar" role="search">
      <div className="search-row">
        <input
          id={FIELD_ID}
          type="search"
          aria-label="Search mail"
          placeholder="Search mail ( / )"
          autoComplete="off"
          spellCheck={false}
          value={text}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'search-error' : undefined}
          onChange={(event) => setSearch({ text: event.target.value })}
          onKeyDown={onKeyDown}
        />
        <fieldset className="search-scope">
          <legend className="visually-hidden">Search in</legend>
          <label>
            <input
              type="radio"
              name="search-scope"
              checked={scope === 'all'}
              onChange={() => setSearch({ scope: 'all' })}
            />
            All accounts
          </label>
          <label>
            <input
              type="radio"
              name="search-scope"
              checked={scope === 'folder'}
              onChange={() => setSearch({ scope: 'folder' })}
            />
            This folder
          </label>
        </fieldset>
      </div>
      {error && (
        <p id="search-error" role="alert" className="search-error">
          {error.error}
        </p>
      )}
      {search.active && search.local && <Coverage search={search} />}
      {search.active && search.query && <ServerStep search={search} accounts={accounts} />}
    </div>
  );
}

function listElement(): HTMLElement | null {
  return document.querySelector<HTMLElement>('[role="listbox"][aria-label="Messages"]');
}

function Coverage({ search }: { search: SearchView }) {
  const local = search.local;
  if (!local) return null;
  const { messages, bodiesCachedSince, bodiesMissing, indexing } = local.coverage;
  const bodies =
    bodiesCachedSince !== undefined
      ? `bodies cached back to ${dayOf(bodiesCachedSince)}`
      : 'no message bodies cached yet';
  const missing =
    bodiesMissing > 0 ? `; ${bodiesMissing.toLocaleString()} bodies not on this computer` : '';
  const shown = local.rows.length.toLocaleString();
  const found = !local.truncated
    ? `${shown} found here`
    : local.total !== undefined
      ? `the newest ${shown} of ${local.total.toLocaleString()} shown`
      : `the newest ${shown} shown`;
  return (
    <p className="search-coverage" role="status">
      Searched {messages.toLocaleString()} messages {search.scopeLabel}; {bodies}
      {missing} ({found}).
      {local.truncated && (
        <>
          {' '}
          <button type="button" className="link" onClick={search.showMore}>
            Show more
          </button>
        </>
      )}
      {local.unchecked !== undefined && (
        <span className="search-unchecked">
          {' '}
          {local.unchecked.toLocaleString()} older messages with all these words were not checked
          for the exact match: add a word or a date to narrow the search.
        </span>
      )}
      {indexing && <span className="search-indexing"> Building the search index…</span>}
    </p>
  );
}

function ServerStep({ search, accounts }: { search: SearchView; accounts: AccountSummary[] }) {
  const statuses = useUiStore((s) => s.accountStatus);
  const server = useUiStore((s) => s.serverSearch);
  const mine = server?.key === search.key ? server : undefined;
  const inScope = accounts.filter((a) => search.scope.accountIds.includes(a.id));
  const offline = inScope.length > 0 && inScope.every((a) => !reachable(statuses[a.id]));
  const start = () => {
    if (search.query) void runServerStep(search.key, search.query, search.scope, accounts);
  };
  return (
    <div className="search-server">
      <button
        type="button"
        className="link"
        disabled={offline || mine?.running || !search.query}
        onClick={start}
      >
        Search the server too
      </button>
      <span role="status" className="search-server-status">
        {offline
          ? 'Offline: only this computer’s copy was searched.'
          : mine?.running
            ? `Searching the server… ${mine.progress.done} of ${mine.progress.total} folders`
            : mine
              ? search.fromServer.size > 0
                ? `The server found ${search.fromServer.size} more (marked “from the server”).`
                : 'The server found nothing more.'
              : ''}
      </span>
      {mine && mine.notes.length > 0 && (
        <ul className="search-notes">
          {mine.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function dayOf(ms: number): string {
  return new Date(ms).toLocaleDateString(undefined, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
}
