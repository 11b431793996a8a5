/**
 * Keeps one account mirrored: a *watch* connection that holds INBOX selected and idles on it, and
 * a *work* connection for the folder list and every other folder, polled with cheap LIST-STATUS.
 * Changes of one folder are serialized (a folder lock), so batches and checkpoints never race.
 */
import type { ImapFlow, ListResponse } from 'imapflow';
import type { AccountState, AccountStatus, AccountSummary } from '#shared/accounts';
import { folderIdOf, pathOfFolderId, type FolderRow } from '#shared/mail';
import type { ChangeBatch, Checkpoint } from '#shared/sync';
import {
  permanentFailure,
  transientFailure,
  type FolderTask,
  type MailTask,
  type TaskFailure,
  type TaskResult,
} from '#shared/tasks';
import type { Logger } from '../ports.ts';
import { errorMessage, PetrelError } from '#shared/result';
import { classifyImapError } from '../accounts/connection-errors.ts';
import { downloadParts, type PartsOfMessage } from './body-fetch.ts';
import { trace } from '../trace.ts';
import { createImapClient } from '../imap/imap-client.ts';
import { performFolderTask } from '../tasks/folder-tasks.ts';
import { deleteDraft, saveDraft } from '../tasks/drafts.ts';
import { performOnSelectedFolder } from '../tasks/perform-task.ts';
import {
  FOLDER_GONE,
  SERVER_BUSY,
  SERVER_UNREACHABLE,
  taskFailureOf,
} from '../tasks/task-errors.ts';
import { syncOrder, toFolderRow } from './folder-mapper.ts';
import {
  noPushedChanges,
  syncLiveChanges,
  syncSelectedFolder,
  type FolderContext,
  type PushedChanges,
} from './folder-sync.ts';
import { ManagedConnection, DEFAULT_TIMING, type ConnectionTiming } from './managed-connection.ts';
import { planFolderSync, type ServerAbilities } from './sync-strategy.ts';

export interface AccountSyncOptions {
  account: AccountSummary;
  password: string;
  /** The cache's checkpoints and folder ids of this account (from `attachCache`). */
  checkpoints: Map<string, Checkpoint>;
  cachedFolderIds: Set<string>;
  send(batch: Omit<ChangeBatch, 'id' | 'accountId'>): Promise<void>;
  onStatus(status: AccountStatus): void;
  logger: Logger;
  pollIntervalMs: number;
  liveDebounceMs?: number;
  timing?: ConnectionTiming;
}

const INBOX = 'INBOX';
/** Without CONDSTORE, a live pass is followed by one more this much later. */
const FOLLOW_UP_MS = 1_000;
/** Delay of the status poll that follows a change (debounces bursts of pushes). */
const POLL_SOON_MS = 300;
/** How long a task waits behind other work on its folder or connection before it is put off. */
export const TASK_WAIT_MS = 20_000;

export class AccountSync {
  private readonly watch: ManagedConnection;
  private readonly work: ManagedConnection;
  private readonly folderLocks = new Map<string, Promise<void>>();
  /** Work queued or running under each folder's lock. */
  private readonly lockUsers = new Map<string, number>();
  private folders = new Map<string, FolderRow>();
  private pollTimer: NodeJS.Timeout | undefined;
  private pending: PushedChanges = noPushedChanges();
  private liveTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The watch connection lost pushes: reconnect it once the catch-up is done. */
  private rewatch = false;
  /** Folder syncs running on the work connection (a reader's request does not wait for them). */
  private workSyncs = 0;
  private readonly now: () => number;

  constructor(private readonly opts: AccountSyncOptions) {
    const timing = opts.timing ?? DEFAULT_TIMING;
    this.now = timing.now;
    const name = (purpose: string) => `${opts.account.email} (${purpose})`;
    this.watch = new ManagedConnection(
      name('watch'),
      {
        create: () => this.createClient('watch'),
        onReady: (client) => this.onWatchReady(client),
        onDown: (error, wait) => this.onDown(error, wait),
      },
      opts.logger,
      timing,
    );
    this.work = new ManagedConnection(
      name('work'),
      {
        create: () => this.createClient('work'),
        onReady: (client) => this.onWorkReady(client),
        onDown: (error, wait) => this.onDown(error, wait),
      },
      opts.logger,
      timing,
    );
  }

