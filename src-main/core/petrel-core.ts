/**
 * The host-independent heart of the main process. A host (Electron shell or browser-mode server)
 * creates one core per profile, routes calls into `api` and forwards what it emits.
 */
import type { PetrelApi } from '#shared/contract';
import type { HostMode, MailtoHandlerState } from '#shared/dto';
import { PetrelError } from '#shared/result';
import { permanentFailure } from '#shared/tasks';
import { AccountService, passwordKey } from './accounts/account-service.ts';
import type { DesktopPort, EventSink, Logger } from './ports.ts';
import type { SecretStore } from './secrets/secret-store.ts';
import { SettingsStore } from './settings/settings-store.ts';
import { SmtpSizeLimits } from './smtp/smtp-size.ts';
import { SyncEngine } from './sync/sync-engine.ts';
import type { TransferHooks } from './tasks/transfer-messages.ts';

export interface CoreOptions {
  profileDir: string;
  mode: HostMode;
  version: string;
  events: EventSink;
  logger: Logger;
  secrets: SecretStore;
  /** How often folders other than INBOX are checked (ms). */
  pollIntervalMs?: number;
  desktop?: DesktopPort;
  /** Tests only: a point inside cross-account transfers to stop a server at. */
  transferHooks?: TransferHooks;
}

export interface PetrelCore {
  readonly api: PetrelApi;
  /** Reconnect every account now (resume from sleep, network back). */
  wake(): void;
  /** The system handed over a `mailto:` link (ignored unless it is one). */
  openMailto(url: string): void;
  dispose(): Promise<void>;
}

const NO_MAILTO_HANDLER: MailtoHandlerState = { supported: false, isDefault: false };
/** Longer links are not mail links anyone wrote by hand: refused whole rather than cut. */
const MAILTO_MAX_LENGTH = 64 * 1024;

export function createCore(options: CoreOptions): PetrelCore {
  const settings = new SettingsStore(options.profileDir);
  const secrets = options.secrets;
  const engine = new SyncEngine({
    events: options.events,
    logger: options.logger,
    passwordOf: (id) => secrets.get(passwordKey(id)),
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    ...(options.transferHooks ? { transferHooks: options.transferHooks } : {}),
  });
  const service = new AccountService(settings, secrets, engine, options.events);
  const sizeLimits = new SmtpSizeLimits();

  // mailto: URLs the system handed over, kept until the window takes them (it may still be loading).
  const mailtoWaiting: string[] = [];
  const MAILTO_KEPT = 20;

  const api: PetrelApi = {
    getAppInfo: async () => ({
      name: 'Petrel',
      version: options.version,
      mode: options.mode,
      platform: process.platform,
      secretStorage: options.secrets.kind,
    }),
    listAccounts: () => service.list(),
    testConnection: (input, accountId) => service.test(input, accountId),
    addAccount: (input) => service.add(input),
    updateAccount: (accountId, input) => service.update(accountId, input),
    removeAccount: (accountId) => service.remove(accountId),
    attachCache: async (state) => engine.attach(state, await service.list()),
    ackBatch: async (batchId) => engine.ack(batchId),
    loadParts: (requests, background) => engine.loadParts(requests, background ?? false),
    reconnectNow: async () => engine.wake(),
    setUnreadCount: async (count) => options.desktop?.setUnreadCount(count),
    mailtoHandler: async () => options.desktop?.mailtoHandler() ?? NO_MAILTO_HANDLER,
    setMailtoHandler: async (on) => options.desktop?.setMailtoHandler(on) ?? NO_MAILTO_HANDLER,
    takeMailto: async () => mailtoWaiting.splice(0),
    openComposerWindow: async (draftId) => {
      if (!options.desktop) return false;
      options.desktop.openComposerWindow(draftId);
      return true;
    },
    smtpSizeLimit: async (accountId) => {
      const account = (await service.list()).find((a) => a.id === accountId);
      if (!account) throw new PetrelError('invalid-argument', 'That account is not set up here.');
      const password = await secrets.get(passwordKey(accountId));
      if (!password) return { server: account.smtp.host };
      return sizeLimits.of(account, password);
    },
    searchServer: (request) => engine.searchServer(request),
    loadMessages: (request) => engine.loadMessages(request),
    performTask: async (task) => {
      const accounts = await service.list();
      if (!accounts.some((account) => account.id === task.accountId)) {
        return permanentFailure('the account is no longer set up in Petrel');
      }
      if (
        task.type === 'transferMessages' &&
        !accounts.some((account) => account.id === task.targetAccountId)
      ) {
        return permanentFailure('the account to move to is no longer set up in Petrel');
      }
      return engine.performTask(task);
    },
  };
  return {
    api,
    wake: () => engine.wake(),
    openMailto: (url) => {
      if (!/^mailto:/i.test(url) || url.length > MAILTO_MAX_LENGTH) return;
      mailtoWaiting.push(url);
      mailtoWaiting.splice(0, Math.max(0, mailtoWaiting.length - MAILTO_KEPT));
      options.events.emit('mailtoWaiting', {});
    },
    dispose: () => engine.dispose(),
  };
}
