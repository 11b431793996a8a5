/**
 * moveMessages and deleteMessages against Dovecot: what reaches the server (checked by another
 * client, byte for byte), what must not (neighbours, other clients' \Deleted messages, anything
 * at all under a stale UIDVALIDITY or towards a missing folder), replays that do nothing, and the
 * COPY fallbacks on rigs that do not advertise MOVE, or neither MOVE nor UIDPLUS.
 */
import type { ImapFlow } from 'imapflow';
import { describe, expect, inject, it } from 'vitest';
import type { AccountSummary } from '#shared/accounts';
import {
  FOLDER_CHANGED,
  type DeleteMessagesTask,
  type MoveMessagesTask,
  type TaskResult,
} from '#shared/tasks';
import { TARGET_FOLDER_GONE } from '../../src-main/core/tasks/task-errors.ts';
import { seedMailbox, type MailRig } from '../mailserver/rig.ts';
import { expectConverged, useCleanups, useOwnRig } from './fixtures.ts';
import {
  eventually,
  newUserAccount,
  otherClient,
  serverSnapshot,
  startHarness,
  storedMessages,
  uidValidityOf,
  type Harness,
  type StoredMessage,
} from './harness.ts';

const defer = useCleanups();

interface Synced {
  h: Harness;
  client: ImapFlow;
  account: AccountSummary;
  folderId(path: string): string;
  uidValidity(path: string): Promise<number>;
}

/** A user with 5 messages in INBOX and 3 in Archive, mirrored in the cache. */
async function synced(rig: MailRig, pollIntervalMs = 1_000): Promise<Synced> {
  const { user, input } = await newUserAccount(rig);
  await seedMailbox(rig, user.address, 5);
  await seedMailbox(rig, user.address, 3, { folder: 'Archive' });
  const client = await otherClient(rig, user);
  defer(() => client.logout().catch(() => {}));
  const h = await startHarness({ pollIntervalMs });
  defer(() => h.stop());
  const account = await h.core.api.addAccount(input);
  h.attach();
  await expectConverged(h, client, account, 15_000);
  // The work connection (which carries tasks) is up once the first poll has listed folders.
  await eventually(
    async () => (await h.db.checkpoints.get(`${account.id}:Archive`)) !== undefined,
    10_000,
    'the Archive sync',
  );
  return {
    h,
    client,
    account,
    folderId: (path) => `${account.id}:${path}`,
    uidValidity: (path) => uidValidityOf(client, path),
  };
}

async function move(
  s: Synced,
  uids: number[],
  target: string,
  over: Partial<MoveMessagesTask> = {},
): Promise<TaskResult> {
  return s.h.bridge.performTask({
    type: 'moveMessages',
    accountId: s.account.id,
    folderId: s.folderId('INBOX'),
    uidValidity: await s.uidValidity('INBOX'),
    uids,
    targetFolderId: s.folderId(target),
    reason: 'move',
    ...over,
  });
}

async function remove(s: Synced, path: string, uids: number[], uidValidity?: number) {
  const task: DeleteMessagesTask = {
    type: 'deleteMessages',
    accountId: s.account.id,
    folderId: s.folderId(path),
    uidValidity: uidValidity ?? (await s.uidValidity(path)),
    uids,
  };
  return s.h.bridge.performTask(task);
}

/** UIDs of a folder's messages in the cache. */
async function cachedUids(s: Synced, path: string): Promise<number[]> {
  const id = s.folderId(path);
  const rows = await s.h.db.messages
    .where('[folderId+date]')
    .between([id, -Infinity], [id, Infinity])
    .toArray();
  return rows.map((row) => row.uid).sort((a, b) => a - b);
}

const uidsOf = (messages: StoredMessage[]) => messages.map((m) => m.uid);
const byUid = (messages: StoredMessage[], uid: number) => messages.find((m) => m.uid === uid);

/** Marks a message \Deleted as another client would (without expunging it). */
async function flagDeletedElsewhere(client: ImapFlow, path: string, uid: number) {
  const lock = await client.getMailboxLock(path);
  try {
    await client.messageFlagsAdd(String(uid), ['\\Deleted'], { uid: true });
  } finally {
    lock.release();
  }
}

