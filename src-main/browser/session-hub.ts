/**
 * One UI at a time: the renderer is the only writer of the cache, so only one tab may be attached.
 * The first tab becomes active; a later one is told Petrel is open elsewhere and may take over,
 * which displaces the old one. A tab that reloads comes back as itself (the same tab id), and stays
 * the one UI even when its new page connects before the old one's socket has closed. Events go only to the active tab; calls from others are refused.
 */
import type { ServerMessage } from '#shared/browser-wire';
import type { EventSink } from '../core/ports.ts';

export interface TabConnection {
  /** The tab's own id (kept across its reloads), when it gave one. */
  readonly tabId?: string;
  send(message: ServerMessage): void;
  close(code: number, reason: string): void;
}

export class SessionHub implements EventSink {
  private active: TabConnection | undefined;

  attach(tab: TabConnection): void {
    // The active tab reloaded: its old page is going away (its socket may not have closed yet).
    if (this.active?.tabId !== undefined && this.active.tabId === tab.tabId) {
      this.takeOver(tab);
      return;
    }
    if (this.active) {
      tab.send({ t: 'session', state: 'elsewhere' });
      return;
    }
    this.activate(tab);
  }

  takeOver(tab: TabConnection): void {
    if (this.active === tab) return;
    const previous = this.active;
    this.activate(tab);
    if (previous) {
      previous.send({ t: 'session', state: 'displaced' });
      previous.close(4001, 'Petrel was opened in another tab');
    }
  }

  detach(tab: TabConnection): void {
    if (this.active === tab) this.active = undefined;
  }

  isActive(tab: TabConnection): boolean {
    return this.active === tab;
  }

  emit: EventSink['emit'] = (event, payload) => {
    this.active?.send({ t: 'event', event, payload });
  };

  private activate(tab: TabConnection): void {
    this.active = tab;
    tab.send({ t: 'session', state: 'active' });
  }
}