  start(): void {
    this.setStatus('connecting');
    this.watch.start();
    this.work.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.liveTimer);
    clearTimeout(this.pollSoonTimer);
    clearTimeout(this.followUpTimer);
    await Promise.all([this.watch.stop(), this.work.stop()]);
  }

  /** Reconnect both connections now (resume from sleep, network back). */
  wake(): void {
    this.watch.kick();
    this.work.kick();
  }

  /**
   * Fetches parts of messages of one folder and stores them in the cache (resolves once it has
   * them). Someone waiting must not queue behind a long folder sync: INBOX parts come over the
   * watch connection (INBOX is selected there), others over the work connection when it is free,
   * else over a short-lived connection of their own. Prefetch always waits its turn on work.
   */
  async loadParts(path: string, messages: PartsOfMessage[], background: boolean): Promise<void> {
    const watch = this.watch.current;
    const work = this.work.current;
    if (!watch && !work) {
      throw new PetrelError(
        'unavailable',
        `Petrel cannot reach the server of ${this.opts.account.email} right now, and this message is not saved for offline reading yet.`,
      );
    }
    let bodies;
    try {
      if (!background && path === INBOX && watch)
        bodies = await this.downloadOn(watch, path, messages);
      else if (background || (work && this.workSyncs === 0)) {
        bodies = await this.downloadOn((work ?? watch) as ImapFlow, path, messages);
      } else bodies = await this.downloadOnOwnConnection(path, messages);
    } catch (error) {
      // In words the reader can show (imapflow says "Connection not available").
      throw new PetrelError(
        'unavailable',
        `The server of ${this.opts.account.email} did not send this message (${errorMessage(error)}). Petrel reconnects by itself; try again in a moment.`,
      );
    }
    if (bodies.length)
      await this.opts.send({ folderId: folderIdOf(this.opts.account.id, path), bodies });
  }

  private async downloadOn(client: ImapFlow, path: string, messages: PartsOfMessage[]) {
    const lock = await client.getMailboxLock(path);
    try {
      return await downloadParts(client, messages);
    } finally {
      lock.release();
      if (client !== this.watch.current) await leaveFolder(client);
    }
  }

  private async downloadOnOwnConnection(path: string, messages: PartsOfMessage[]) {
    const client = this.createClient('work');
    client.on('error', () => {});
    await client.connect();
    try {
      return await this.downloadOn(client, path, messages);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /**
   * Carries out a task on the work connection, under its folder's lock. Never throws: a connection
   * that is down fails at once, as transient (the renderer keeps the task and tries again later),
   * and so does waiting more than TASK_WAIT_MS behind a folder sync. Transfers to another account
   * are the engine's (they need both accounts).
   */
  async performTask(task: MailTask): Promise<TaskResult> {
    let result: TaskResult;
    switch (task.type) {
      case 'transferMessages':
        return permanentFailure('a transfer to another account needs both accounts');
      case 'sendMessage':
        return permanentFailure('sending is the engine’s (it needs the SMTP server)');
      case 'saveDraft':
        return saveDraft(this, task);
      case 'deleteDraft':
        return deleteDraft(this, task);
      case 'createFolder':
      case 'renameFolder':
      case 'deleteFolder':
        result = await this.onConnection(lockKeyOf(task), `task ${task.type}`, (client) =>
          performFolderTask(client, task),
        );
        break;
      default:
        result = await this.onFolder(pathOfFolderId(task.folderId), `task ${task.type}`, (client) =>
          performOnSelectedFolder(client, task),
        );
    }
    // Unread counts come from the folders' status, and a move or a folder task changes more
    // than one folder: poll them all soon.
    if (result.ok) this.pollSoon();
    return result;
  }

  /** The account's folders as last listed (empty until the work connection listed them). */
  folderRows(): FolderRow[] {
    return [...this.folders.values()];
  }

  /**
   * Runs a step of a task on the work connection with `path` selected, under the folder's lock
   * (so it never interleaves with a sync of that folder) and imapflow's mailbox lock. Never
   * throws: errors become failures (`taskFailureOf`, with `folderGone` for a missing folder).
   */
  onFolder<R extends { ok: true } | TaskFailure>(
    path: string,
    description: string,
    step: (client: ImapFlow) => Promise<R>,
    folderGone?: string,
  ): Promise<R | TaskFailure> {
    return this.onWork(path, path, {}, description, step, folderGone);
  }

  /**
   * Like `onFolder`, with the folder examined (read-only): the server step of search and the
   * header fetch of what it found (`core/search/server-search.ts`) change nothing on the server.
   */
  onFolderReadOnly<R extends { ok: true } | TaskFailure>(
    path: string,
    description: string,
    step: (client: ImapFlow) => Promise<R>,
  ): Promise<R | TaskFailure> {
    return this.onWork(path, path, { readOnly: true }, description, step);
  }

  /** Whether the work connection is up: steps that need the server fail at once when not. */
  get connected(): boolean {
    return this.work.current !== undefined;
  }

  /** The folder at `path` as last listed (undefined before the first listing). */
  folderAt(path: string): FolderRow | undefined {
    return this.folders.get(path);
  }

  /** Sends changes of this account to the cache; resolves once they are committed there. */
  sendToCache(batch: Omit<ChangeBatch, 'id' | 'accountId'>): Promise<void> {
    return this.opts.send(batch);
  }

  /**
   * Runs a step that needs the connection but no folder of its own (folder tasks). It holds
   * imapflow's lock with INBOX examined (read-only), which keeps every other user of the work
   * connection — folder syncs, body downloads — from having a folder selected meanwhile: renaming
   * or deleting a folder a session has selected ends that session on some servers.
   */
  private onConnection<R extends { ok: true } | TaskFailure>(
    lockKey: string,
    description: string,
    step: (client: ImapFlow) => Promise<R>,
  ): Promise<R | TaskFailure> {
    return this.onWork(lockKey, INBOX, { readOnly: true }, description, step);
  }

  private async onWork<R extends { ok: true } | TaskFailure>(
    lockKey: string,
    path: string,
    lockOptions: { readOnly?: boolean },
    description: string,
    step: (client: ImapFlow) => Promise<R>,
    folderGone?: string,
  ): Promise<R | TaskFailure> {
    const client = this.work.current;
    if (!client) return transientFailure(SERVER_UNREACHABLE);
    let gaveUp = false;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<TaskFailure>((resolve) => {
      timer = setTimeout(() => {
        gaveUp = true;
        resolve(transientFailure(SERVER_BUSY));
      }, TASK_WAIT_MS);
    });
    const run = this.withFolderLock(lockKey, async (): Promise<R | TaskFailure> => {
      if (gaveUp) return transientFailure(SERVER_BUSY);
      // From here imapflow's own lock timeout bounds the wait.
      clearTimeout(timer);
      if (client !== this.work.current) return transientFailure(SERVER_UNREACHABLE);
      let lock;
      try {
        lock = await client.getMailboxLock(path, {
          ...lockOptions,
          acquireTimeout: TASK_WAIT_MS,
          description,
        });
      } catch (error) {
        // Not every server says NONEXISTENT when SELECT names no folder (Dovecot 2.3 does not).
        if (client.usable && (await isMissing(client, path))) {
          return permanentFailure(folderGone ?? FOLDER_GONE);
        }
        return taskFailureOf(error, client.usable, folderGone);
      }
      try {
        return await step(client);
      } catch (error) {
        return taskFailureOf(error, client.usable, folderGone);
      } finally {
        // Left before the lock goes: the next holder may already have selected its own folder.
        await leaveFolder(client).catch(() => {});
        lock.release();
      }
    });
    try {
      return await Promise.race([run, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private createClient(purpose: 'watch' | 'work'): ImapFlow {
    return createImapClient(this.opts.account, this.opts.password, purpose);
  }

  // ---- watch connection: INBOX, live ----

  private async onWatchReady(client: ImapFlow): Promise<void> {
    const folder = this.folders.get(INBOX) ?? inboxRow(this.opts.account.id);
    let live = false;
    this.pending = noPushedChanges();
    collectPushedChanges(
      client,
      INBOX,
      () => this.pending,
      () => {
        if (live) this.scheduleLiveSync(client);
      },
    );
    trace('watch connection ready');
    await this.withFolderLock(INBOX, async () => {
      await client.mailboxOpen(INBOX, this.qresyncParams(client, folder.id));
      trace('INBOX selected');
      const pushed = this.pending;
      this.pending = noPushedChanges();
      await syncSelectedFolder(this.folderContext(client, folder), pushed);
    });
    live = true;
    // Whatever arrived while the first pass ran is picked up now.
    this.scheduleLiveSync(client);
    this.setStatus('idle');
  }

  private scheduleLiveSync(client: ImapFlow): void {
    clearTimeout(this.liveTimer);
    this.liveTimer = setTimeout(
      () => void this.runLiveSync(client),
      this.opts.liveDebounceMs ?? 15,
    );
  }

  private async runLiveSync(client: ImapFlow): Promise<void> {
    if (this.stopped || client !== this.watch.current) return;
    const folder = this.folders.get(INBOX) ?? inboxRow(this.opts.account.id);
    try {
      await this.withFolderLock(INBOX, async () => {
        const pushed = this.pending;
        this.pending = noPushedChanges();
        await syncLiveChanges(this.folderContext(client, folder), pushed);
      });
      // The unread counts (sidebar, title) come from the folders' status: ask for it soon
      // rather than at the next poll.
      this.pollSoon();
      this.followUpWithoutModseqs(client);
      if (this.rewatch) {
        this.rewatch = false;
        this.watch.kick();
      }
    } catch (error) {
      // A connection that went away meanwhile (or was replaced) is already being rebuilt.
      if (this.stopped || client !== this.watch.current) return;
      this.opts.logger.warn('live INBOX sync failed; reconnecting', { error: String(error) });
      client.close();
    }
  }

  private followUpTimer: NodeJS.Timeout | undefined;
  private followingUp = false;

  /**
   * Without CONDSTORE, a push that arrived while the pass ran may have been swallowed (see
   * syncLiveChanges): one more pass a moment later compares again. That pass does not call for
   * another, so a quiet folder goes quiet.
   */
  private followUpWithoutModseqs(client: ImapFlow): void {
    if (abilitiesOf(client).condstore) return;
    if (this.followingUp) {
      this.followingUp = false;
      return;
    }
    clearTimeout(this.followUpTimer);
    this.followUpTimer = setTimeout(() => {
      if (this.stopped || client !== this.watch.current) return;
      this.followingUp = true;
      this.scheduleLiveSync(client);
    }, FOLLOW_UP_MS);
    this.followUpTimer.unref();
  }

  // ---- work connection: folder list and every other folder ----

  private async onWorkReady(client: ImapFlow): Promise<void> {
    await this.pollFolders(client);
    clearInterval(this.pollTimer);
    this.pollTimer = setInterval(() => {
      if (client === this.work.current) void this.pollFolders(client).catch(() => client.close());
    }, this.opts.pollIntervalMs);
    this.pollTimer.unref();
  }

  private polling: Promise<void> | undefined;
  private pollSoonTimer: NodeJS.Timeout | undefined;

  /** A poll once the one under way is done: it may have listed the folders before a change. */
  private pollAgain = false;

  /**
   * A poll shortly (debounced): after changes here or pushed by the server, counts move, and after
   * a task the folders it touched (the target of a move, a renamed folder) sync within a second.
   */
  pollSoon(): void {
    clearTimeout(this.pollSoonTimer);
    this.pollSoonTimer = setTimeout(() => {
      const client = this.work.current;
      if (!client || this.stopped) return;
      if (this.polling) {
        this.pollAgain = true;
        return;
      }
      // Not a check for lost pushes: right after a change the cache may not hold it yet.
      void this.pollFolders(client, false).catch(() => client.close());
    }, POLL_SOON_MS);
    this.pollSoonTimer.unref();
  }

  /** One poll: LIST (+STATUS), folder changes, then a sync of each folder whose status moved. */
  private pollFolders(client: ImapFlow, checkInbox = true): Promise<void> {
    this.polling ??= this.doPoll(client, checkInbox).finally(() => {
      this.polling = undefined;
      if (this.pollAgain) {
        this.pollAgain = false;
        this.pollSoon();
      }
    });
    return this.polling;
  }

  private async doPoll(client: ImapFlow, checkInbox: boolean): Promise<void> {
    trace(`${this.opts.account.email}: poll`);
    // STATUS of a selected folder reports the session's view of it, refreshed only by a command
    // like NOOP: left selected (no UNSELECT), changes to it would go unseen.
    if (client.mailbox) await client.noop();
    if (!client.usable) return;
    const listed = await listFolders(client);
    await this.applyFolderList(client, listed);
    const abilities = abilitiesOf(client);
    if (checkInbox) this.catchUpInboxIfMoved(listed.get(INBOX), abilities);
    const changed = [...this.folders.values()]
      .filter((folder) => folder.selectable && folder.path !== INBOX)
      .filter((folder) => this.statusMoved(folder, listed.get(folder.path), abilities))
      .sort(syncOrder);
    trace(`${this.opts.account.email}: ${changed.length} folders changed`);
    for (const folder of changed) {
      if (this.stopped || client !== this.work.current) return;
      await this.syncFolderOnWork(client, folder);
    }
    if (this.watch.current) this.setStatus('idle');
  }

  /**
   * INBOX is the watch connection's, but its status comes with every poll anyway. If it moved past
   * what the cache holds with no push to show for it, pushes were lost (seen under load: after
   * unsolicited FETCHes arrived during a FETCH of ours, imapflow reported no flag change on that
   * connection again), so the live path asks the server (CHANGEDSINCE) instead of trusting pushes.
   */
  private catchUpInboxIfMoved(entry: ListResponse | undefined, abilities: ServerAbilities) {
    const inbox = this.folders.get(INBOX);
    const watch = this.watch.current;
    const checkpoint = inbox && this.opts.checkpoints.get(inbox.id);
    if (!inbox || !watch || !checkpoint) return;
    // Not while INBOX is being synced (its first sync walking down, or any pass under way): the
    // cache lags the server then by design, and a needless reconnect would itself lose pushes.
    if ((checkpoint.backfillBelow ?? 0) > 1 || (this.lockUsers.get(INBOX) ?? 0) > 0) return;
    if (!this.statusMoved(inbox, entry, abilities)) return;
    trace(`${this.opts.account.email}: INBOX moved without a push; asking the server`);
    this.pending.unknownFlags = true;
    // After catching up, start the watch connection afresh so that pushes work again.
    this.rewatch = true;
    this.scheduleLiveSync(watch);
  }

  private async applyFolderList(
    client: ImapFlow,
    listed: Map<string, ListResponse>,
  ): Promise<void> {
    const rows = [...listed.values()].map((entry) =>
      toFolderRow(entry, this.opts.account.id, client.namespaces),
    );
    const next = new Map(rows.map((row) => [row.path, row]));
    const known = new Set([
      ...this.opts.cachedFolderIds,
      ...[...this.folders.values()].map((f) => f.id),
    ]);
    const keepIds = new Set(rows.map((row) => row.id));
    const remove = [...known].filter((id) => !keepIds.has(id));
    const put = rows.filter((row) => !sameFolder(row, this.folders.get(row.path)));
    this.folders = next;
    for (const id of remove) this.opts.checkpoints.delete(id);
    this.opts.cachedFolderIds = keepIds;
    if (put.length || remove.length) await this.opts.send({ folders: { put, remove } });
  }

  private statusMoved(
    folder: FolderRow,
    entry: ListResponse | undefined,
    abilities: ServerAbilities,
  ) {
    const status = entry?.status;
    const checkpoint = this.opts.checkpoints.get(folder.id);
    if (!status || status.uidValidity === undefined || status.uidNext === undefined) return true;
    const server = {
      uidValidity: Number(status.uidValidity),
      uidNext: status.uidNext,
      messages: status.messages ?? 0,
      ...(status.highestModseq !== undefined
        ? { highestModseq: status.highestModseq.toString() }
        : {}),
    };
    const plan = planFolderSync(checkpoint, server, abilities, this.now());
    return plan.type !== 'none' || plan.backfill;
  }

  private async syncFolderOnWork(client: ImapFlow, folder: FolderRow): Promise<void> {
    const pushed = noPushedChanges();
    const stopCollecting = collectPushedChanges(client, folder.path, () => pushed);
    this.workSyncs++;
    try {
      await this.withFolderLock(folder.path, async () => {
        const qresync = this.qresyncParams(client, folder.id);
        const alreadyOpen = client.mailbox && client.mailbox.path === folder.path;
        const lock = await client.getMailboxLock(folder.path, qresync);
        try {
          // QRESYNC reports expunges only on SELECT: select again if it was already open.
          if (alreadyOpen) await client.mailboxOpen(folder.path, qresync);
          await syncSelectedFolder(this.folderContext(client, folder), pushed);
        } finally {
          lock.release();
        }
        await leaveFolder(client);
      });
    } finally {
      this.workSyncs--;
      stopCollecting();
    }
  }

  // ---- shared ----

  private folderContext(client: ImapFlow, folder: FolderRow): FolderContext {
    const checkpoints = this.opts.checkpoints;
    return {
      client,
      folder,
      abilities: abilitiesOf(client),
      checkpoint: checkpoints.get(folder.id),
      send: (batch) => this.opts.send(batch),
      onCheckpoint: (checkpoint) => {
        if (checkpoint) checkpoints.set(folder.id, checkpoint);
        else checkpoints.delete(folder.id);
      },
      seenModseq: 0n,
      onProgress: (done) =>
        this.setStatus('syncing', { done, total: client.mailbox ? client.mailbox.exists : done }),
      now: this.now,
    };
  }

  private qresyncParams(client: ImapFlow, folderId: string) {
    const checkpoint = this.opts.checkpoints.get(folderId);
    if (!checkpoint?.highestModseq || !client.enabled.has('QRESYNC')) return {};
    return { changedSince: checkpoint.highestModseq, uidValidity: checkpoint.uidValidity };
  }

  private async withFolderLock<T>(path: string, work: () => Promise<T>): Promise<T> {
    const previous = this.folderLocks.get(path) ?? Promise.resolve();
    this.lockUsers.set(path, (this.lockUsers.get(path) ?? 0) + 1);
    const run = previous.then(work, work);
    const settled = run.then(
      () => {},
      () => {},
    );
    this.folderLocks.set(path, settled);
    void settled.then(() => this.lockUsers.set(path, (this.lockUsers.get(path) ?? 1) - 1));
    return run;
  }

  private onDown(error: Error | undefined, retryInMs: number): boolean {
    if (this.stopped) return false;
    if (!error) {
      this.setStatus(
        'offline',
        undefined,
        `Connection lost. Trying again in ${seconds(retryInMs)} s.`,
      );
      return true;
    }
    const problem = classifyImapError(error, this.opts.account.imap, this.opts.account.username);
    // A refused password stays refused: retrying would only risk locking the account.
    if (problem.kind === 'auth-failed') {
      this.setStatus('error', undefined, problem.message);
      return false;
    }
    this.setStatus(
      'offline',
      undefined,
      `${problem.message} Trying again in ${seconds(retryInMs)} s.`,
    );
    return true;
  }

  private setStatus(state: AccountState, progress?: AccountStatus['progress'], message?: string) {
    if (this.stopped) return;
    const status: AccountStatus = { accountId: this.opts.account.id, state, since: this.now() };
    if (progress) status.progress = progress;
    if (message) status.message = message;
    this.opts.onStatus(status);
  }
}

/**
 * Leaves the selected folder on the work connection, so that between polls nothing is selected:
 * STATUS then always reports the server's state, and a folder renamed or deleted elsewhere does
 * not end the session (Dovecot says BYE to a session whose selected folder is renamed).
 * UNSELECT (RFC 3691) through imapflow's CLOSE command with its `unselect` option; never CLOSE
 * itself, which would expunge messages flagged \Deleted behind the user's back.
 */
async function leaveFolder(client: ImapFlow): Promise<void> {
  if (!client.mailbox || !client.capabilities.has('UNSELECT')) return;
  const internal = client as unknown as {
    run?: (command: 'CLOSE', options: { unselect: true }) => Promise<unknown>;
  };
  if (typeof internal.run === 'function')
    await internal.run.call(client, 'CLOSE', { unselect: true });
}

/** Whether LIST knows no folder `path` (false when it cannot tell). */
async function isMissing(client: ImapFlow, path: string): Promise<boolean> {
  try {
    const listed = await client.list();
    return !listed.some(
      (f) => f.path === path && ![...f.flags].some((x) => x.toLowerCase() === '\\nonexistent'),
    );
  } catch {
    return false;
  }
}

/** Folder tasks queue behind work on the folder they change (a folder's path, or a new one). */
function lockKeyOf(task: FolderTask): string {
  return task.type === 'createFolder' ? task.path : pathOfFolderId(task.folderId);
}

function seconds(ms: number): number {
  return Math.max(1, Math.round(ms / 1000));
}

function inboxRow(accountId: string): FolderRow {
  return {
    id: folderIdOf(accountId, INBOX),
    accountId,
    path: INBOX,
    name: 'Inbox',
    delimiter: '/',
    role: 'inbox',
    namespace: 'personal',
    subscribed: true,
    selectable: true,
    messages: 0,
    unseen: 0,
  };
}

async function listFolders(client: ImapFlow): Promise<Map<string, ListResponse>> {
  const statusQuery = {
    messages: true,
    unseen: true,
    uidNext: true,
    uidValidity: true,
    ...(client.enabled.has('CONDSTORE') ? { highestModseq: true } : {}),
  };
  const entries = await client.list({ statusQuery });
  return new Map(entries.map((entry) => [entry.path, entry]));
}

function abilitiesOf(client: ImapFlow): ServerAbilities {
  return { condstore: client.enabled.has('CONDSTORE'), qresync: client.enabled.has('QRESYNC') };
}

function sameFolder(a: FolderRow, b: FolderRow | undefined): boolean {
  return b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Records what the server pushes for `path` (flags, expunges, new mail) into the current
 * PushedChanges; returns the function that stops listening.
 */
function collectPushedChanges(
  client: ImapFlow,
  path: string,
  target: () => PushedChanges,
  onChange?: () => void,
): () => void {
  const onFlags = (event: { path: string; uid?: number; flags?: Set<string>; modseq?: bigint }) => {
    if (event.path !== path) return;
    const changes = target();
    if (event.uid === undefined || !event.flags) changes.unknownFlags = true;
    else changes.flags.set(event.uid, [...event.flags]);
    if (event.modseq !== undefined && event.modseq > changes.highestModseq) {
      changes.highestModseq = event.modseq;
    }
    onChange?.();
  };
  const onExpunge = (event: { path: string; uid?: number }) => {
    if (event.path !== path) return;
    if (event.uid === undefined) target().unknownExpunge = true;
    else target().vanished.add(event.uid);
    onChange?.();
  };
  const onExists = (event: { path: string }) => {
    if (event.path === path) onChange?.();
  };
  client.on('flags', onFlags);
  client.on('expunge', onExpunge);
  client.on('exists', onExists);
  return () => {
    client.off('flags', onFlags);
    client.off('expunge', onExpunge);
    client.off('exists', onExists);
  };
}