describe('performTask: moveMessages (UID MOVE)', () => {
  const rig = inject('mailRig');

  it('moves exactly those messages, byte for byte with their flags; says where; replays as a no-op', async () => {
    // A long poll interval: the target must sync because of the task, not the next poll.
    const s = await synced(rig, 60_000);
    const lock = await s.client.getMailboxLock('INBOX');
    try {
      await s.client.messageFlagsAdd('3', ['\\Flagged', '$Label1'], { uid: true });
    } finally {
      lock.release();
    }
    const inbox = await storedMessages(s.client, 'INBOX');
    const archiveValidity = await s.uidValidity('Archive');

    const result = await move(s, [2, 3], 'Archive');

    expect(result).toEqual({
      ok: true,
      movedTo: {
        folderId: s.folderId('Archive'),
        uidValidity: archiveValidity,
        uids: [
          [2, 4],
          [3, 5],
        ],
      },
    });
    const after = await storedMessages(s.client, 'INBOX');
    // Its neighbours stay, untouched (Mailspring #2080).
    expect(after).toEqual(inbox.filter((m) => m.uid !== 2 && m.uid !== 3));
    const archive = await storedMessages(s.client, 'Archive');
    expect(uidsOf(archive)).toEqual([1, 2, 3, 4, 5]);
    for (const [from, to] of [
      [2, 4],
      [3, 5],
    ] as const) {
      const original = byUid(inbox, from);
      const moved = byUid(archive, to);
      expect(moved?.raw.equals(original?.raw ?? Buffer.alloc(0))).toBe(true);
      expect(moved?.flags).toEqual(original?.flags);
      expect(moved?.internalDate).toBe(original?.internalDate);
    }
    expect(byUid(archive, 5)?.flags).toEqual(['$Label1', '\\Flagged']);

    // The target follows in the cache within about a second (no regular poll meanwhile).
    const started = Date.now();
    await eventually(
      async () => (await cachedUids(s, 'Archive')).length === 5,
      3_000,
      'the moved messages in the cached Archive',
    );
    expect(Date.now() - started).toBeLessThan(2_500);

    // Replayed (its answer lost): nothing left to move, nothing happens, no error.
    const snapshot = await serverSnapshot(s.client);
    expect(await move(s, [2, 3], 'Archive')).toEqual({ ok: true });
    expect(await serverSnapshot(s.client)).toEqual(snapshot);
    await expectConverged(s.h, s.client, s.account, 10_000);
  });

  it('moves what is still there when some are gone already', async () => {
    const s = await synced(rig);
    expect(await move(s, [1], 'Trash')).toMatchObject({ ok: true });
    const result = await move(s, [1, 2], 'Trash');
    expect(result).toMatchObject({ ok: true, movedTo: { uids: [[2, 2]] } });
    expect(uidsOf(await storedMessages(s.client, 'INBOX'))).toEqual([3, 4, 5]);
    expect(uidsOf(await storedMessages(s.client, 'Trash'))).toEqual([1, 2]);
  });

  it('refuses a stale UIDVALIDITY as permanent, touching nothing', async () => {
    const s = await synced(rig);
    const before = await serverSnapshot(s.client);
    const result = await move(s, [1, 2], 'Archive', {
      uidValidity: (await s.uidValidity('INBOX')) + 1,
    });
    expect(result).toEqual({ ok: false, permanent: true, reason: FOLDER_CHANGED });
    expect(await serverSnapshot(s.client)).toEqual(before);
  });

  it('refuses a target folder that does not exist as permanent, touching nothing', async () => {
    const s = await synced(rig);
    const before = await serverSnapshot(s.client);
    const result = await move(s, [1, 2], 'Nowhere');
    expect(result).toEqual({ ok: false, permanent: true, reason: TARGET_FOLDER_GONE });
    expect(await serverSnapshot(s.client)).toEqual(before);
  });

  it('refuses malformed moves at the boundary', async () => {
    const s = await synced(rig);
    await expect(move(s, [1], 'INBOX')).rejects.toThrow(/in that folder already/);
    await expect(
      move(s, [1], 'Archive', { targetFolderId: 'another-account:Archive' }),
    ).rejects.toThrow(/another account is a transfer/);
  });

  it('a move, then a delete of the moved copy, both reach the server (K-9 #8622)', async () => {
    const s = await synced(rig);
    const moved = await move(s, [4], 'Trash');
    if (!moved.ok || !moved.movedTo) throw new Error(`the move failed: ${JSON.stringify(moved)}`);
    const [[, inTrash] = [0, 0]] = moved.movedTo.uids;
    expect(await remove(s, 'Trash', [inTrash], moved.movedTo.uidValidity)).toEqual({ ok: true });
    expect(uidsOf(await storedMessages(s.client, 'INBOX'))).toEqual([1, 2, 3, 5]);
    expect(await storedMessages(s.client, 'Trash')).toEqual([]);
    await expectConverged(s.h, s.client, s.account, 10_000);
  });
});

