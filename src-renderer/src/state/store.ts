/** UI state only (never mail data: that lives in the cache). */
import { create } from 'zustand';
import type { AccountStatus } from '#shared/accounts';
import type { HostState } from '../bridge/websocket-bridge.ts';

interface UiState {
  /** Whether this window is attached to Petrel's core as the one UI (always so in Electron). */
  hostState: HostState;
  /** The folder shown in the message list. */
  selectedFolderId: string | undefined;
  /** The account being edited, 'new' while adding one, undefined otherwise. */
  editingAccount: string | 'new' | undefined;
  /** Connection and sync state per account id, as main reports it. */
  accountStatus: Record<string, AccountStatus>;
  /** The cache stopped applying changes (shown until the next start). */
  cacheError: string | undefined;
  /** Offline copies: text parts saved in this round of the prefetch, of those missing. */
  offlineProgress: { saved: number; missing: number } | undefined;
  setOfflineProgress(progress: { saved: number; missing: number }): void;
  setHostState(state: HostState): void;
  selectFolder(folderId: string): void;
  editAccount(accountId: string | 'new' | undefined): void;
  setAccountStatus(status: AccountStatus): void;
  setCacheError(message: string): void;
}

export const useUiStore = create<UiState>()((set) => ({
  hostState: 'connecting',
  selectedFolderId: undefined,
  editingAccount: undefined,
  accountStatus: {},
  cacheError: undefined,
  offlineProgress: undefined,
  setOfflineProgress: (offlineProgress) => set({ offlineProgress }),
  setHostState: (hostState) => set({ hostState }),
  selectFolder: (selectedFolderId) => set({ selectedFolderId }),
  editAccount: (editingAccount) => set({ editingAccount }),
  setAccountStatus: (status) =>
    set((s) => ({ accountStatus: { ...s.accountStatus, [status.accountId]: status } })),
  setCacheError: (cacheError) => set({ cacheError }),
}));
