/** UI state only (never mail data: that lives in the cache). */
import type { DraftContent } from '#shared/compose';
import { create } from 'zustand';
import type { AccountStatus } from '#shared/accounts';
import type { HostMode } from '#shared/dto';
import type { HostState } from '../bridge/websocket-bridge.ts';
import { UNIFIED, type ListSource } from '../cache/list-queries.ts';

/** The list's selection: what is selected, where the keyboard cursor is, where a range starts. */
export interface Selection {
  ids: string[];
  /** The message the reader shows and the arrows move from. */
  focusId: string | undefined;
  /** The focused line's position when it was focused (positions shift as mail arrives). */
  focusIndex?: number;
  /** Shift-click and Shift+arrow extend from here. */
  anchorId?: string;
  anchorIndex?: number;
}

export const NO_SELECTION: Selection = { ids: [], focusId: undefined };

/** The last change that can be undone: what the bar says, and the tasks to undo. */
export interface UndoEntry {
  label: string;
  taskIds: number[];
  /** ms since epoch: the bar goes away a few seconds later. */
  at: number;
  /** How long the bar stays (ms). */
  forMs?: number;
  /** Runs when every task was taken back before main had it (undo send: back to the composer). */
  whenCancelled?: () => void;
}

/** What the composer holds; also what a local draft saves (`cache/db.ts` DraftRow). */
export type ComposerDraft = DraftContent;

/** A dialog that asks for a folder name or a confirmation. */
export type FolderDialog =
  | { kind: 'create'; accountId: string; parentPath?: string; delimiter: string }
  | { kind: 'rename'; folderId: string }
  | { kind: 'delete'; folderId: string }
  | { kind: 'move'; rowIds: string[] }
  | { kind: 'deleteForGood'; rowIds: string[] };

/** Where a search looks: every account, or the folder the list shows. */
export type SearchScope = 'all' | 'folder';

/** The server step of one search (`features/search/server-step.ts`), for the query it ran. */
export interface ServerSearchState {
  /** The search it belongs to (`searchKey`): a new query leaves it behind. */
  key: string;
  running: boolean;
  /** Folders searched so far, of how many. */
  progress: { done: number; total: number };
  /** Row ids of what the server found, in the cache (fetched there when missing). */
  found: string[];
  /** What could not be searched, and why; what the translation approximates. */
  notes: string[];
}

const THREADED_KEY = 'petrel.threaded';
const MARK_READ_KEY = 'petrel.markReadOnOpen';
const UNDO_SEND_KEY = 'petrel.undoSendSeconds';

interface UiState {
  /** Whether this window is attached to Petrel's core as the one UI (always so in Electron). */
  hostState: HostState;
  /** Desktop app or browser mode, once known. */
  hostMode: HostMode | undefined;
  /** What the message list shows: a folder, or every account's INBOX. */
  source: ListSource;
  /** The search field; while it holds a query, the list shows what it finds. */
  search: { text: string; scope: SearchScope };
  setSearch(search: Partial<{ text: string; scope: SearchScope }>): void;
  serverSearch: ServerSearchState | undefined;
  setServerSearch(state: ServerSearchState | undefined): void;
  selection: Selection;
  /** Conversations (threads) or single messages. */
  threaded: boolean;
  /** The keyboard shortcut help is open. */
  helpOpen: boolean;
  /** The message being written, if the composer is open. */
  composer: ComposerDraft | undefined;
  outboxOpen: boolean;
  /** The change the undo bar offers to take back. */
  undo: UndoEntry | undefined;
  folderDialog: FolderDialog | undefined;
  /** Rows the user just moved away: when the focused one goes, the focus moves on to the next. */
  leaving: string[];
  settingsOpen: boolean;
  /** Opening a message marks it read (a setting). */
  markReadOnOpen: boolean;
  /** Seconds a sent message waits, so that Undo can still take it back (a setting). */
  undoSendSeconds: number;
  setUndoSendSeconds(seconds: number): void;
  /** Messages whose remote content the user chose to load (this session). */
  remoteAllowed: Record<string, true>;
  /** The account being edited, 'new' while adding one, undefined otherwise. */
  editingAccount: string | 'new' | undefined;
  /** Connection and sync state per account id, as main reports it. */
  accountStatus: Record<string, AccountStatus>;
  /** A message for the user about something that happened in the background (dismissable). */
  notice: string | undefined;
  /** The cache stopped applying changes (shown until the next start). */
  cacheError: string | undefined;
  /** Offline copies: text parts saved in this round of the prefetch, of those missing. */
  offlineProgress: { saved: number; missing: number } | undefined;
  setOfflineProgress(progress: { saved: number; missing: number }): void;
  setHostState(state: HostState): void;
  setHostMode(mode: HostMode): void;
  selectSource(source: ListSource): void;
  select(selection: Selection): void;
  setThreaded(threaded: boolean): void;
  setHelpOpen(open: boolean): void;
  setUndo(undo: UndoEntry | undefined): void;
  openComposer(draft: ComposerDraft | undefined): void;
  setOutboxOpen(open: boolean): void;
  openFolderDialog(dialog: FolderDialog | undefined): void;
  setLeaving(rowIds: string[]): void;
  setSettingsOpen(open: boolean): void;
  setMarkReadOnOpen(on: boolean): void;
  allowRemote(rowId: string): void;
  editAccount(accountId: string | 'new' | undefined): void;
  setAccountStatus(status: AccountStatus): void;
  setCacheError(message: string): void;
  setNotice(notice: string | undefined): void;
}

