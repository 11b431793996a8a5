/**
 * A server without CONDSTORE and QRESYNC (Dovecot with them removed from its capabilities): sync
 * must still converge, by UID reconciliation and full flag comparison.
 */
import { describe, expect, it } from 'vitest';
import { seedMailbox } from '../mailserver/rig.ts';
import { expectConverged, useCleanups, useOwnRig } from './fixtures.ts';
import { newUserAccount, otherClient, startHarness } from './harness.ts';

const POLL_MS = 1_000;
const ownRig = useOwnRig({ noCondstore: true });
const defer = useCleanups();

describe('without CONDSTORE/QRESYNC', () => {
  it('mirrors, then follows changes in INBOX and in other folders', async () => {
    const rig = ownRig();
    const { user, input } = await newUserAccount(rig);
    await seedMailbox(rig, user.address, 60);
    await seedMailbox(rig, user.address, 25, { folder: 'Archive' });
    const client = await otherClient(rig, user);
    defer(() => client.logout());
    expect(client.enabled.has('CONDSTORE')).toBe(false);
    const h = await startHarness({ pollIntervalMs: POLL_MS });
    defer(() => h.stop());
    const account = await h.core.api.addAccount(input);
    h.attach();
    await expectConverged(h, client, account, 15_000);
    expect((await h.db.checkpoints.get(`${account.id}:INBOX`))?.highestModseq).toBeUndefined();

    await client.mailboxOpen('INBOX');
    await client.messageFlagsAdd('1:4', ['\\Seen'], { uid: true });
    await client.messageDelete('10:12', { uid: true });
    await client.append('INBOX', 'Subject: plain server\r\n\r\nhello\r\n');
    await expectConverged(h, client, account, 3_000);

    await client.mailboxOpen('Archive');
    await client.messageFlagsAdd('1:2', ['\\Flagged'], { uid: true });
    await client.messageDelete('5', { uid: true });
    await expectConverged(h, client, account, POLL_MS + 3_000);
  });
});
