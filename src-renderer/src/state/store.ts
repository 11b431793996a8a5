/** UI state only (never mail data: that lives in the cache). */
import { create } from 'zustand';
import type { HostState } from '../bridge/websocket-bridge.ts';

interface UiState {
  /** Whether this window is attached to Petrel's core as the one UI (always so in Electron). */
  hostState: HostState;
  setHostState(state: HostState): void;
}

export const useUiStore = create<UiState>()((set) => ({
  hostState: 'connecting',
  setHostState: (hostState) => set({ hostState }),
}));
