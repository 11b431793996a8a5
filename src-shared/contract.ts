/**
 * The one contract between the renderer and the main process.
 *
 * `PetrelApi` is every call the renderer may make (renderer → main), `PetrelEvents` every push
 * (main → renderer). Both hosts (Electron IPC and the browser-mode WebSocket) carry exactly this.
 * Adding a call: one line in `PetrelApi`; the compiler then points at every other place that must
 * know it (the method list below, its argument schema in validation.ts, the implementations).
 */
import type { AccountSummary, AppInfo } from './dto.ts';

export interface PetrelApi {
  /** Name, version and host of the running app. */
  getAppInfo(): Promise<AppInfo>;
  /** The configured accounts, in the order the user sees them. */
  listAccounts(): Promise<AccountSummary[]>;
}

export interface PetrelEvents {
  /** The account list changed (added, removed, renamed, reordered). */
  accountsChanged: AccountSummary[];
}

export type ApiMethod = keyof PetrelApi;
export type EventName = keyof PetrelEvents;

/**
 * The names of all calls, checked against `PetrelApi` by the compiler: a missing or extra name does
 * not compile. The preload and the browser bridge build their functions from this list.
 */
const methodNameSet = {
  getAppInfo: true,
  listAccounts: true,
} as const satisfies Record<ApiMethod, true>;
export const API_METHODS = Object.keys(methodNameSet) as ApiMethod[];

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.hasOwn(methodNameSet, name);
}

/**
 * The names of all pushed events, checked against `PetrelEvents` by the compiler: a missing or
 * extra name does not compile.
 */
const eventNameSet = {
  accountsChanged: true,
} as const satisfies Record<EventName, true>;
export const EVENT_NAMES = Object.keys(eventNameSet) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(eventNameSet, name);
}

/** What the renderer holds: every call, plus a subscription that returns its own unsubscribe. */
export type PetrelBridge = PetrelApi & {
  on<K extends EventName>(event: K, listener: (payload: PetrelEvents[K]) => void): () => void;
};

/** IPC channel names: `petrel:<method>` for calls, `petrel:event:<name>` for pushes. */
export const callChannel = (method: ApiMethod): string => `petrel:${method}`;
export const eventChannel = (event: EventName): string => `petrel:event:${event}`;
