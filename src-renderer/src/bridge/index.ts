/**
 * The renderer's one way to reach the core: Electron's preload bridge when present, otherwise
 * browser mode's WebSocket. No other module knows which transport is in use.
 */
import type { PetrelBridge } from '#shared/contract';
import { useUiStore } from '../state/store.ts';
import { connectWebSocketBridge } from './websocket-bridge.ts';

interface Connection {
  bridge: PetrelBridge;
  /** Makes this tab the one UI (browser mode); a no-op in Electron. */
  takeOver(): void;
}

function connect(): Connection {
  const setHostState = useUiStore.getState().setHostState;
  if (window.petrel) {
    setHostState('active');
    return { bridge: window.petrel, takeOver: () => {} };
  }
  const wsUrl = new URL('/ws', window.location.href);
  wsUrl.search = '';
  wsUrl.searchParams.set('tab', tabId());
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = connectWebSocketBridge(wsUrl.toString(), setHostState);
  if (sessionStorage.getItem(TAKEOVER_FLAG)) {
    sessionStorage.removeItem(TAKEOVER_FLAG);
    ws.takeOver();
  }
  return ws;
}

const TAKEOVER_FLAG = 'petrel:take-over';
const TAB_ID_KEY = 'petrel:tab';

/** This tab's id, kept across its reloads (sessionStorage): a reload is the same tab again. */
function tabId(): string {
  let id = sessionStorage.getItem(TAB_ID_KEY);
  if (!id) {
    id = crypto.randomUUID();
    sessionStorage.setItem(TAB_ID_KEY, id);
  }
  return id;
}

/**
 * Makes this tab the one UI. A displaced tab's socket is already closed, so it reconnects by
 * reloading and takes over as soon as it is connected again.
 */
export function takeOverHere(state: 'elsewhere' | 'displaced'): void {
  if (state === 'elsewhere') {
    getConnection().takeOver();
    return;
  }
  sessionStorage.setItem(TAKEOVER_FLAG, '1');
  window.location.reload();
}

let connection: Connection | undefined;

export function getConnection(): Connection {
  connection ??= connect();
  return connection;
}

export const petrel = (): PetrelBridge => getConnection().bridge;
