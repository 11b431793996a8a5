/**
 * The dialogs of folder work and of moves: a new folder, a rename, a folder deleted with its mail,
 * a message moved to a folder picked from a list, messages deleted for good. Each asks, then
 * queues the task (the tree and the list change at once; the server follows).
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useRef, useState, type FormEvent, type Ref } from 'react';
import type { AccountSummary } from '#shared/accounts';
import { folderIdOf, type FolderRow } from '#shared/mail';
import { errorMessage } from '#shared/result';
import { createFolder, deleteFolder, deleteMessages, renameFolder } from '../../cache/tasks.ts';
import { UNIFIED } from '../../cache/list-queries.ts';
import { db } from '../../state/cache.ts';
import { useUiStore, type FolderDialog } from '../../state/store.ts';
import { Dialog } from '../common/Dialog.tsx';
import { moveTo } from '../mail/actions.ts';
import { displayName } from './Sidebar.tsx';

export function FolderDialogs({ accounts }: { accounts: AccountSummary[] }) {
  const dialog = useUiStore((s) => s.folderDialog);
  const close = () => useUiStore.getState().openFolderDialog(undefined);
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'create':
      return <CreateFolder dialog={dialog} onClose={close} />;
    case 'rename':
      return <RenameFolder folderId={dialog.folderId} onClose={close} />;
    case 'delete':
      return <DeleteFolder folderId={dialog.folderId} onClose={close} />;
    case 'move':
      return <MovePicker rowIds={dialog.rowIds} accounts={accounts} onClose={close} />;
    case 'deleteForGood':
      return <DeleteForGood rowIds={dialog.rowIds} onClose={close} />;
  }
}

type Create = Extract<FolderDialog, { kind: 'create' }>;

function CreateFolder({ dialog, onClose }: { dialog: Create; onClose(): void }) {
  const input = useRef<HTMLInputElement>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problem = nameProblem(name, dialog.delimiter);
    if (problem) return setError(problem);
    const path = dialog.parentPath
      ? `${dialog.parentPath}${dialog.delimiter}${name.trim()}`
      : name.trim();
    try {
      await createFolder(db, dialog.accountId, path);
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <Dialog
      title={dialog.parentPath ? `New folder in ${dialog.parentPath}` : 'New folder'}
      onClose={onClose}
      initialFocus={input}
    >
      <form onSubmit={(event) => void submit(event)}>
        <NameField ref={input} value={name} onChange={setName} error={error} />
        <Actions submit="Create folder" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

function RenameFolder({ folderId, onClose }: { folderId: string; onClose(): void }) {
  const folder = useLiveQuery(() => db.folders.get(folderId), [folderId]);
  const input = useRef<HTMLInputElement>(null);
  const [name, setName] = useState<string>();
  const [error, setError] = useState<string>();
  if (!folder) return null;
  const value = name ?? folder.name;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problem = nameProblem(value, folder.delimiter);
    if (problem) return setError(problem);
    const parent = folder.parentPath ? `${folder.parentPath}${folder.delimiter}` : '';
    const path = `${parent}${value.trim()}`;
    try {
      await renameFolder(db, folder.id, path);
      const ui = useUiStore.getState();
      if (ui.source.kind === 'folder' && ui.source.folderId === folder.id) {
        ui.selectSource({ kind: 'folder', folderId: folderIdOf(folder.accountId, path) });
      }
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <Dialog title={`Rename ${folder.name}`} onClose={onClose} initialFocus={input}>
      <form onSubmit={(event) => void submit(event)}>
        <NameField ref={input} value={value} onChange={setName} error={error} />
        <Actions submit="Rename" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

function DeleteFolder({ folderId, onClose }: { folderId: string; onClose(): void }) {
  const folder = useLiveQuery(() => db.folders.get(folderId), [folderId]);
  const button = useRef<HTMLButtonElement>(null);
  const [error, setError] = useState<string>();
  if (!folder) return null;
  return (
    <Dialog title={`Delete ${folder.name}?`} onClose={onClose} initialFocus={button}>
      <p>
        The folder, its subfolders and the {folder.messages.toLocaleString()} messages in it are
        deleted from the server. This cannot be undone.
      </p>
      {error && <p role="alert">{error}</p>}
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          ref={button}
          type="button"
          className="primary danger"
          onClick={() =>
            void deleteFolder(db, folder.id).then(
              () => {
                const ui = useUiStore.getState();
                const gone = (id: string) =>
                  id === folder.id || id.startsWith(`${folder.id}${folder.delimiter}`);
                if (ui.source.kind === 'folder' && gone(ui.source.folderId))
                  ui.selectSource(UNIFIED);
                onClose();
              },
              (e: unknown) => setError(errorMessage(e)),
            )
          }
        >
          Delete folder
        </button>
      </div>
    </Dialog>
  );
}

function DeleteForGood({ rowIds, onClose }: { rowIds: string[]; onClose(): void }) {
  const button = useRef<HTMLButtonElement>(null);
  const n = rowIds.length;
  return (
    <Dialog
      title={`Delete ${n === 1 ? 'this message' : `${n} messages`} for good?`}
      onClose={onClose}
      initialFocus={button}
    >
      <p>
        {n === 1 ? 'It is' : 'They are'} in Trash already: deleting removes{' '}
        {n === 1 ? 'it' : 'them'} from the server. This cannot be undone.
      </p>
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          ref={button}
          type="button"
          className="primary danger"
          onClick={() => {
            useUiStore.getState().setLeaving(rowIds);
            void deleteMessages(db, rowIds).then(onClose);
          }}
        >
          Delete for good
        </button>
      </div>
    </Dialog>
  );
}

/** Every selectable folder of every account, filtered as you type. */
function MovePicker(props: { rowIds: string[]; accounts: AccountSummary[]; onClose(): void }) {
  const folders = useLiveQuery(() => db.folders.toArray(), [], []);
  const input = useRef<HTMLInputElement>(null);
  const [filter, setFilter] = useState('');
  const words = filter.trim().toLowerCase();
  const names = new Map(props.accounts.map((a) => [a.id, a.name]));
  const choices = folders
    .filter((f) => f.selectable)
    .filter((f) => !words || `${displayName(f)} ${f.path}`.toLowerCase().includes(words))
    .sort(
      (a, b) =>
        accountOrder(props.accounts, a) - accountOrder(props.accounts, b) ||
        a.path.localeCompare(b.path),
    );
  const pick = (folder: FolderRow) => {
    props.onClose();
    void moveTo(props.rowIds, folder);
  };
  return (
    <Dialog title="Move to folder" onClose={props.onClose} initialFocus={input}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (choices[0]) pick(choices[0]);
        }}
      >
        <label className="field">
          <span>Folder</span>
          <input
            ref={input}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder="Type to filter"
          />
        </label>
      </form>
      <ul className="move-choices" aria-label="Folders">
        {choices.map((folder) => (
          <li key={folder.id}>
            <button type="button" onClick={() => pick(folder)}>
              {displayName(folder)}
              {folder.path !== displayName(folder) && <span className="muted"> {folder.path}</span>}
              {props.accounts.length > 1 && (
                <span className="muted"> · {names.get(folder.accountId)}</span>
              )}
            </button>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}

function accountOrder(accounts: AccountSummary[], folder: FolderRow): number {
  return accounts.findIndex((a) => a.id === folder.accountId);
}

function NameField({
  ref,
  value,
  onChange,
  error,
}: {
  ref: Ref<HTMLInputElement>;
  value: string;
  onChange(value: string): void;
  error: string | undefined;
}) {
  return (
    <div className="field">
      <label htmlFor="folder-name">Folder name</label>
      <input
        id="folder-name"
        ref={ref}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'folder-name-error' : undefined}
      />
      {error && (
        <span id="folder-name-error" className="field-hint">
          {error}
        </span>
      )}
    </div>
  );
}

function Actions({ submit, onCancel }: { submit: string; onCancel(): void }) {
  return (
    <div className="actions">
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="primary">
        {submit}
      </button>
    </div>
  );
}

/** What is wrong with a folder name, in words; undefined when it can be used. */
export function nameProblem(name: string, delimiter: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return 'Give the folder a name.';
  if (delimiter && trimmed.includes(delimiter)) {
    return `A folder name cannot contain "${delimiter}" (it separates folders on this server).`;
  }
  // Control characters (CR/LF above all) could never be sent as part of a command.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed))
    return 'A folder name cannot contain control characters.';
  if (/[*%]/.test(trimmed)) return 'A folder name cannot contain * or %.';
  return undefined;
}