describe('performTask: deleteMessages', () => {
  const rig = inject('mailRig');

  it('expunges exactly those UIDs; another client\u2019s \\Deleted message stays', async () => {
    const s = await synced(rig);
    await flagDeletedElsewhere(s.client, 'INBOX', 5);
    const before = await storedMessages(s.client, 'INBOX');

    expect(await remove(s, 'INBOX', [2, 3])).toEqual({ ok: true });

    expect(await storedMessages(s.client, 'INBOX')).toEqual(
      before.filter((m) => m.uid !== 2 && m.uid !== 3),
    );
    expect(byUid(await storedMessages(s.client, 'INBOX'), 5)?.flags).toEqual(['\\Deleted']);
    // Replayed: the UIDs are gone; nothing happens.
    expect(await remove(s, 'INBOX', [2, 3])).toEqual({ ok: true });
    expect(uidsOf(await storedMessages(s.client, 'INBOX'))).toEqual([1, 4, 5]);
  });

  it('refuses a stale UIDVALIDITY as permanent, touching nothing', async () => {
    const s = await synced(rig);
    const before = await serverSnapshot(s.client);
    const stale = (await s.uidValidity('INBOX')) + 1;
    expect(await remove(s, 'INBOX', [1], stale)).toEqual({
      ok: false,
      permanent: true,
      reason: FOLDER_CHANGED,
    });
    expect(await serverSnapshot(s.client)).toEqual(before);
  });
});

describe('moveMessages without MOVE: UID COPY, then UID EXPUNGE of the originals', () => {
  const ownRig = useOwnRig({ noMove: true });

  it('gives the same outcome and leaves another client\u2019s \\Deleted message alone', async () => {
    const s = await synced(ownRig());
    await flagDeletedElsewhere(s.client, 'INBOX', 4);
    const inbox = await storedMessages(s.client, 'INBOX');

    const result = await move(s, [2, 3], 'Archive');

    expect(result).toMatchObject({
      ok: true,
      movedTo: {
        uids: [
          [2, 4],
          [3, 5],
        ],
      },
    });
    // 4 was flagged \Deleted by someone else: a folder-wide EXPUNGE would have taken it too.
    expect(await storedMessages(s.client, 'INBOX')).toEqual(
      inbox.filter((m) => m.uid !== 2 && m.uid !== 3),
    );
    const archive = await storedMessages(s.client, 'Archive');
    expect(byUid(archive, 4)?.raw.equals(byUid(inbox, 2)?.raw ?? Buffer.alloc(0))).toBe(true);
    expect(byUid(archive, 5)?.raw.equals(byUid(inbox, 3)?.raw ?? Buffer.alloc(0))).toBe(true);

    const snapshot = await serverSnapshot(s.client);
    expect(await move(s, [2, 3], 'Archive')).toEqual({ ok: true });
    expect(await serverSnapshot(s.client)).toEqual(snapshot);
  });

  it('touches nothing when the copy fails (no such folder)', async () => {
    const s = await synced(ownRig());
    const before = await serverSnapshot(s.client);
    expect(await move(s, [1, 2], 'Nowhere')).toEqual({
      ok: false,
      permanent: true,
      reason: TARGET_FOLDER_GONE,
    });
    expect(await serverSnapshot(s.client)).toEqual(before);
  });
});

describe('moveMessages without MOVE and UIDPLUS: UID COPY, then only \\Deleted', () => {
  const ownRig = useOwnRig({ noUidplus: true });

  it('copies, flags the originals \\Deleted and expunges nothing; a replay copies nothing twice', async () => {
    const s = await synced(ownRig());
    await flagDeletedElsewhere(s.client, 'INBOX', 4);
    const inbox = await storedMessages(s.client, 'INBOX');

    expect(await move(s, [2, 3], 'Archive')).toMatchObject({ ok: true });

    const after = await storedMessages(s.client, 'INBOX');
    expect(uidsOf(after)).toEqual([1, 2, 3, 4, 5]);
    for (const uid of [2, 3, 4]) expect(byUid(after, uid)?.flags, `${uid}`).toEqual(['\\Deleted']);
    expect(byUid(after, 1)).toEqual(byUid(inbox, 1));
    expect(byUid(after, 5)).toEqual(byUid(inbox, 5));
    const archive = await storedMessages(s.client, 'Archive');
    expect(uidsOf(archive)).toEqual([1, 2, 3, 4, 5]);
    expect(byUid(archive, 4)?.raw.equals(byUid(inbox, 2)?.raw ?? Buffer.alloc(0))).toBe(true);
    expect(byUid(archive, 4)?.flags).toEqual([]);

    // Replayed: the originals are \Deleted, taken as copied already.
    expect(await move(s, [2, 3], 'Archive')).toEqual({ ok: true });
    expect(uidsOf(await storedMessages(s.client, 'Archive'))).toEqual([1, 2, 3, 4, 5]);
  });

  it('deleteMessages only flags \\Deleted', async () => {
    const s = await synced(ownRig());
    expect(await remove(s, 'INBOX', [2])).toEqual({ ok: true });
    const after = await storedMessages(s.client, 'INBOX');
    expect(uidsOf(after)).toEqual([1, 2, 3, 4, 5]);
    expect(byUid(after, 2)?.flags).toEqual(['\\Deleted']);
  });
});
