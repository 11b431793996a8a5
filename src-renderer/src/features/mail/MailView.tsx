/**
 * The three panes: folders, the message list, the reader. Above the list: what it shows, the
 * conversations switch and the offline indicator. The window title carries the unread count.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect } from 'react';
import type { AccountSummary } from '#shared/accounts';
import { petrel } from '../../bridge/index.ts';
import { inboxUnread } from '../../cache/queries.ts';
import { db } from '../../state/cache.ts';
import { useUiStore } from '../../state/store.ts';
import { displayName, Sidebar } from '../folders/Sidebar.tsx';
import { MessageList } from '../message-list/MessageList.tsx';
import { Reader } from '../reader/Reader.tsx';
import { Composer } from '../composer/Composer.tsx';
import { newDraft } from '../composer/drafts.ts';
import { OutboxDialog } from '../composer/OutboxDialog.tsx';
import { useSystemMailto } from '../composer/mailto-draft.ts';
import { useComposerWindows } from '../composer/windows.ts';
import { FolderDialogs } from '../folders/FolderDialogs.tsx';
import { SettingsDialog } from './SettingsDialog.tsx';
import { ShortcutHelp } from './ShortcutHelp.tsx';
import { UndoBar } from './UndoBar.tsx';
import { SearchBar } from '../search/SearchBar.tsx';
import { useSearch } from '../search/use-search.ts';

export function MailView({ accounts }: { accounts: AccountSummary[] }) {
  const cacheError = useUiStore((s) => s.cacheError);
  const search = useSearch(accounts);
  useUnreadTitle();
  useComposerWindows();
  useSystemMailto(accounts);
  return (
    <div className="mail-view">
      <Sidebar accounts={accounts} />
      <main className="list-pane" aria-label="Message list">
        <ListToolbar accounts={accounts} />
        <SearchBar search={search} accounts={accounts} />
        {cacheError && (
          <p role="alert" className="pad">
            The offline cache stopped updating: {cacheError}
          </p>
        )}
        <Notice />
        <MessageList accounts={accounts} search={search.active ? search : undefined} />
      </main>
      <Reader accounts={accounts} />
      <FolderDialogs accounts={accounts} />
      <Composer accounts={accounts} />
      <OutboxDialog accountIds={accounts.map((a) => a.id)} />
      <UndoBar />
      <ShortcutHelp />
      <SettingsDialog accounts={accounts} />
    </div>
  );
}

function ListToolbar({ accounts }: { accounts: AccountSummary[] }) {
  const source = useUiStore((s) => s.source);
  const threaded = useUiStore((s) => s.threaded);
  const setThreaded = useUiStore((s) => s.setThreaded);
  const setHelpOpen = useUiStore((s) => s.setHelpOpen);
  const setSettingsOpen = useUiStore((s) => s.setSettingsOpen);
  const folder = useLiveQuery(
    async () => (source.kind === 'folder' ? await db.folders.get(source.folderId) : undefined),
    [source],
  );
  const account = folder && accounts.find((a) => a.id === folder.accountId);
  const title =
    source.kind === 'unified'
      ? 'All inboxes'
      : folder
        ? `${displayName(folder)}${account && accounts.length > 1 ? ` · ${account.name}` : ''}`
        : '';
  return (
    <div className="list-toolbar">
      <button
        type="button"
        className="primary write"
        title="Write a message (c)"
        onClick={() => writeNew(accounts, folder?.accountId)}
      >
        Write
      </button>
      <h2 className="list-title">{title}</h2>
      <OfflineIndicator accounts={accounts} />
      <label className="switch">
        <input
          type="checkbox"
          checked={threaded}
          onChange={(event) => setThreaded(event.target.checked)}
        />
        Conversations
      </label>
      <button
        type="button"
        className="icon-button"
        aria-label="Settings"
        title="Settings"
        onClick={() => setSettingsOpen(true)}
      >
        ⚙
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts (?)"
        onClick={() => setHelpOpen(true)}
      >
        ?
      </button>
    </div>
  );
}

/** Shown while no account can reach its server: what you see is what is saved here. */
function OfflineIndicator({ accounts }: { accounts: AccountSummary[] }) {
  const statuses = useUiStore((s) => s.accountStatus);
  const offline = accounts.filter((a) => {
    const state = statuses[a.id]?.state;
    return state === 'offline' || state === 'error';
  });
  if (offline.length === 0) return null;
  const all = offline.length === accounts.length;
  return (
    <span className="offline-indicator" role="status" title="Showing mail saved on this computer">
      {all ? 'Offline' : `${offline.map((a) => a.name).join(', ')} offline`}
    </span>
  );
}

export function writeNew(accounts: AccountSummary[], accountId?: string): void {
  const account = accounts.find((a) => a.id === (accountId ?? accounts[0]?.id));
  if (account) useUiStore.getState().openComposer(newDraft(account));
}

function Notice() {
  const notice = useUiStore((s) => s.notice);
  const setNotice = useUiStore((s) => s.setNotice);
  if (!notice) return null;
  return (
    <div className="notice" role="alert">
      <span>{notice}</span>
      <button type="button" className="link" onClick={() => setNotice(undefined)}>
        Dismiss
      </button>
    </div>
  );
}

function useUnreadTitle(): void {
  const unread = useLiveQuery(() => inboxUnread(db), [], 0);
  useEffect(() => {
    document.title = unread > 0 ? `Petrel (${unread.toLocaleString()} unread)` : 'Petrel';
    petrel()
      .setUnreadCount(unread)
      .catch(() => {});
  }, [unread]);
}
