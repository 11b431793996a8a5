/**
 * Accounts and their folders on the left, the selected folder's newest messages on the right,
 * read live from the cache.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import type { AccountStatus, AccountSummary } from '#shared/accounts';
import type { FolderRow } from '#shared/mail';
import { foldersOf, messagePage } from '../../cache/queries.ts';
import { db } from '../../state/cache.ts';
import { useUiStore } from '../../state/store.ts';

const PAGE = 200;

export function MailView({ accounts }: { accounts: AccountSummary[] }) {
  const selected = useUiStore((s) => s.selectedFolderId);
  const editAccount = useUiStore((s) => s.editAccount);
  const cacheError = useUiStore((s) => s.cacheError);
  return (
    <div className="mail-view">
      <nav className="sidebar" aria-label="Accounts and folders">
        {accounts.map((account) => (
          <AccountFolders key={account.id} account={account} />
        ))}
        <button type="button" className="link" onClick={() => editAccount('new')}>
          + Add account
        </button>
        <OfflineProgress />
      </nav>
      <main className="message-pane">
        {cacheError && <p role="alert">The offline cache stopped updating: {cacheError}</p>}
        {selected ? (
          <MessageList folderId={selected} />
        ) : (
          <p className="muted pad">Choose a folder.</p>
        )}
      </main>
    </div>
  );
}

function AccountFolders({ account }: { account: AccountSummary }) {
  const folders = useLiveQuery(() => foldersOf(db, account.id), [account.id], []);
  const status = useUiStore((s) => s.accountStatus[account.id]);
  const selected = useUiStore((s) => s.selectedFolderId);
  const selectFolder = useUiStore((s) => s.selectFolder);
  const editAccount = useUiStore((s) => s.editAccount);
  return (
    <section className="account" aria-label={account.name}>
      <header>
        <button
          type="button"
          className="account-name"
          onClick={() => editAccount(account.id)}
          title="Edit account"
        >
          {account.name}
        </button>
        <StatusLine status={status} />
      </header>
      <ul role="tree" aria-label={`Folders of ${account.name}`}>
        {sortFolders(folders).map((folder) => (
          <li
            key={folder.id}
            role="treeitem"
            aria-selected={folder.id === selected}
            style={{ paddingLeft: `${depth(folder) * 12}px` }}
          >
            <button
              type="button"
              disabled={!folder.selectable}
              onClick={() => selectFolder(folder.id)}
            >
              <span>{displayName(folder)}</span>
              {folder.unseen > 0 && (
                <span className="badge" aria-label={`${folder.unseen} unread`}>
                  {folder.unseen}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function StatusLine({ status }: { status: AccountStatus | undefined }) {
  if (!status) return null;
  const text =
    status.state === 'syncing' && status.progress
      ? `Syncing ${status.progress.done.toLocaleString()} of ${status.progress.total.toLocaleString()}`
      : status.state === 'idle'
        ? 'Up to date'
        : status.state === 'connecting'
          ? 'Connecting…'
          : (status.message ?? status.state);
  return (
    <p className={`status ${status.state}`} role="status">
      {text}
    </p>
  );
}

function OfflineProgress() {
  const progress = useUiStore((s) => s.offlineProgress);
  if (!progress || progress.missing === 0) return null;
  const done = progress.saved >= progress.missing;
  return (
    <p className="status" role="status">
      {done
        ? 'Recent mail is saved for offline reading'
        : `Saving for offline reading: ${progress.saved.toLocaleString()} of ${progress.missing.toLocaleString()}`}
    </p>
  );
}

function MessageList({ folderId }: { folderId: string }) {
  const rows = useLiveQuery(() => messagePage(db, folderId, PAGE), [folderId]);
  if (!rows) return null;
  if (rows.length === 0) return <p className="muted pad">No messages here.</p>;
  return (
    <ul className="message-list" aria-label="Messages">
      {rows.map((row) => (
        <li key={row.id} className={row.flags.includes('\\Seen') ? 'seen' : 'unseen'}>
          <span className="from">{row.from[0]?.name || row.from[0]?.address || '(no sender)'}</span>
          <span className="subject">{row.subject || '(no subject)'}</span>
          <span className="preview muted">{row.preview}</span>
          <time dateTime={new Date(row.date).toISOString()}>{formatDate(row.date)}</time>
        </li>
      ))}
    </ul>
  );
}

const ROLE_NAMES: Record<string, string> = {
  inbox: 'Inbox',
  sent: 'Sent',
  drafts: 'Drafts',
  trash: 'Trash',
  junk: 'Junk',
  archive: 'Archive',
};

function displayName(folder: FolderRow): string {
  return (folder.role && ROLE_NAMES[folder.role]) || folder.name;
}

function depth(folder: FolderRow): number {
  return folder.delimiter ? folder.path.split(folder.delimiter).length - 1 : 0;
}

function sortFolders(folders: FolderRow[]): FolderRow[] {
  const rank = (f: FolderRow) => (f.role === 'inbox' ? 0 : f.role ? 1 : 2);
  return [...folders].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
}

const sameDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const otherDay = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

function formatDate(time: number): string {
  const date = new Date(time);
  return date.toDateString() === new Date().toDateString()
    ? sameDay.format(date)
    : otherDay.format(date);
}
