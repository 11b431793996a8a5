/**
 * Folders outside the personal namespace: Dovecot's public namespace ("Public/"), which every
 * user sees. Its own rig: public folders are visible to every user of a rig.
 */
import { describe, expect, it } from 'vitest';
import { countMessages } from '../../src-renderer/src/cache/queries.ts';
import { useCleanups, useOwnRig } from './fixtures.ts';
import { eventually, newUserAccount, otherClient, startHarness } from './harness.ts';

const ownRig = useOwnRig();
const defer = useCleanups();

describe('namespaces', () => {
  it('mirrors public folders another user fills, marked as shared', async () => {
    const rig = ownRig();
    const publisher = await newUserAccount(rig, 'publisher');
    const reader = await newUserAccount(rig, 'reader');
    const client = await otherClient(rig, publisher.user);
    defer(() => client.logout());
    await client.mailboxCreate('Public/Announcements');
    await client.append('Public/Announcements', 'Subject: Office closed Friday\r\n\r\nEnjoy.\r\n');

    const h = await startHarness({ pollIntervalMs: 1_000 });
    defer(() => h.stop());
    const account = await h.core.api.addAccount(reader.input);
    h.attach();
    const folderId = `${account.id}:Public/Announcements`;
    await eventually(
      async () => (await countMessages(h.db, folderId)) === 1,
      10_000,
      'the public folder',
    );
    expect(await h.db.folders.get(folderId)).toMatchObject({
      namespace: 'shared',
      name: 'Announcements',
    });
    expect(await h.db.folders.get(`${account.id}:INBOX`)).toMatchObject({ namespace: 'personal' });

    await client.append('Public/Announcements', 'Subject: Office open again\r\n\r\nBack.\r\n');
    await eventually(
      async () => (await countMessages(h.db, folderId)) === 2,
      3_000,
      'the next poll',
    );
  });
});
