/**
 * The IMAP server going away and coming back. These tests stop Dovecot, so they have a rig of
 * their own: the shared one serves other test files at the same time.
 */
import { describe, expect, it } from 'vitest';
import { countMessages } from '../../src-renderer/src/cache/queries.ts';
import { seedMailbox, startImapServer, stopImapServer } from '../mailserver/rig.ts';
import { expectConverged, useCleanups, useOwnRig } from './fixtures.ts';
import { eventually, newUserAccount, otherClient, startHarness } from './harness.ts';

const ownRig = useOwnRig();
const defer = useCleanups();

describe('server going away', () => {
  it('finishes an initial sync cut by a Dovecot restart with no duplicate and no gap', async () => {
    const rig = ownRig();
    const { user, input } = await newUserAccount(rig);
    await seedMailbox(rig, user.address, 12_000);
    const h = await startHarness();
    defer(() => h.stop());
    const account = await h.core.api.addAccount(input);
    h.attach();
    const inbox = `${account.id}:INBOX`;
    await eventually(
      async () => (await countMessages(h.db, inbox)) >= 1_000,
      20_000,
      'a partial sync',
    );
    await stopImapServer(rig);
    try {
      expect(await countMessages(h.db, inbox)).toBeLessThan(12_000);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await startImapServer(rig);
    }
    const client = await otherClient(rig, user);
    defer(() => client.logout());
    await expectConverged(h, client, account, 30_000);
    expect(await countMessages(h.db, inbox)).toBe(12_000);
    expect(h.statuses.some((s) => s.state === 'offline')).toBe(true);
  });

  it('says why a message cannot be opened while the server is away', async () => {
    const rig = ownRig();
    const { user, input } = await newUserAccount(rig);
    await seedMailbox(rig, user.address, 5);
    const h = await startHarness();
    defer(() => h.stop());
    const account = await h.core.api.addAccount(input);
    h.attach();
    const inbox = `${account.id}:INBOX`;
    await eventually(
      async () => (await countMessages(h.db, inbox)) === 5,
      10_000,
      'the first sync',
    );
    await stopImapServer(rig);
    try {
      await eventually(
        () => h.statuses.filter((s) => s.accountId === account.id).at(-1)?.state === 'offline',
        10_000,
        'the account to go offline',
      );
      await expect(h.core.api.loadParts([{ rowId: `${inbox}#1`, parts: ['1'] }])).rejects.toThrow(
        /cannot reach the server/,
      );
    } finally {
      await startImapServer(rig);
    }
  });
});
