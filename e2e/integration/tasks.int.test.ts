/**
 * The first MailTask, setFlags, against Dovecot: the core's STORE reaches the server (checked by
 * another client), a stale UIDVALIDITY is refused without touching it, a server away fails fast
 * and for now only, and the whole renderer path (markRead → queue → runner → main) converges.
 */
import type { ImapFlow } from 'imapflow';
import { describe, expect, inject, it } from 'vitest';
import type { AccountSummary } from '#shared/accounts';
import { messageRowId } from '#shared/mail';
import { FOLDER_CHANGED, type SetFlagsTask } from '#shared/tasks';
import { markRead, setFlagged, startTaskRunner } from '../../src-renderer/src/cache/tasks.ts';
import { seedMailbox, startImapServer, stopImapServer, type MailRig } from '../mailserver/rig.ts';
import { expectConverged, useCleanups, useOwnRig } from './fixtures.ts';
import { eventually, newUserAccount, otherClient, startHarness, type Harness } from './harness.ts';

const defer = useCleanups();

interface Synced {
  user: { address: string; password: string };
  h: Harness;
  client: ImapFlow;
  account: AccountSummary;
  inbox: string;
  uidValidity: number;
}

/** A user with 5 messages in INBOX and 3 in Archive, mirrored in the cache. */
async function synced(rig: MailRig): Promise<Synced> {
  const { user, input } = await newUserAccount(rig);
  await seedMailbox(rig, user.address, 5);
  await seedMailbox(rig, user.address, 3, { folder: 'Archive' });
  const client = await otherClient(rig, user);
  // Tests that stop the server take this client's connection with it.
  client.on('error', () => {});
  defer(() => client.logout().catch(() => {}));
  // Folders other than INBOX learn of changes by polling: often here, so that tests wait little.
  const h = await startHarness({ pollIntervalMs: 1_000 });
  defer(() => h.stop());
  const account = await h.core.api.addAccount(input);
  h.attach();
  await expectConverged(h, client, account, 15_000);
  const inbox = `${account.id}:INBOX`;
  const checkpoint = await h.db.checkpoints.get(inbox);
  if (!checkpoint) throw new Error('INBOX has no checkpoint');
  // The work connection (which carries tasks) is up once the first poll has listed folders.
  await eventually(
    async () => (await h.db.checkpoints.get(`${account.id}:Archive`)) !== undefined,
    10_000,
    'the Archive sync',
  );
  return { user, h, client, account, inbox, uidValidity: checkpoint.uidValidity };
}

function setFlags(s: Synced, uids: number[], change: Partial<SetFlagsTask>): SetFlagsTask {
  return {
    type: 'setFlags',
    accountId: s.account.id,
    folderId: s.inbox,
    uidValidity: s.uidValidity,
    uids,
    ...change,
  };
}

/** Flags of an INBOX message in the cache, sorted, without the server's \Recent. */
async function cachedFlags(s: Synced, uid: number): Promise<string[] | undefined> {
  const row = await s.h.db.messages.get(messageRowId(s.inbox, uid));
  return row?.flags.filter((flag) => flag !== '\\Recent').sort();
}

