/**
 * The sidebar: "All inboxes", then each account with its sync state and its folder tree:
 * special-use folders first (with icons), then the others in hierarchy, then shared and other
 * users' namespaces in a group of their own. Counts and states are read live from the cache and
 * from main's status events.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { AccountStatus, AccountSummary } from '#shared/accounts';
import type { FolderRole, FolderRow } from '#shared/mail';
import { petrel } from '../../bridge/index.ts';
import { foldersOf, inboxUnread } from '../../cache/queries.ts';
import { outboxEntries } from '../../cache/outbox.ts';
import { queueStatus } from '../../cache/tasks.ts';
import { UNIFIED } from '../../cache/list-queries.ts';
import { db } from '../../state/cache.ts';
import { useUiStore, type FolderDialog } from '../../state/store.ts';
import { moveTo } from '../mail/actions.ts';
import { accountColor } from '../mail/format.ts';
import { FolderIcon } from './FolderIcon.tsx';

export function Sidebar({ accounts }: { accounts: AccountSummary[] }) {
  const editAccount = useUiStore((s) => s.editAccount);
  return (
    <nav className="sidebar" aria-label="Accounts and folders">
      <UnifiedInbox />
      <OutboxItem accountIds={accounts.map((a) => a.id)} />
      {accounts.map((account, index) => (
        <AccountFolders key={account.id} account={account} color={accountColor(index)} />
      ))}
      <button type="button" className="link" onClick={() => editAccount('new')}>
        + Add account
      </button>
      <QueueStatus />
      <OfflineProgress />
      <NotificationSwitch />
    </nav>
  );
}

/** Shown while something is in the outbox: waiting to be sent, or refused. */
function OutboxItem({ accountIds }: { accountIds: string[] }) {
  const entries = useLiveQuery(() => outboxEntries(db, accountIds), [accountIds.join()], []);
  if (entries.length === 0) return null;
  const refused = entries.filter((e) => e.state === 'refused').length;
  return (
    <ul role="tree" aria-label="Outbox" className="folder-tree">
      <FolderItem
        label="Outbox"
        icon="sent"
        unread={entries.length}
        level={1}
        selected={false}
        onSelect={() => useUiStore.getState().setOutboxOpen(true)}
      />
      {refused > 0 && (
        <li role="none" className="status error">
          {refused === 1 ? '1 message was not sent' : `${refused} messages were not sent`}
        </li>
      )}
    </ul>
  );
}

function UnifiedInbox() {
  const unread = useLiveQuery(() => inboxUnread(db), [], 0);
  const selected = useUiStore((s) => s.source.kind === 'unified');
  const selectSource = useUiStore((s) => s.selectSource);
  return (
    <ul role="tree" aria-label="All accounts" className="folder-tree">
      <FolderItem
        label="All inboxes"
        icon="inbox"
        unread={unread}
        level={1}
        selected={selected}
        onSelect={() => selectSource(UNIFIED)}
      />
    </ul>
  );
}

function AccountFolders({ account, color }: { account: AccountSummary; color: string }) {
  const folders = useLiveQuery(() => foldersOf(db, account.id), [account.id], []);
  const status = useUiStore((s) => s.accountStatus[account.id]);
  const editAccount = useUiStore((s) => s.editAccount);
  const { special, personal, shared } = arrange(folders);
  return (
    <section className="account" aria-label={account.name}>
      <header>
        <span className="account-dot" style={{ background: color }} aria-hidden="true" />
        <button
          type="button"
          className="account-name"
          onClick={() => editAccount(account.id)}
          aria-label={`Edit account ${account.name}`}
          title="Edit account"
        >
          {account.name}
        </button>
        <button
          type="button"
          className="icon-button small"
          aria-label={`New folder in ${account.name}`}
          title="New folder"
          onClick={() =>
            useUiStore.getState().openFolderDialog({
              kind: 'create',
              accountId: account.id,
              delimiter: folders.find((f) => f.delimiter)?.delimiter ?? '/',
            })
          }
        >
          +
        </button>
      </header>
      <StatusLine status={status} onEdit={() => editAccount(account.id)} />
      <ul role="tree" aria-label={`Folders of ${account.name}`} className="folder-tree">
        {[...special, ...personal].map((folder) => (
          <AccountFolder key={folder.id} folder={folder} special={special.includes(folder)} />
        ))}
        {shared.length > 0 && (
          <li role="none">
            <span className="tree-group-label" id={`shared-${account.id}`}>
              Shared folders
            </span>
            <ul role="group" aria-labelledby={`shared-${account.id}`}>
              {shared.map((folder) => (
                <AccountFolder key={folder.id} folder={folder} special={false} />
              ))}
            </ul>
          </li>
        )}
      </ul>
    </section>
  );
}