export const useUiStore = create<UiState>()((set) => ({
  hostState: 'connecting',
  hostMode: undefined,
  source: UNIFIED,
  search: { text: '', scope: 'all' },
  setSearch: (search) =>
    set((s) => ({ search: { ...s.search, ...search }, selection: NO_SELECTION })),
  serverSearch: undefined,
  setServerSearch: (serverSearch) => set({ serverSearch }),
  selection: NO_SELECTION,
  threaded: readFlag(THREADED_KEY),
  helpOpen: false,
  undo: undefined,
  composer: undefined,
  outboxOpen: false,
  folderDialog: undefined,
  leaving: [],
  settingsOpen: false,
  markReadOnOpen: readFlag(MARK_READ_KEY),
  undoSendSeconds: readNumber(UNDO_SEND_KEY, 5),
  setUndoSendSeconds: (undoSendSeconds) => {
    localStorage.setItem(UNDO_SEND_KEY, String(undoSendSeconds));
    set({ undoSendSeconds });
  },
  remoteAllowed: {},
  editingAccount: undefined,
  accountStatus: {},
  cacheError: undefined,
  notice: undefined,
  offlineProgress: undefined,
  setOfflineProgress: (offlineProgress) => set({ offlineProgress }),
  setHostState: (hostState) => set({ hostState }),
  setHostMode: (hostMode) => set({ hostMode }),
  // Choosing a folder ends a search: the list shows that folder.
  selectSource: (source) =>
    set((s) => ({ source, selection: NO_SELECTION, search: { ...s.search, text: '' } })),
  select: (selection) => set({ selection }),
  setThreaded: (threaded) => {
    localStorage.setItem(THREADED_KEY, threaded ? '1' : '0');
    set({ threaded });
  },
  setHelpOpen: (helpOpen) => set({ helpOpen }),
  setUndo: (undo) => set({ undo }),
  openComposer: (composer) => set({ composer }),
  setOutboxOpen: (outboxOpen) => set({ outboxOpen }),
  openFolderDialog: (folderDialog) => set({ folderDialog }),
  setLeaving: (leaving) => set({ leaving }),
  setSettingsOpen: (settingsOpen) => set({ settingsOpen }),
  setMarkReadOnOpen: (markReadOnOpen) => {
    localStorage.setItem(MARK_READ_KEY, markReadOnOpen ? '1' : '0');
    set({ markReadOnOpen });
  },
  allowRemote: (rowId) => set((s) => ({ remoteAllowed: { ...s.remoteAllowed, [rowId]: true } })),
  editAccount: (editingAccount) => set({ editingAccount }),
  setAccountStatus: (status) =>
    set((s) => ({ accountStatus: { ...s.accountStatus, [status.accountId]: status } })),
  setCacheError: (cacheError) => set({ cacheError }),
  setNotice: (notice) => set({ notice }),
}));

/** A yes/no preference of this window's profile, yes unless turned off. */
function readFlag(key: string): boolean {
  return globalThis.localStorage?.getItem(key) !== '0';
}

function readNumber(key: string, fallback: number): number {
  const value = Number(globalThis.localStorage?.getItem(key) ?? NaN);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}
