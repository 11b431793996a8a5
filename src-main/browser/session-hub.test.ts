import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '#shared/browser-wire';
import { SessionHub, type TabConnection } from './session-hub.ts';

function tab(tabId?: string) {
  const sent: ServerMessage[] = [];
  const closed: number[] = [];
  const connection: TabConnection = {
    ...(tabId ? { tabId } : {}),
    send: (message) => void sent.push(message),
    close: (code) => void closed.push(code),
  };
  return { connection, sent, closed };
}

describe('SessionHub', () => {
  it('makes the first tab the UI and tells a second one Petrel is open elsewhere', () => {
    const hub = new SessionHub();
    const first = tab('tab-aaaaaaaa');
    const second = tab('tab-bbbbbbbb');
    hub.attach(first.connection);
    hub.attach(second.connection);
    expect(first.sent).toEqual([{ t: 'session', state: 'active' }]);
    expect(second.sent).toEqual([{ t: 'session', state: 'elsewhere' }]);
    expect(hub.isActive(first.connection)).toBe(true);
  });

  it('keeps a reloaded tab the UI even before its old socket closed', () => {
    const hub = new SessionHub();
    const before = tab('tab-aaaaaaaa');
    const reloaded = tab('tab-aaaaaaaa');
    hub.attach(before.connection);
    hub.attach(reloaded.connection);
    expect(reloaded.sent).toEqual([{ t: 'session', state: 'active' }]);
    expect(hub.isActive(reloaded.connection)).toBe(true);
    expect(before.closed).toEqual([4001]);
    // The old socket's close, arriving late, leaves the new page the UI.
    hub.detach(before.connection);
    expect(hub.isActive(reloaded.connection)).toBe(true);
  });

  it('never matches tabs without an id', () => {
    const hub = new SessionHub();
    const first = tab();
    const second = tab();
    hub.attach(first.connection);
    hub.attach(second.connection);
    expect(second.sent).toEqual([{ t: 'session', state: 'elsewhere' }]);
  });
});