function AccountFolder({ folder, special }: { folder: FolderRow; special: boolean }) {
  const selected = useUiStore((s) => s.source.kind === 'folder' && s.source.folderId === folder.id);
  const selectSource = useUiStore((s) => s.selectSource);
  return (
    <FolderItem
      label={displayName(folder)}
      icon={folder.role ?? (folder.namespace === 'personal' ? 'folder' : 'shared')}
      unread={folder.unseen}
      level={special ? 1 : depth(folder) + 1}
      selected={selected}
      disabled={!folder.selectable}
      folder={folder}
      onSelect={() => selectSource({ kind: 'folder', folderId: folder.id })}
    />
  );
}

function FolderItem(props: {
  label: string;
  icon: FolderRole | 'folder' | 'shared';
  unread: number;
  level: number;
  selected: boolean;
  disabled?: boolean;
  /** A real folder: a drop target for messages, with its own actions. */
  folder?: FolderRow;
  onSelect(): void;
}) {
  const [menu, setMenu] = useState(false);
  const [dropping, setDropping] = useState(false);
  const { folder } = props;
  const droppable = folder?.selectable === true;
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      if (!props.disabled) props.onSelect();
    }
    if (folder && (event.key === 'ContextMenu' || (event.shiftKey && event.key === 'F10'))) {
      event.preventDefault();
      setMenu(true);
    }
  };
  return (
    <li
      role="treeitem"
      aria-level={props.level}
      aria-selected={props.selected}
      aria-disabled={props.disabled || undefined}
      aria-label={props.unread > 0 ? `${props.label}, ${props.unread} unread` : props.label}
      tabIndex={props.selected ? 0 : -1}
      className={`folder-item${dropping ? ' drop-target' : ''}`}
      style={{ paddingLeft: `${8 + (props.level - 1) * 14}px` }}
      onClick={() => !props.disabled && props.onSelect()}
      onKeyDown={onKeyDown}
      onContextMenu={(event) => {
        if (!folder) return;
        event.preventDefault();
        setMenu(true);
      }}
      onDragOver={(event) => {
        if (!droppable || !event.dataTransfer.types.includes(DRAG_TYPE)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'move';
        setDropping(true);
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={(event) => {
        setDropping(false);
        const ids = draggedIds(event.dataTransfer);
        if (!folder || !droppable || !ids) return;
        event.preventDefault();
        void moveTo(ids, folder);
      }}
    >
      <FolderIcon kind={props.icon} />
      <span className="folder-name">{props.label}</span>
      {props.unread > 0 && (
        <span className="badge" aria-hidden="true">
          {props.unread.toLocaleString()}
        </span>
      )}
      {folder && (
        <button
          type="button"
          className="folder-menu-button"
          tabIndex={-1}
          aria-label={`Actions for ${props.label}`}
          onClick={(event) => {
            event.stopPropagation();
            setMenu(true);
          }}
        >
          ⋯
        </button>
      )}
      {folder && menu && <FolderMenu folder={folder} onClose={() => setMenu(false)} />}
    </li>
  );
}

/** What can be done to a folder: subfolders anywhere; rename and delete but on special folders. */
function FolderMenu({ folder, onClose }: { folder: FolderRow; onClose(): void }) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  const open = (dialog: FolderDialog) => {
    onClose();
    useUiStore.getState().openFolderDialog(dialog);
  };
  const fixed = folder.role !== undefined || folder.namespace !== 'personal';
  return (
    <ul
      role="menu"
      aria-label={`Actions for ${displayName(folder)}`}
      className="folder-menu"
      onClick={(event) => event.stopPropagation()}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
        event.stopPropagation();
      }}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) onClose();
      }}
    >
      <li role="none">
        <button
          ref={first}
          role="menuitem"
          type="button"
          onClick={() =>
            open({
              kind: 'create',
              accountId: folder.accountId,
              parentPath: folder.path,
              delimiter: folder.delimiter,
            })
          }
        >
          New subfolder…
        </button>
      </li>
      {!fixed && (
        <li role="none">
          <button
            role="menuitem"
            type="button"
            onClick={() => open({ kind: 'rename', folderId: folder.id })}
          >
            Rename…
          </button>
        </li>
      )}
      {!fixed && (
        <li role="none">
          <button
            role="menuitem"
            type="button"
            onClick={() => open({ kind: 'delete', folderId: folder.id })}
          >
            Delete…
          </button>
        </li>
      )}
    </ul>
  );
}

