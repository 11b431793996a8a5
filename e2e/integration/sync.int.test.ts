/**
 * The sync engine against the rig's real Dovecot, with the real renderer cache (fake-indexeddb).
 * Each test makes its own users.
 */
import { describe, expect, inject, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { countMessages } from '../../src-renderer/src/cache/queries.ts';
import { kickUser, seedMailbox } from '../mailserver/rig.ts';
import { expectConverged, useCleanups } from './fixtures.ts';
import {
  eventually,
  newUserAccount,
  otherClient,
  serverSnapshot,
  startHarness,
  type Harness,
} from './harness.ts';

const rig = inject('mailRig');
const POLL_MS = 1_000;
const defer = useCleanups();

async function harness(): Promise<Harness> {
  const h = await startHarness({ pollIntervalMs: POLL_MS });
  defer(() => h.stop());
  return h;
}

async function other(user: { address: string; password: string }): Promise<ImapFlow> {
  const client = await otherClient(rig, user);
  defer(() => client.logout().catch(() => client.close()));
  return client;
}

const converged = expectConverged;

describe('initial sync', () => {
  it('mirrors two accounts at once: folders, UIDs, flags and counts', async () => {
    const a = await newUserAccount(rig, 'alice');
    const b = await newUserAccount(rig, 'bob');
    await seedMailbox(rig, a.user.address, 3_000);
    await seedMailbox(rig, a.user.address, 400, { folder: 'Archive' });
    await seedMailbox(rig, b.user.address, 250);
    const otherA = await other(a.user);
    const otherB = await other(b.user);
    await otherA.messageFlagsAdd('1:10', ['\\Seen', '\\Flagged']);
    await otherB.mailboxCreate('Projects/2026');

    const h = await harness();
    const accountA = await h.core.api.addAccount(a.input);
    const accountB = await h.core.api.addAccount(b.input);
    h.attach();

    await converged(h, otherA, accountA, 30_000);
    await converged(h, otherB, accountB, 30_000);
    const inbox = await h.db.folders.get(`${accountA.id}:INBOX`);
    expect(inbox).toMatchObject({ role: 'inbox', messages: 3_000 });
    const projects = await h.db.folders.get(`${accountB.id}:Projects/2026`);
    expect(projects).toMatchObject({ parentPath: 'Projects', name: '2026' });
    const newest = await h.db.messages.get(`${accountA.id}:INBOX#3000`);
    expect(newest?.subject).toMatch(/3000|2999/);
    expect(newest?.preview.length).toBeGreaterThan(10);
  });
});

describe('live changes by another client', () => {
  it('in INBOX: flags set and cleared, append, expunge and move converge within 2 s', async () => {
    const { user, input } = await newUserAccount(rig);
    await seedMailbox(rig, user.address, 40);
    const client = await other(user);
    const h = await harness();
    const account = await h.core.api.addAccount(input);
    h.attach();
    await converged(h, client, account, 15_000);
    await client.mailboxOpen('INBOX');

    await client.messageFlagsAdd('1:5', ['\\Seen']);
    expect(await converged(h, client, account, 2_000)).toBeLessThan(2_000);
    await client.messageFlagsRemove('1:2', ['\\Seen']);
    await converged(h, client, account, 2_000);

    await client.append('INBOX', rawMessage('Appended elsewhere'), ['\\Flagged']);
    await converged(h, client, account, 2_000);
    const appended = await h.db.messages
      .where('[folderId+date]')
      .between([`${account.id}:INBOX`, -Infinity], [`${account.id}:INBOX`, Infinity])
      .toArray();
    expect(appended.some((m) => m.subject === 'Appended elsewhere')).toBe(true);

    await client.messageDelete('3:4', { uid: true });
    await converged(h, client, account, 2_000);

    await client.messageMove('6', 'Archive', { uid: true });
    await converged(h, client, account, 2_000);
  });

  it('in another folder: converges within one poll interval + 2 s', async () => {
    const { user, input } = await newUserAccount(rig);
    await seedMailbox(rig, user.address, 30, { folder: 'Archive' });
    const client = await other(user);
    const h = await harness();
    const account = await h.core.api.addAccount(input);
    h.attach();
    await converged(h, client, account, 15_000);

    await client.mailboxOpen('Archive');
    await client.messageFlagsAdd('1:3', ['\\Flagged'], { uid: true });
    await client.messageDelete('10', { uid: true });
    await client.append('Archive', rawMessage('Filed elsewhere'));
    await converged(h, client, account, POLL_MS + 2_000);

    // Marked \Deleted elsewhere but not expunged: Petrel must never expunge it (no CLOSE).
    await client.mailboxOpen('Archive');
    expect(await client.messageFlagsAdd('20', ['\\Deleted'], { uid: true })).toBe(true);
    await converged(h, client, account, POLL_MS + 2_000);
    await new Promise((r) => setTimeout(r, 2 * POLL_MS));
    const archive = (await serverSnapshot(client)).find((f) => f.path === 'Archive');
    expect(archive?.flags[20]).toContain('\\Deleted');
  });

  it('reflects folders created, renamed and deleted elsewhere after the next poll', async () => {
    const { user, input } = await newUserAccount(rig);
    const client = await other(user);
    const h = await harness();
    const account = await h.core.api.addAccount(input);
    h.attach();
    await converged(h, client, account, 15_000);

    await client.mailboxCreate('Receipts');
    await client.append('Receipts', rawMessage('Invoice'));
    await converged(h, client, account, POLL_MS + 2_000);
    await client.mailboxRename('Receipts', 'Receipts 2026');
    await converged(h, client, account, POLL_MS + 2_000);
    await client.mailboxDelete('Receipts 2026');
    await converged(h, client, account, POLL_MS + 2_000);
    for (const path of ['Receipts', 'Receipts 2026']) {
      expect(await countMessages(h.db, `${account.id}:${path}`)).toBe(0);
    }
  });
});

describe('resilience', () => {
  it('reconnects after the connection is cut during IDLE, and catches up', async () => {
    const { user, input } = await newUserAccount(rig);
    await seedMailbox(rig, user.address, 20);
    const client = await other(user);
    const h = await harness();
    const account = await h.core.api.addAccount(input);
    h.attach();
    await converged(h, client, account, 15_000);

    await kickUser(rig, user.address);
    // The other client was kicked too; reconnect it, then change things while Petrel is away.
    const again = await other(user);
    await again.mailboxOpen('INBOX');
    await again.messageFlagsAdd('1:*', ['\\Seen']);
    await again.append('INBOX', rawMessage('While you were away'));
    await converged(h, again, account, 8_000);
  });

  it('rebuilds a folder whose UIDVALIDITY changed, and leaves the others alone', async () => {
    const { user, input } = await newUserAccount(rig);
    await seedMailbox(rig, user.address, 15);
    await seedMailbox(rig, user.address, 12, { folder: 'Archive' });
    const client = await other(user);
    const h = await harness();
    const account = await h.core.api.addAccount(input);
    h.attach();
    await converged(h, client, account, 15_000);
    const inboxBefore = await h.db.checkpoints.get(`${account.id}:INBOX`);
    const archiveBefore = await h.db.checkpoints.get(`${account.id}:Archive`);

    await client.mailboxDelete('Archive');
    await client.mailboxCreate('Archive');
    await client.append('Archive', rawMessage('Only one now'));
    await converged(h, client, account, POLL_MS + 3_000);

    const archiveAfter = await h.db.checkpoints.get(`${account.id}:Archive`);
    expect(archiveAfter?.uidValidity).not.toBe(archiveBefore?.uidValidity);
    expect(await h.db.checkpoints.get(`${account.id}:INBOX`)).toEqual(inboxBefore);
  });
});

describe('the cache and the account list', () => {
  it('resyncs cleanly into a wiped cache', async () => {
    const { user, input } = await newUserAccount(rig);
    await seedMailbox(rig, user.address, 300);
    const client = await other(user);
    const h = await harness();
    const account = await h.core.api.addAccount(input);
    const stop = h.attach();
    await converged(h, client, account, 15_000);
    stop();
    await Promise.all([h.db.messages.clear(), h.db.folders.clear(), h.db.checkpoints.clear()]);
    h.attach();
    await converged(h, client, account, 15_000);
    expect(await countMessages(h.db, `${account.id}:INBOX`)).toBe(300);
  });

  it('removing an account removes its cache and its password, and nothing of the other', async () => {
    const a = await newUserAccount(rig, 'keep');
    const b = await newUserAccount(rig, 'drop');
    await seedMailbox(rig, a.user.address, 20);
    await seedMailbox(rig, b.user.address, 30);
    const h = await harness();
    const keep = await h.core.api.addAccount(a.input);
    const drop = await h.core.api.addAccount(b.input);
    h.attach();
    await converged(h, await other(a.user), keep, 15_000);
    await converged(h, await other(b.user), drop, 15_000);

    await h.core.api.removeAccount(drop.id);
    await eventually(
      async () => (await h.db.folders.where('accountId').equals(drop.id).count()) === 0,
      5_000,
      'folders gone',
    );
    expect(await countMessages(h.db, `${drop.id}:INBOX`)).toBe(0);
    expect(await h.db.checkpoints.where('accountId').equals(drop.id).count()).toBe(0);
    expect(await countMessages(h.db, `${keep.id}:INBOX`)).toBe(20);
    expect((await h.core.api.listAccounts()).map((x) => x.id)).toEqual([keep.id]);
    await expect(
      h.core.api.testConnection({ ...b.input, password: undefined }, drop.id),
    ).rejects.toThrow(/password/i);
  });

  it('reports a refused password as an error and stops retrying', async () => {
    const { input } = await newUserAccount(rig);
    const h = await harness();
    const account = await h.core.api.addAccount({ ...input, password: 'not the password' });
    h.attach();
    await eventually(
      () => h.statuses.some((s) => s.accountId === account.id && s.state === 'error'),
      10_000,
      'an error status',
    );
    const error = h.statuses.find((s) => s.state === 'error');
    expect(error?.message).toMatch(/password/i);
    const count = h.statuses.length;
    await new Promise((r) => setTimeout(r, 3_500));
    expect(h.statuses.slice(count).filter((s) => s.state === 'connecting')).toEqual([]);
  });
});

function rawMessage(subject: string): string {
  return [
    'From: Someone <someone@example.test>',
    'To: you@example.test',
    `Subject: ${subject}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@example.test>`,
    `Date: ${new Date().toUTCString()}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `This is ${subject.toLowerCase()}.`,
    '',
  ].join('\r\n');
}
