/**
 * The one contract between the renderer and the main process.
 *
 * `PetrelApi` is every call the renderer may make (renderer → main), `PetrelEvents` every push
 * (main → renderer). Both hosts (Electron IPC and the browser-mode WebSocket) carry exactly this.
 * Adding a call: one line in `PetrelApi`; the compiler then points at every other place that must
 * know it (the method list below, its argument schema in validation.ts, the implementations).
 */
import type {
  AccountInput,
  AccountStatus,
  AccountSummary,
  ConnectionTestResult,
} from './accounts.ts';
import type { AppInfo, MailtoHandlerState, SmtpSizeLimit } from './dto.ts';
import type { PartRequest } from './mail.ts';
import type {
  LoadMessagesRequest,
  ServerSearchRequest,
  ServerSearchResult,
} from './server-search.ts';
import type { CacheState, ChangeBatch } from './sync.ts';
import type { MailTask, TaskResult } from './tasks.ts';

export interface PetrelApi {
  /** Name, version and host of the running app. */
  getAppInfo(): Promise<AppInfo>;
  /** The configured accounts, in the order the user sees them. */
  listAccounts(): Promise<AccountSummary[]>;
  /** Tries IMAP and SMTP with these settings (the stored password of `accountId` if none given). */
  testConnection(input: AccountInput, accountId?: string): Promise<ConnectionTestResult>;
  addAccount(input: AccountInput): Promise<AccountSummary>;
  updateAccount(accountId: string, input: AccountInput): Promise<AccountSummary>;
  /** Removes the account, its secret, and (through a batch) its cache. */
  removeAccount(accountId: string): Promise<void>;
  /** The renderer's cache is ready: what it holds. Sync starts (or resumes) from here. */
  attachCache(state: CacheState): Promise<void>;
  /** A batch and its checkpoint are committed in the cache. */
  ackBatch(batchId: number): Promise<void>;
  /**
   * Fetches MIME parts into the cache; resolves once they are there. `background` for prefetch
   * (yields to everything else); otherwise someone is waiting for it.
   */
  loadParts(requests: PartRequest[], background?: boolean): Promise<void>;
  /** The network came back (or the machine woke up): reconnect every account now. */
  reconnectNow(): Promise<void>;
  /**
   * Carries out one queued task on the server. Resolves with how it went, failures included:
   * a permanent one is to be undone locally, a transient one tried again later.
   */
  performTask(task: MailTask): Promise<TaskResult>;
  /** Unread mail in the inboxes: the dock/launcher badge shows it (where the desktop has one). */
  setUnreadCount(count: number): Promise<void>;
  /** Whether Petrel is (and can be) the system's handler of `mailto:` links. */
  mailtoHandler(): Promise<MailtoHandlerState>;
  /** Makes Petrel the system's `mailto:` handler, or stops being it (the desktop app only). */
  setMailtoHandler(on: boolean): Promise<MailtoHandlerState>;
  /** The `mailto:` URLs the system handed to Petrel since the last call (oldest first). */
  takeMailto(): Promise<string[]>;
  /**
   * Opens the composer in a window of its own for the local draft `draftId` (saved in the cache
   * first). False where the host has no windows to open (browser mode: the composer is a panel).
   */
  openComposerWindow(draftId: string): Promise<boolean>;
  /** The largest message the account's SMTP server takes (EHLO SIZE; learned once, cached). */
  smtpSizeLimit(accountId: string): Promise<SmtpSizeLimit>;
  /**
   * The server step of search: runs the query as IMAP SEARCH on these folders of one account and
   * says which UIDs matched, per folder. Fails as `unavailable` while the account is offline.
   */
  searchServer(request: ServerSearchRequest): Promise<ServerSearchResult>;
  /**
   * Fetches the list rows (headers, no bodies) of these UIDs of one folder into the cache;
   * resolves with how many arrived, once they are there. The folder's checkpoint does not move.
   */
  loadMessages(request: LoadMessagesRequest): Promise<number>;
}

export interface PetrelEvents {
  /** The account list changed (added, removed, renamed, reordered). */
  accountsChanged: AccountSummary[];
  /** Connection and sync state of one account. */
  accountStatus: AccountStatus;
  /** Changes for the cache; apply, then `ackBatch(id)`. */
  changeBatch: ChangeBatch;
  /** The system handed Petrel a `mailto:` link: `takeMailto()` has it. */
  mailtoWaiting: Record<string, never>;
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
  testConnection: true,
  addAccount: true,
  updateAccount: true,
  removeAccount: true,
  attachCache: true,
  ackBatch: true,
  loadParts: true,
  reconnectNow: true,
  performTask: true,
  setUnreadCount: true,
  mailtoHandler: true,
  setMailtoHandler: true,
  takeMailto: true,
  openComposerWindow: true,
  smtpSizeLimit: true,
  searchServer: true,
  loadMessages: true,
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
  accountStatus: true,
  changeBatch: true,
  mailtoWaiting: true,
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