/** Flags of INBOX's messages on the server, by UID, sorted, as another client sees them. */
async function serverFlags(client: ImapFlow, path = 'INBOX'): Promise<Record<number, string[]>> {
  const lock = await client.getMailboxLock(path, { readOnly: true });
  try {
    const out: Record<number, string[]> = {};
    for await (const m of client.fetch('1:*', { uid: true, flags: true }, { uid: true })) {
      // An unsolicited FETCH (a flag change of another session) carries no UID.
      if (!m.uid) continue;
      out[m.uid] = [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort();
    }
    return out;
  } finally {
    lock.release();
  }
}

describe('performTask: setFlags', () => {
  const rig = inject('mailRig');

  it('adds and removes \\Seen and \\Flagged on the server', async () => {
    const s = await synced(rig);
    expect(await serverFlags(s.client)).toEqual({ 1: [], 2: [], 3: [], 4: [], 5: [] });

    expect(await s.h.bridge.performTask(setFlags(s, [1, 2], { add: ['\\Seen'] }))).toEqual({
      ok: true,
    });
    expect(await s.h.bridge.performTask(setFlags(s, [2, 4], { add: ['\\Flagged'] }))).toEqual({
      ok: true,
    });
    expect(await serverFlags(s.client)).toEqual({
      1: ['\\Seen'],
      2: ['\\Flagged', '\\Seen'],
      3: [],
      4: ['\\Flagged'],
      5: [],
    });

    const both = setFlags(s, [1, 2, 3], { add: ['\\Flagged'], remove: ['\\Seen'] });
    expect(await s.h.bridge.performTask(both)).toEqual({ ok: true });
    // Again: replaying a task is harmless.
    expect(await s.h.bridge.performTask(both)).toEqual({ ok: true });
    expect(await serverFlags(s.client)).toEqual({
      1: ['\\Flagged'],
      2: ['\\Flagged'],
      3: ['\\Flagged'],
      4: ['\\Flagged'],
      5: [],
    });
    // The normal sync brings the new flags to the cache.
    await expectConverged(s.h, s.client, s.account, 10_000);
  });

  it('works on a folder other than INBOX, with keywords', async () => {
    const s = await synced(rig);
    const archive = `${s.account.id}:Archive`;
    const checkpoint = await s.h.db.checkpoints.get(archive);
    const task = setFlags(s, [3], {
      folderId: archive,
      uidValidity: checkpoint?.uidValidity ?? 0,
      add: ['\\Seen', '$Important'],
    });

    expect(await s.h.bridge.performTask(task)).toEqual({ ok: true });

    expect((await serverFlags(s.client, 'Archive'))[3]).toEqual(['$Important', '\\Seen']);
    await expectConverged(s.h, s.client, s.account, 10_000);
  });

  it('refuses a stale UIDVALIDITY as permanent, without touching the server', async () => {
    const s = await synced(rig);
    const before = await serverFlags(s.client);
    const status = await s.client.status('INBOX', { highestModseq: true });

    const result = await s.h.bridge.performTask(
      setFlags(s, [1, 2], { uidValidity: s.uidValidity + 1, add: ['\\Seen'] }),
    );

    expect(result).toEqual({ ok: false, permanent: true, reason: FOLDER_CHANGED });
    expect(await serverFlags(s.client)).toEqual(before);
    const after = await s.client.status('INBOX', { highestModseq: true });
    expect(after && after.highestModseq).toBe(status && status.highestModseq);
  });

  it('refuses a folder that does not exist as permanent', async () => {
    const s = await synced(rig);
    const result = await s.h.bridge.performTask(
      setFlags(s, [1], { folderId: `${s.account.id}:Gone`, add: ['\\Seen'] }),
    );
    expect(result).toMatchObject({ ok: false, permanent: true });
  });

  it('refuses a malformed task at the boundary', async () => {
    const s = await synced(rig);
    await expect(
      s.h.bridge.performTask(setFlags(s, [1], { add: ['\\Seen'], remove: ['\\Seen'] })),
    ).rejects.toThrow(/both added and removed/);
  });

  it('marks read and flags through the queue: cache at once, then the server', async () => {
    const s = await synced(rig);
    const failed: string[] = [];
    const stop = startTaskRunner(s.h.db, s.h.bridge, { onFailed: (reason) => failed.push(reason) });
    defer(stop);
    const row = (uid: number) => messageRowId(s.inbox, uid);

    await markRead(s.h.db, [row(1), row(2)], true);
    await setFlagged(s.h.db, [row(2)], true);
    expect(await cachedFlags(s, 2)).toEqual(['\\Flagged', '\\Seen']);

    await eventually(async () => (await s.h.db.tasks.count()) === 0, 10_000, 'the queue to drain');
    expect(await serverFlags(s.client)).toMatchObject({
      1: ['\\Seen'],
      2: ['\\Flagged', '\\Seen'],
      3: [],
    });
    await markRead(s.h.db, [row(1)], false);
    await expectConverged(s.h, s.client, s.account, 10_000);
    expect((await serverFlags(s.client))[1]).toEqual([]);
    expect(failed).toEqual([]);
  });
});

describe('performTask with the server away', () => {
  const ownRig = useOwnRig();

  it('fails transient at once, and the queue delivers once the server is back', async () => {
    const rig = ownRig();
    const s = await synced(rig);
    const stop = startTaskRunner(s.h.db, s.h.bridge, { retryIntervalMs: 60_000 });
    defer(stop);
    await stopImapServer(rig);
    let restarted = false;
    try {
      // Just gone (the account may not know yet) and known to be offline: both fail fast.
      let started = Date.now();
      const justGone = await s.h.bridge.performTask(setFlags(s, [1], { add: ['\\Seen'] }));
      expect(justGone).toMatchObject({ ok: false, permanent: false });
      expect(Date.now() - started).toBeLessThan(5_000);
      await eventually(
        () => s.h.statuses.filter((x) => x.accountId === s.account.id).at(-1)?.state === 'offline',
        10_000,
        'the account to go offline',
      );
      started = Date.now();
      const result = await s.h.bridge.performTask(setFlags(s, [1], { add: ['\\Seen'] }));
      expect(result).toMatchObject({ ok: false, permanent: false });
      expect(Date.now() - started).toBeLessThan(1_000);

      // Offline, the user marks a message read: it shows, and waits in the queue.
      await markRead(s.h.db, [messageRowId(s.inbox, 3)], true);
      await eventually(
        async () => (await s.h.db.tasks.toArray())[0]?.attempts === 1,
        5_000,
        'a first attempt',
      );
      expect(await cachedFlags(s, 3)).toEqual(['\\Seen']);

      await startImapServer(rig);
      restarted = true;
    } finally {
      if (!restarted) await startImapServer(rig);
    }
    // Told by the account's status that it is back, the runner tries again.
    await eventually(async () => (await s.h.db.tasks.count()) === 0, 40_000, 'the queue to drain');
    const client = await otherClient(rig, s.user);
    defer(() => client.logout());
    expect((await serverFlags(client))[3]).toEqual(['\\Seen']);
    await expectConverged(s.h, client, s.account, 15_000);
  });
});
