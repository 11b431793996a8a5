/**
 * All accounts' syncs, driven by the cache. Nothing runs until the renderer's cache attaches and
 * says what it holds; a new attachment (reload, another tab) restarts every account from the
 * checkpoints it reports, abandoning batches the previous cache never acknowledged.
 */
import type { AccountStatus, AccountSummary } from '#shared/accounts';
import {
  accountIdOfFolderId,
  folderIdOfRowId,
  pathOfFolderId,
  uidOfRowId,
  type PartRequest,
} from '#shared/mail';
import { PetrelError } from '#shared/result';
import type {
  LoadMessagesRequest,
  ServerSearchRequest,
  ServerSearchResult,
} from '#shared/server-search';
import type { CacheState, ChangeBatch, Checkpoint } from '#shared/sync';
import {
  transientFailure,
  type MailTask,
  type SendMessageTask,
  type TaskResult,
} from '#shared/tasks';
import type { EventSink, Logger } from '../ports.ts';
import { sendMessage } from '../send/send-message.ts';
import { createSmtpTransport } from '../smtp/smtp-transport.ts';
import { deleteDraft } from '../tasks/drafts.ts';
import { loadMessages, searchServer } from '../search/server-search.ts';
import { transferMessages, type TransferHooks } from '../tasks/transfer-messages.ts';
import { AccountSync } from './account-sync.ts';
import type { PartsOfMessage } from './body-fetch.ts';
import { BatchChannel } from './batch-channel.ts';
import type { ConnectionTiming } from './managed-connection.ts';

export interface SyncEngineOptions {
  events: EventSink;
  logger: Logger;
  passwordOf(accountId: string): Promise<string | undefined>;
  pollIntervalMs?: number;
  timing?: ConnectionTiming;
  transferHooks?: TransferHooks;
}

export const DEFAULT_POLL_INTERVAL_MS = 30_000;

export class SyncEngine {
  private readonly channel: BatchChannel;
  private readonly syncs = new Map<string, AccountSync>();
  private cache: CacheState | undefined;
  private accounts: AccountSummary[] = [];
  /** Messages sent in this run, by `${accountId} ${Message-ID}` (replays never resend them). */
  private readonly sent = new Set<string>();
  /** Messages being sent now: a second performTask of one waits for no one, it is put off. */
  private readonly sending = new Set<string>();

  constructor(private readonly opts: SyncEngineOptions) {
    this.channel = new BatchChannel(opts.events);
  }

  /** The cache (re)attached: restart every account from what it holds. */
  async attach(state: CacheState, accounts: AccountSummary[]): Promise<void> {
    this.cache = state;
    this.accounts = accounts;
    await this.stopAll();
    this.channel.reset();
    this.forgetRemovedAccounts(state, accounts);
    for (const account of accounts) await this.startAccount(account);
  }

  /** Accounts removed while no cache was attached still have data there: drop it now. */
  private forgetRemovedAccounts(state: CacheState, accounts: AccountSummary[]): void {
    const configured = new Set(accounts.map((a) => a.id));
    const cached = new Set(
      [...state.folderIds, ...Object.keys(state.checkpoints)].map(accountIdOfFolderId),
    );
    for (const accountId of cached) {
      if (!configured.has(accountId))
        void this.send(accountId, { removeAccount: true }).catch(() => {});
    }
  }

  ack(batchId: number): void {
    this.channel.ack(batchId);
  }

  async accountAdded(account: AccountSummary): Promise<void> {
    this.accounts = [...this.accounts.filter((a) => a.id !== account.id), account];
    if (!this.cache) return;
    await this.stopAccount(account.id);
    await this.startAccount(account);
  }

  async accountRemoved(accountId: string): Promise<void> {
    this.accounts = this.accounts.filter((a) => a.id !== accountId);
    await this.stopAccount(accountId);
    if (!this.cache) return;
    for (const folderId of Object.keys(this.cache.checkpoints)) {
      if (folderId.startsWith(`${accountId}:`)) delete this.cache.checkpoints[folderId];
    }
    this.cache.folderIds = this.cache.folderIds.filter((id) => !id.startsWith(`${accountId}:`));
    // Not awaited: with no cache attached the ack would never come; the next attach catches up.
    void this.send(accountId, { removeAccount: true }).catch(() => {});
  }

  /** Fetches message parts into the cache (reader: now; prefetch: in the background). */
  async loadParts(requests: PartRequest[], background: boolean): Promise<void> {
    const byFolder = new Map<string, PartsOfMessage[]>();
    for (const request of requests) {
      const folderId = folderIdOfRowId(request.rowId);
      const list = byFolder.get(folderId) ?? [];
      list.push({ rowId: request.rowId, uid: uidOfRowId(request.rowId), parts: request.parts });
      byFolder.set(folderId, list);
    }
    for (const [folderId, messages] of byFolder) {
      const sync = this.syncs.get(accountIdOfFolderId(folderId));
      if (!sync)
        throw new PetrelError('invalid-argument', 'That message belongs to no account here.');
      await sync.loadParts(pathOfFolderId(folderId), messages, background);
    }
  }

