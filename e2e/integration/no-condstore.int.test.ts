/**
 * A server without CONDSTORE and QRESYNC (Dovecot with them removed from its capabilities): sync
 * must still converge, by UID reconciliation and full flag comparison.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSummary } from '#shared/accounts';
import type { ImapFlow } from 'imapflow';
import { seedMailbox, startMailServers, stopMailServers, type MailRig } from '../mailserver/rig.ts';
import {
  cacheSnapshot,
  eventually,
  newUserAccount,
  otherClient,
  serverSnapshot,
  startHarness,
  type Harness,
} from './harness.ts';

const POLL_MS = 1_000;
let rig: MailRig;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  rig = await startMailServers({ noCondstore: true });
});
afterAll(async () => {
  await stopMailServers(rig);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function converged(h: Harness, client: ImapFlow, account: AccountSummary, timeoutMs: number) {
  return eventually(
    async () =>
      JSON.stringify(await serverSnapshot(client)) ===
      JSON.stringify(await cacheSnapshot(h.db, account)),
    timeoutMs,
    'the cache to converge',
  );
}

describe('without CONDSTORE/QRESYNC', () => {
  it('mirrors, then follows changes in INBOX and in other folders', async () => {
    const { user, input } = await newUserAccount(rig);
    await seedMailbox(rig, user.address, 60);
    await seedMailbox(rig, user.address, 25, { folder: 'Archive' });
    const client = await otherClient(rig, user);
    cleanups.push(() => client.logout());
    expect(client.enabled.has('CONDSTORE')).toBe(false);
    const h = await startHarness({ pollIntervalMs: POLL_MS });
    cleanups.push(() => h.stop());
    const account = await h.core.api.addAccount(input);
    h.attach();
    await converged(h, client, account, 15_000);
    expect((await h.db.checkpoints.get(`${account.id}:INBOX`))?.highestModseq).toBeUndefined();

    await client.mailboxOpen('INBOX');
    await client.messageFlagsAdd('1:4', ['\\Seen'], { uid: true });
    await client.messageDelete('10:12', { uid: true });
    await client.append('INBOX', 'Subject: plain server\r\n\r\nhello\r\n');
    await converged(h, client, account, 3_000);

    await client.mailboxOpen('Archive');
    await client.messageFlagsAdd('1:2', ['\\Flagged'], { uid: true });
    await client.messageDelete('5', { uid: true });
    await converged(h, client, account, POLL_MS + 3_000);
  });
});
