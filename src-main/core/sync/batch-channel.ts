/**
 * Sends ChangeBatches to the renderer and resolves each once the cache acknowledges it. A new
 * cache attachment (reload, new tab) starts a new epoch: whatever was unacknowledged is abandoned,
 * and sync resumes from the checkpoints the cache reports.
 */
import type { ChangeBatch } from '#shared/sync';
import type { EventSink } from '../ports.ts';

export class DetachedError extends Error {
  constructor() {
    super('The cache detached before acknowledging the batch.');
    this.name = 'DetachedError';
  }
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

export class BatchChannel {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();

  constructor(private readonly events: EventSink) {}

  send(batch: Omit<ChangeBatch, 'id'>): Promise<void> {
    const id = this.nextId++;
    const acked = new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.events.emit('changeBatch', { ...batch, id });
    return acked;
  }

  ack(id: number): void {
    this.waiting.get(id)?.resolve();
    this.waiting.delete(id);
  }

  /** Abandons every unacknowledged batch (their senders see DetachedError). */
  reset(): void {
    for (const waiter of this.waiting.values()) waiter.reject(new DetachedError());
    this.waiting.clear();
  }
}
