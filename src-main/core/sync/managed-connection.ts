/**
 * One long-lived IMAP connection that comes back by itself. imapflow never reconnects: on `close`
 * a new client is built after a backoff delay. A NOOP watchdog catches connections that died
 * silently (server killed, laptop asleep, NAT dropped): no answer in time means close and redo.
 */
import type { ImapFlow } from 'imapflow';
import type { Logger } from '../ports.ts';
import { attemptAfterDrop, reconnectDelay } from './reconnect-backoff.ts';

export interface ConnectionHooks {
  create(): ImapFlow;
  /** Runs after each successful login; an error here closes the client (and so reconnects). */
  onReady(client: ImapFlow): Promise<void>;
  /** Told about every drop; returns false to stop reconnecting (e.g. the password was refused). */
  onDown(error: Error | undefined, retryInMs: number): boolean;
}

export interface ConnectionTiming {
  now(): number;
  watchdogIntervalMs: number;
  watchdogTimeoutMs: number;
}

export const DEFAULT_TIMING: ConnectionTiming = {
  now: () => Date.now(),
  watchdogIntervalMs: 60_000,
  watchdogTimeoutMs: 15_000,
};

export class ManagedConnection {
  private client: ImapFlow | undefined;
  private attempt = 0;
  private connectedAt = 0;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lastError: Error | undefined;
  /** The client closed on purpose by `kick`: its close reconnects at once, without a report. */
  private kicked: ImapFlow | undefined;

  constructor(
    private readonly name: string,
    private readonly hooks: ConnectionHooks,
    private readonly logger: Logger,
    private readonly timing: ConnectionTiming = DEFAULT_TIMING,
  ) {}

  /** The live client, if logged in right now. */
  get current(): ImapFlow | undefined {
    return this.client?.usable ? this.client : undefined;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  /** Drops the connection now and reconnects at once (resume from sleep, network change). */
  kick(): void {
    if (this.stopped) return;
    this.attempt = 0;
    if (!this.client) return this.reconnectNow();
    // A drop we asked for: no backoff, and nothing to report as "offline".
    this.kicked = this.client;
    this.client.close();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.watchdog);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await Promise.race([client.logout().catch(() => client.close()), delay(2_000)]);
    client.close();
  }

  private reconnectNow(): void {
    clearTimeout(this.retryTimer);
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = this.hooks.create();
    this.client = client;
    client.on('error', (error: Error) => {
      this.lastError = error;
      this.logger.warn(`${this.name}: connection error`, { error: error.message });
    });
    client.once('close', () => this.onClose(client));
    try {
      await client.connect();
    } catch (error) {
      this.lastError = error as Error;
      client.close();
      return;
    }
    if (this.stopped) return void client.close();
    this.connectedAt = this.timing.now();
    this.startWatchdog(client);
    try {
      await this.hooks.onReady(client);
    } catch (error) {
      if (!this.stopped) {
        this.lastError = error as Error;
        this.logger.warn(`${this.name}: sync failed, reconnecting`, { error: String(error) });
      }
      client.close();
    }
  }

  private onClose(client: ImapFlow): void {
    clearInterval(this.watchdog);
    if (client !== this.client) return;
    this.client = undefined;
    if (this.stopped) return;
    if (this.kicked === client) {
      this.kicked = undefined;
      this.connectedAt = 0;
      this.lastError = undefined;
      return this.reconnectNow();
    }
    this.attempt = this.connectedAt
      ? attemptAfterDrop(this.attempt, this.connectedAt, this.timing.now())
      : this.attempt + 1;
    this.connectedAt = 0;
    const wait = reconnectDelay(Math.max(0, this.attempt - 1));
    const retry = this.hooks.onDown(this.lastError, wait);
    this.lastError = undefined;
    if (retry) this.retryTimer = setTimeout(() => void this.connect(), wait);
  }

  private startWatchdog(client: ImapFlow): void {
    clearInterval(this.watchdog);
    this.watchdog = setInterval(() => {
      const timeout = delay(this.timing.watchdogTimeoutMs).then(() => 'timeout' as const);
      void Promise.race([client.noop().then(() => 'ok' as const), timeout]).then((result) => {
        if (result === 'timeout' && client === this.client) {
          this.logger.warn(`${this.name}: no answer to NOOP, reconnecting`);
          client.close();
        }
      });
    }, this.timing.watchdogIntervalMs);
    this.watchdog.unref();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
