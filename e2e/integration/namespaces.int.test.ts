/**
 * Folders outside the personal namespace: Dovecot's public namespace ("Public/"), which every
 * user sees. Its own rig: public folders are visible to every user of a rig.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { countMessages } from '../../src-renderer/src/cache/queries.ts';
import { startMailServers, stopMailServers, type MailRig } from '../mailserver/rig.ts';
import { eventually, newUserAccount, otherClient, startHarness } from './harness.ts';

let rig: MailRig;
const cleanups: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  rig = await startMailServers();
});
afterAll(async () => {
  await stopMailServers(rig);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('namespaces', () => {
  it('mirrors public folders another user fills, marked as shared', async () => {
    const publisher = await newUserAccount(rig, 'publisher');
    const reader = await newUserAccount(rig, 'reader');
    const client = await otherClient(rig, publisher.user);
    cleanups.push(() => client.logout());
    await client.mailboxCreate('Public/Announcements');
    await client.append('Public/Announcements', 'Subject: Office closed Friday\r\n\r\nEnjoy.\r\n');

    const h = await startHarness({ pollIntervalMs: 1_000 });
    cleanups.push(() => h.stop());
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
