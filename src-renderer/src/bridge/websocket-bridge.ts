/**
 * The contract over browser mode's WebSocket. Same `PetrelBridge` as the Electron preload, plus
 * the session state that says whether this tab is the one UI allowed to write the cache.
 */
import type { ClientMessage, ServerMessage, SessionState } from '#shared/browser-wire';
import {
  API_METHODS,
  isEventName,
  type EventName,
  type PetrelApi,
  type PetrelBridge,
  type PetrelEvents,
} from '#shared/contract';
import { PetrelError, unwrap, type CallResult } from '#shared/result';

export type HostState = 'connecting' | SessionState | 'disconnected';

export interface WebSocketBridge {
  bridge: PetrelBridge;
  takeOver(): void;
}

type Listener = (payload: unknown) => void;

export function connectWebSocketBridge(
  url: string,
  onHostState: (state: HostState) => void,
): WebSocketBridge {
  const socket = new WebSocket(url);
  const pending = new Map<number, (result: CallResult<unknown>) => void>();
  const listeners = new Map<EventName, Set<Listener>>();
  const opened = new Promise<void>((resolve) => socket.addEventListener('open', () => resolve()));
  let nextId = 1;
  let closed = false;

  onHostState('connecting');
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as ServerMessage;
    if (message.t === 'session') onHostState(message.state);
    else if (message.t === 'result') pending.get(message.id)?.(message.result);
    else if (message.t === 'event' && isEventName(message.event)) {
      for (const listener of listeners.get(message.event) ?? []) listener(message.payload);
    }
    if (message.t === 'result') pending.delete(message.id);
  });
  socket.addEventListener('close', (event) => {
    closed = true;
    for (const resolve of pending.values()) resolve(hostGone());
    pending.clear();
    // 4001: another tab took over; that state was already announced before the close.
    if (event.code !== 4001) onHostState('disconnected');
  });

  const send = (message: ClientMessage) => socket.send(JSON.stringify(message));

  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    await opened;
    if (closed) return unwrap(hostGone());
    const id = nextId++;
    const result = new Promise<CallResult<unknown>>((resolve) => pending.set(id, resolve));
    // JSON turns a trailing `undefined` into null; leave optional arguments out instead.
    while (args.length && args[args.length - 1] === undefined) args = args.slice(0, -1);
    send({ t: 'call', id, method, args });
    return unwrap(await result);
  };

  const calls = Object.fromEntries(
    API_METHODS.map((method) => [method, (...args: unknown[]) => call(method, args)]),
  ) as unknown as PetrelApi;

  const on = <K extends EventName>(event: K, listener: (payload: PetrelEvents[K]) => void) => {
    if (!isEventName(event)) throw new PetrelError('unknown-method', `Unknown event ${event}`);
    const set = listeners.get(event) ?? new Set<Listener>();
    listeners.set(event, set);
    const wrapped: Listener = (payload) => listener(payload as PetrelEvents[K]);
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  };

  return {
    bridge: { ...calls, on },
    takeOver: () => void opened.then(() => send({ t: 'takeover' })),
  };
}

function hostGone(): CallResult<never> {
  return {
    ok: false,
    error: { code: 'unavailable', message: 'Petrel is not running any more. Start it again.' },
  };
}