  /** The server step of search, on one account (`core/search/server-search.ts`). */
  searchServer(request: ServerSearchRequest): Promise<ServerSearchResult> {
    const { sync, email } = this.running(request.accountId);
    return searchServer(sync, email, request);
  }

  /** Fetches rows the server step found into the cache (headers only). */
  loadMessages(request: LoadMessagesRequest): Promise<number> {
    const { sync, email } = this.running(accountIdOfFolderId(request.folderId));
    return loadMessages(sync, email, request);
  }

  private running(accountId: string): { sync: AccountSync; email: string } {
    const account = this.accounts.find((a) => a.id === accountId);
    if (!account) throw new PetrelError('invalid-argument', 'That account is not set up here.');
    const sync = this.syncs.get(accountId);
    if (!sync) {
      throw new PetrelError(
        'unavailable',
        `${account.email} is not connected yet: only this computer’s copy was searched.`,
      );
    }
    return { sync, email: account.email };
  }

  /**
   * Carries out a task on its account's server. An account that is configured but not running
   * (no cache attached yet, no password) cannot do it now: a transient failure, kept for later.
   */
  async performTask(task: MailTask): Promise<TaskResult> {
    const sync = this.syncs.get(task.accountId);
    if (!sync) return transientFailure('the account is not connected yet');
    if (task.type === 'sendMessage') return this.sendMessage(sync, task);
    if (task.type !== 'transferMessages') return sync.performTask(task);
    const target = this.syncs.get(task.targetAccountId);
    if (!target) return transientFailure('the account to move to is not connected yet');
    return transferMessages(sync, target, task, this.opts.transferHooks);
  }

  private async sendMessage(sync: AccountSync, task: SendMessageTask): Promise<TaskResult> {
    const account = this.accounts.find((a) => a.id === task.accountId);
    const password = await this.opts.passwordOf(task.accountId);
    if (!account || !password) return transientFailure('the account is not connected yet');
    const key = (messageId: string) => `${task.accountId} ${messageId}`;
    const ours = key(task.message.messageId);
    if (this.sending.has(ours)) return transientFailure('the message is being sent already');
    this.sending.add(ours);
    try {
      return await sendMessage(
        {
          imap: sync,
          smtpServer: account.smtp,
          smtp: async (raw, envelope) => {
            const transport = createSmtpTransport(account, password);
            try {
              const info = await transport.sendMail({ envelope, raw });
              return { rejected: info.rejected.map(String) };
            } finally {
              transport.close();
            }
          },
          removeDraft: async (messageId) => {
            const removed = await deleteDraft(sync, { messageId });
            if (!removed.ok) {
              this.opts.logger.warn('the sent message’s draft stays in Drafts', {
                reason: removed.reason,
              });
            }
          },
          alreadySent: (messageId) => this.sent.has(key(messageId)),
          markSent: (messageId) => this.sent.add(key(messageId)),
        },
        task,
      );
    } finally {
      this.sending.delete(ours);
    }
  }

  /** Resume from sleep, network back: reconnect everything now. */
  wake(): void {
    for (const sync of this.syncs.values()) sync.wake();
  }

  async dispose(): Promise<void> {
    await this.stopAll();
    this.channel.reset();
  }

  private async startAccount(account: AccountSummary): Promise<void> {
    const password = await this.opts.passwordOf(account.id);
    if (!password) {
      this.setStatus({
        accountId: account.id,
        state: 'error',
        message: 'No password is stored for this account.',
        since: Date.now(),
      });
      return;
    }
    const prefix = `${account.id}:`;
    const checkpoints = new Map<string, Checkpoint>(
      Object.entries(this.cache?.checkpoints ?? {}).filter(([id]) => id.startsWith(prefix)),
    );
    const cachedFolderIds = new Set(
      (this.cache?.folderIds ?? []).filter((id) => id.startsWith(prefix)),
    );
    const sync = new AccountSync({
      account,
      password,
      checkpoints,
      cachedFolderIds,
      send: (batch) => this.send(account.id, batch),
      onStatus: (status) => this.setStatus(status),
      logger: this.opts.logger,
      pollIntervalMs: this.opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      ...(this.opts.timing ? { timing: this.opts.timing } : {}),
    });
    this.syncs.set(account.id, sync);
    sync.start();
  }

  private send(accountId: string, batch: Omit<ChangeBatch, 'id' | 'accountId'>): Promise<void> {
    return this.channel.send({ ...batch, accountId });
  }

  private setStatus(status: AccountStatus): void {
    this.opts.events.emit('accountStatus', status);
  }

  private async stopAccount(accountId: string): Promise<void> {
    const sync = this.syncs.get(accountId);
    this.syncs.delete(accountId);
    await sync?.stop();
  }

  private async stopAll(): Promise<void> {
    const all = [...this.syncs.values()];
    this.syncs.clear();
    await Promise.all(all.map((sync) => sync.stop()));
  }
}
