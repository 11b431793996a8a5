import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type PetrelCore } from './petrel-core.ts';
import type { DesktopPort, EventSink, Logger } from './ports.ts';
import { FileSecretStore } from './secrets/secret-store.ts';

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };

describe('the core: mailto: links and composer windows', () => {
  let profileDir: string;
  let emitted: string[];
  let opened: string[];
  const cores: PetrelCore[] = [];

  beforeEach(async () => {
    profileDir = await mkdtemp(join(tmpdir(), 'petrel-core-'));
    emitted = [];
    opened = [];
  });

  afterEach(async () => {
    for (const core of cores.splice(0)) await core.dispose();
    await rm(profileDir, { recursive: true, force: true });
  });

  function core(desktop?: DesktopPort): PetrelCore {
    const events: EventSink = { emit: (event) => void emitted.push(event) };
    const made = createCore({
      profileDir,
      mode: desktop ? 'electron' : 'browser',
      version: 'test',
      events,
      logger: silent,
      secrets: new FileSecretStore(join(profileDir, 'secrets.json'), 'profile-file'),
      ...(desktop ? { desktop } : {}),
    });
    cores.push(made);
    return made;
  }

  it('keeps mailto: links until the window takes them, and only mailto: links', async () => {
    const c = core();
    c.openMailto('https://example.test/');
    c.openMailto('mailto:bob@example.test?subject=One');
    c.openMailto('MAILTO:carol@example.test');
    expect(emitted).toEqual(['mailtoWaiting', 'mailtoWaiting']);
    expect(await c.api.takeMailto()).toEqual([
      'mailto:bob@example.test?subject=One',
      'MAILTO:carol@example.test',
    ]);
    expect(await c.api.takeMailto()).toEqual([]);
  });

  it('keeps the latest 20 when nobody takes them', async () => {
    const c = core();
    for (let i = 0; i < 25; i++) c.openMailto(`mailto:n${i}@example.test`);
    const taken = await c.api.takeMailto();
    expect(taken).toHaveLength(20);
    expect(taken[0]).toBe('mailto:n5@example.test');
  });

  it('has no mailto: handler or windows without a desktop', async () => {
    const c = core();
    expect(await c.api.mailtoHandler()).toEqual({ supported: false, isDefault: false });
    expect(await c.api.setMailtoHandler(true)).toEqual({ supported: false, isDefault: false });
    expect(await c.api.openComposerWindow('d1')).toBe(false);
  });

  it('asks the desktop for the handler and for composer windows', async () => {
    let isDefault = false;
    const c = core({
      setUnreadCount: () => {},
      mailtoHandler: () => ({ supported: true, isDefault }),
      setMailtoHandler: (on) => {
        isDefault = on;
        return { supported: true, isDefault };
      },
      openComposerWindow: (id) => void opened.push(id),
    });
    expect(await c.api.setMailtoHandler(true)).toEqual({ supported: true, isDefault: true });
    expect(await c.api.mailtoHandler()).toEqual({ supported: true, isDefault: true });
    expect(await c.api.openComposerWindow('d1')).toBe(true);
    expect(opened).toEqual(['d1']);
  });
});