/** The drag data of messages dragged from the list: their row ids. */
export const DRAG_TYPE = 'application/x-petrel-messages';

function draggedIds(data: DataTransfer): string[] | undefined {
  try {
    const ids: unknown = JSON.parse(data.getData(DRAG_TYPE));
    return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? ids : undefined;
  } catch {
    return undefined;
  }
}

function StatusLine({ status, onEdit }: { status: AccountStatus | undefined; onEdit(): void }) {
  if (!status) return null;
  const { state } = status;
  const text =
    state === 'syncing' && status.progress
      ? `Syncing ${status.progress.done.toLocaleString()} of ${status.progress.total.toLocaleString()}`
      : state === 'syncing'
        ? 'Syncing…'
        : state === 'idle'
          ? 'Up to date'
          : state === 'connecting'
            ? 'Connecting…'
            : state === 'offline'
              ? `Offline${status.message ? `: ${firstSentence(status.message)}` : ''}`
              : (status.message ?? 'Error');
  return (
    <div className={`status ${state}`}>
      <p role="status" title={status.message}>
        {text}
      </p>
      {state === 'offline' && (
        <button type="button" className="link" onClick={() => void petrel().reconnectNow()}>
          Retry now
        </button>
      )}
      {state === 'error' && (
        <button type="button" className="link" onClick={onEdit}>
          Check settings
        </button>
      )}
    </div>
  );
}

/**
 * Changes made here that the servers do not have yet: shown while an account is offline or a
 * change keeps failing (with why), not for the moment a change takes online.
 */
function QueueStatus() {
  const status = useLiveQuery(() => queueStatus(db), []);
  const offline = useUiStore((s) =>
    Object.values(s.accountStatus).some((a) => a.state === 'offline' || a.state === 'error'),
  );
  if (!status || status.waiting === 0 || (!offline && !status.stuck)) return null;
  const n = status.waiting;
  return (
    <p className="queue-status" role="status">
      {n === 1 ? '1 change' : `${n.toLocaleString()} changes`} waiting to be sent to the server
      {status.stuck && <span className="muted"> — {status.stuck.reason}</span>}
    </p>
  );
}

/** The browser asks once; the button is there until the user has answered. */
function NotificationSwitch() {
  const [permission, setPermission] = useState(() =>
    typeof Notification === 'undefined' ? 'denied' : Notification.permission,
  );
  if (permission !== 'default') return null;
  return (
    <button
      type="button"
      className="link"
      onClick={() => void Notification.requestPermission().then(setPermission)}
    >
      Turn on new-mail notifications
    </button>
  );
}

/** The reason's first sentence; the whole of it is in the tooltip. */
function firstSentence(message: string): string {
  const end = message.search(/[.!?](\s|$)/);
  return end === -1 ? message : message.slice(0, end + 1);
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

const ROLE_ORDER: FolderRole[] = [
  'inbox',
  'drafts',
  'sent',
  'archive',
  'all',
  'flagged',
  'junk',
  'trash',
];

const ROLE_NAMES: Record<FolderRole, string> = {
  inbox: 'Inbox',
  drafts: 'Drafts',
  sent: 'Sent',
  archive: 'Archive',
  all: 'All mail',
  flagged: 'Flagged',
  junk: 'Junk',
  trash: 'Trash',
};

const roleRank = (folder: FolderRow): number =>
  folder.role ? ROLE_ORDER.indexOf(folder.role) : ROLE_ORDER.length;

export function displayName(folder: FolderRow): string {
  return folder.role ? ROLE_NAMES[folder.role] : folder.name;
}

function depth(folder: FolderRow): number {
  return folder.delimiter ? folder.path.split(folder.delimiter).length - 1 : 0;
}

/** Special-use folders in a fixed order, then the other personal folders by path, then shared. */
function arrange(folders: FolderRow[]) {
  const personalFolders = folders.filter((f) => f.namespace === 'personal');
  const special = personalFolders.filter((f) => f.role).sort((a, b) => roleRank(a) - roleRank(b));
  const byPath = (a: FolderRow, b: FolderRow) => a.path.localeCompare(b.path);
  return {
    special,
    personal: personalFolders.filter((f) => !f.role).sort(byPath),
    shared: folders.filter((f) => f.namespace !== 'personal').sort(byPath),
  };
}
