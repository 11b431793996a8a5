import 'fake-indexeddb/auto';
import type { DBCoreTable } from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderIdOf, messageRowId, type MessageRow } from '#shared/mail';
import { toUidSet } from '#shared/uid-set';
import { applyBatch } from './apply.ts';
import { readCacheState } from './cache-state.ts';
import { CACHE_SCHEMA_VERSION, type PetrelDb } from './db.ts';
import {
  batch,
  body,
  checkpoint,
  dump,
  folder,
  freshDb,
  message,
  messages,
  uidsOf,
} from './test-support.ts';

const ACCOUNT = 'acc1';
const OTHER_ACCOUNT = 'acc2';
const INBOX = folderIdOf(ACCOUNT, 'INBOX');
const ARCHIVE = folderIdOf(ACCOUNT, 'Archive');
const OTHER_INBOX = folderIdOf(OTHER_ACCOUNT, 'INBOX');

/** What reached the messages table below Dexie: written keys, and reads that loaded whole rows. */
interface AccessLog {
  putKeys: string[];
  rowReads: number;
}

/** Must run before the database opens (Dexie opens on first use). */
function recordMessageAccess(db: PetrelDb): AccessLog {
  const log: AccessLog = { putKeys: [], rowReads: 0 };
  const watch = (table: DBCoreTable): DBCoreTable => ({
    ...table,
    mutate: (req) => {
      if (req.type === 'put') log.putKeys.push(...req.values.map((row: MessageRow) => row.id));
      return table.mutate(req);
    },
    query: (req) => {
      if (req.values) log.rowReads++;
      return table.query(req);
    },
    openCursor: (req) => {
      if (req.values) log.rowReads++;
      return table.openCursor(req);
    },
  });
  db.use({
    stack: 'dbcore',
    name: 'record-message-access',
    create: (down) => ({
      ...down,
      table: (name) => (name === 'messages' ? watch(down.table(name)) : down.table(name)),
    }),
  });
  return log;
}

let db: PetrelDb;

beforeEach(() => {
  db = freshDb();
});

afterEach(async () => {
  await db.delete();
});

describe('applyBatch: messages', () => {
  it('puts rows and upserts them by id', async () => {
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, put: messages(INBOX, 3) }));
    const changed = message(INBOX, 2, { subject: 'Changed' });
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, put: [changed] }));

    expect(await uidsOf(db, INBOX)).toEqual([1, 2, 3]);
    expect(await db.messages.get(changed.id)).toEqual(changed);
  });

  it('sets flags only on existing rows whose flags differ, and creates none', async () => {
    const rows = [
      message(INBOX, 1, { flags: ['\\Seen'] }),
      message(INBOX, 2, { flags: ['\\Seen', '\\Flagged'] }),
      message(INBOX, 3),
    ];
    const log = recordMessageAccess(db);
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, put: rows }));
    log.putKeys.length = 0;

    await applyBatch(
      db,
      batch(ACCOUNT, {
        folderId: INBOX,
        flags: [
          { uid: 1, flags: ['\\Seen'] }, // unchanged
          { uid: 2, flags: ['\\Flagged', '\\Seen'] }, // same set, other order
          { uid: 3, flags: ['\\Answered'] }, // changed
          { uid: 99, flags: ['\\Seen'] }, // not cached
        ],
      }),
    );

    expect(log.putKeys).toEqual([messageRowId(INBOX, 3)]);
    expect((await db.messages.get(messageRowId(INBOX, 3)))?.flags).toEqual(['\\Answered']);
    expect((await db.messages.get(messageRowId(INBOX, 3)))?.subject).toBe(rows[2]?.subject);
    expect(await db.messages.get(messageRowId(INBOX, 99))).toBeUndefined();
  });

  it('lets the last flag change of a UID win', async () => {
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, put: [message(INBOX, 1)] }));
    await applyBatch(
      db,
      batch(ACCOUNT, {
        folderId: INBOX,
        flags: [
          { uid: 1, flags: ['\\Seen'] },
          { uid: 1, flags: ['\\Deleted'] },
        ],
      }),
    );
    expect((await db.messages.get(messageRowId(INBOX, 1)))?.flags).toEqual(['\\Deleted']);
  });

  it('removes rows by UID with their bodies, nothing else', async () => {
    const inbox = messages(INBOX, 5);
    const archive = messages(ARCHIVE, 5);
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, put: inbox }));
    await applyBatch(db, batch(ACCOUNT, { folderId: ARCHIVE, put: archive }));
    await db.bodies.bulkPut(
      [...inbox, ...archive].flatMap((row) => [body(row, '1'), body(row, '2')]),
    );

    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, remove: [2, 4, 77] }));

    expect(await uidsOf(db, INBOX)).toEqual([1, 3, 5]);
    expect(await uidsOf(db, ARCHIVE)).toEqual([1, 2, 3, 4, 5]);
    const bodyOwners = new Set((await db.bodies.toArray()).map((part) => part.rowId));
    expect(bodyOwners.has(messageRowId(INBOX, 2))).toBe(false);
    expect(bodyOwners.has(messageRowId(INBOX, 4))).toBe(false);
    expect(bodyOwners.size).toBe(8);
  });

  it('lets an expunge win over a fetch of the same UID in one batch', async () => {
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, put: messages(INBOX, 3), remove: [3] }));
    expect(await uidsOf(db, INBOX)).toEqual([1, 2]);
  });

  it('keepOnly drops rows outside a set with holes, in a 10k folder, without loading rows', async () => {
    const log = recordMessageAccess(db);
    const rows = messages(INBOX, 10_000);
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, put: rows }));
    await applyBatch(db, batch(ACCOUNT, { folderId: ARCHIVE, put: messages(ARCHIVE, 20) }));
    await db.bodies.bulkPut([body(rows[0] as MessageRow), body(rows[9] as MessageRow)]);
    // Survivors: 1:9, every third UID of 11:5000, 5001:9000, 9999 and beyond the cache (10001:*).
    const kept = [
      ...range(1, 9),
      ...range(11, 5000).filter((uid) => uid % 3 === 0),
      ...range(5001, 9000),
      9999,
      ...range(10_001, 10_050),
    ];
    log.rowReads = 0;

    const started = performance.now();
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, keepOnly: toUidSet(kept) }));
    console.log(`keepOnly over 10,000 rows: ${(performance.now() - started).toFixed(0)} ms`);

    expect(log.rowReads).toBe(0);
    expect(await uidsOf(db, INBOX)).toEqual(kept.filter((uid) => uid <= 10_000));
    expect(await uidsOf(db, ARCHIVE)).toHaveLength(20);
    expect((await db.bodies.toArray()).map((part) => part.rowId)).toEqual([messageRowId(INBOX, 1)]);
  });

  it('keepOnly with an empty set empties the folder', async () => {
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, put: messages(INBOX, 10) }));
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, keepOnly: '' }));
    expect(await uidsOf(db, INBOX)).toEqual([]);
  });

  it('reset drops the folder first, then applies the rest of the batch', async () => {
    const old = messages(INBOX, 5);
    await applyBatch(
      db,
      batch(ACCOUNT, { folderId: INBOX, put: old, checkpoint: checkpoint({ uidValidity: 1 }) }),
    );
    await applyBatch(db, batch(ACCOUNT, { folderId: ARCHIVE, put: messages(ARCHIVE, 5) }));
    await db.bodies.bulkPut(old.map((row) => body(row)));

    const fresh = checkpoint({ uidValidity: 2, uidNext: 3 });
    await applyBatch(
      db,
      batch(ACCOUNT, {
        folderId: INBOX,
        reset: true,
        put: [message(INBOX, 1, { subject: 'New world' }), message(INBOX, 2)],
        checkpoint: fresh,
      }),
    );

    expect(await uidsOf(db, INBOX)).toEqual([1, 2]);
    expect((await db.messages.get(messageRowId(INBOX, 1)))?.subject).toBe('New world');
    expect(await uidsOf(db, ARCHIVE)).toHaveLength(5);
    expect(await db.bodies.count()).toBe(0);
    expect((await readCacheState(db)).checkpoints[INBOX]).toEqual(fresh);
  });

  it('reset without a checkpoint also forgets the old one', async () => {
    await applyBatch(
      db,
      batch(ACCOUNT, { folderId: INBOX, put: messages(INBOX, 2), checkpoint: checkpoint() }),
    );
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, reset: true }));
    expect(await uidsOf(db, INBOX)).toEqual([]);
    expect(await db.checkpoints.get(INBOX)).toBeUndefined();
  });

  it('refuses folder-scoped changes without folderId and writes nothing', async () => {
    await expect(
      applyBatch(db, batch(ACCOUNT, { put: [message(INBOX, 1)], remove: [1] })),
    ).rejects.toThrow(/remove without folderId/);
    await expect(applyBatch(db, batch(ACCOUNT, { checkpoint: checkpoint() }))).rejects.toThrow(
      /checkpoint without folderId/,
    );
    expect(await db.messages.count()).toBe(0);
    expect(await db.checkpoints.count()).toBe(0);
  });
});

describe('applyBatch: bodies', () => {
  it('stores text and binary parts of cached messages, and drops parts of messages gone', async () => {
    const [row] = messages(INBOX, 1);
    await applyBatch(db, { id: 1, accountId: ACCOUNT, folderId: INBOX, put: [row!] });
    await applyBatch(db, {
      id: 2,
      accountId: ACCOUNT,
      folderId: INBOX,
      bodies: [
        { rowId: row!.id, part: '1', contentType: 'text/plain', text: 'Grüße', size: 7 },
        { rowId: row!.id, part: '2', contentType: 'image/png', dataBase64: 'AAEC/w==', size: 4 },
        {
          rowId: messageRowId(INBOX, 999),
          part: '1',
          contentType: 'text/plain',
          text: 'x',
          size: 1,
        },
      ],
    });
    const stored = await db.bodies.toArray();
    expect(stored.map((b) => [b.rowId, b.part])).toEqual([
      [row!.id, '1'],
      [row!.id, '2'],
    ]);
    expect(stored[0]?.text).toBe('Grüße');
    expect([...(stored[1]?.data ?? [])]).toEqual([0, 1, 2, 255]);
  });
});

describe('applyBatch: folders and accounts', () => {
  /** Two accounts, each with INBOX and Archive: rows, bodies, checkpoints. */
  async function seedTwoAccounts(): Promise<void> {
    for (const accountId of [ACCOUNT, OTHER_ACCOUNT]) {
      const folders = [folder(accountId, 'INBOX'), folder(accountId, 'Archive')];
      await applyBatch(db, batch(accountId, { folders: { put: folders } }));
      for (const { id } of folders) {
        const rows = messages(id, 4);
        await applyBatch(
          db,
          batch(accountId, { folderId: id, put: rows, checkpoint: checkpoint() }),
        );
        await db.bodies.bulkPut(rows.map((row) => body(row)));
      }
    }
  }

  it('keeps FolderRow counts exactly as main sent them', async () => {
    const inbox = folder(ACCOUNT, 'INBOX', { messages: 1234, unseen: 56 });
    await applyBatch(db, batch(ACCOUNT, { folders: { put: [inbox] } }));
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, put: messages(INBOX, 3) }));
    expect(await db.folders.get(INBOX)).toEqual(inbox);
  });

  it('removing a folder drops its messages, bodies and checkpoint', async () => {
    await seedTwoAccounts();
    await applyBatch(db, batch(ACCOUNT, { folders: { remove: [ARCHIVE] } }));

    expect(await db.folders.get(ARCHIVE)).toBeUndefined();
    expect(await uidsOf(db, ARCHIVE)).toEqual([]);
    expect(await db.checkpoints.get(ARCHIVE)).toBeUndefined();
    expect(await db.bodies.where('folderId').equals(ARCHIVE).count()).toBe(0);
    expect(await uidsOf(db, INBOX)).toEqual([1, 2, 3, 4]);
    expect(await db.checkpoints.count()).toBe(3);
    expect(await db.bodies.count()).toBe(12);
  });

  it('removing an account drops all of its data and nothing of the other account', async () => {
    await seedTwoAccounts();
    // A folder main checkpointed but whose row never arrived must go too.
    const orphan = folderIdOf(ACCOUNT, 'Orphan');
    await applyBatch(
      db,
      batch(ACCOUNT, { folderId: orphan, put: messages(orphan, 2), checkpoint: checkpoint() }),
    );
    const otherBefore = await accountData(OTHER_ACCOUNT);

    await applyBatch(db, batch(ACCOUNT, { removeAccount: true }));

    expect(await accountData(ACCOUNT)).toEqual({
      folders: [],
      messages: [],
      checkpoints: [],
      bodies: [],
    });
    expect(await accountData(OTHER_ACCOUNT)).toEqual(otherBefore);
    expect(otherBefore.messages).toHaveLength(8);
  });

  /** One account's rows in every table, by full scans. */
  async function accountData(accountId: string): Promise<Record<string, unknown[]>> {
    const ofAccount = (folderId: string): boolean => folderId.startsWith(`${accountId}:`);
    return {
      folders: await db.folders.filter((row) => row.accountId === accountId).toArray(),
      messages: await db.messages.filter((row) => row.accountId === accountId).toArray(),
      checkpoints: await db.checkpoints.filter((row) => row.accountId === accountId).toArray(),
      bodies: await db.bodies.filter((row) => ofAccount(row.folderId)).toArray(),
    };
  }
});

describe('applyBatch: transactions', () => {
  it('commits nothing of a batch that fails, checkpoint included', async () => {
    const before = checkpoint({ uidValidity: 1 });
    await applyBatch(
      db,
      batch(ACCOUNT, { folderId: INBOX, put: messages(INBOX, 3), checkpoint: before }),
    );
    const snapshot = await dump(db);
    const invalid = { ...message(INBOX, 5), id: undefined } as unknown as MessageRow;

    await expect(
      applyBatch(
        db,
        batch(ACCOUNT, {
          folders: { put: [folder(ACCOUNT, 'INBOX')] },
          folderId: INBOX,
          reset: true,
          put: [message(INBOX, 4), invalid],
          checkpoint: checkpoint({ uidValidity: 2 }),
        }),
      ),
    ).rejects.toThrow();

    expect(await dump(db)).toEqual(snapshot);
    expect((await readCacheState(db)).checkpoints[INBOX]).toEqual(before);
  });

  it('is idempotent: the same batch twice leaves the same cache', async () => {
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, put: messages(INBOX, 50) }));
    const mixed = batch(ACCOUNT, {
      folders: { put: [folder(ACCOUNT, 'INBOX', { messages: 45, unseen: 3 })] },
      folderId: INBOX,
      keepOnly: toUidSet(range(1, 40)),
      put: messages(INBOX, 10, 51),
      flags: [
        { uid: 1, flags: ['\\Seen'] },
        { uid: 52, flags: ['\\Flagged'] },
      ],
      remove: [2, 53],
      checkpoint: checkpoint({ uidNext: 61 }),
    });
    const initial = await dump(db);

    await applyBatch(db, mixed);
    const once = await dump(db);
    await applyBatch(db, mixed);

    expect(once).not.toEqual(initial);
    expect(await dump(db)).toEqual(once);
    expect(await uidsOf(db, INBOX)).toEqual([1, ...range(3, 40), 51, 52, ...range(54, 60)]);
  });

  it('writes nothing and opens no transaction for an empty batch', async () => {
    await applyBatch(db, batch(ACCOUNT));
    expect(await dump(db)).toEqual({ folders: [], messages: [], checkpoints: [], bodies: [] });
  });

  it('applies 5,000 rows in one batch (timing printed, not asserted)', async () => {
    await db.open();
    const rows = messages(folderIdOf(ACCOUNT, 'Big'), 5000).map((row, index) =>
      index % 2 === 0 ? { ...row, unifiedInbox: 1 as const } : row,
    );
    const started = performance.now();
    await applyBatch(
      db,
      batch(ACCOUNT, { folderId: folderIdOf(ACCOUNT, 'Big'), put: rows, checkpoint: checkpoint() }),
    );
    const elapsed = performance.now() - started;
    console.log(
      `applyBatch put 5,000 rows (fake-indexeddb): ${elapsed.toFixed(0)} ms, ` +
        `${Math.round(5000 / (elapsed / 1000))} rows/s`,
    );
    expect(await db.messages.count()).toBe(5000);
  });
});

describe('readCacheState', () => {
  it('reports checkpoints as last written, and every folder with a row or a checkpoint', async () => {
    const first = checkpoint({ backfillBelow: 500, fullSyncAt: 1 });
    const latest = checkpoint({ uidNext: 200 });
    await applyBatch(db, batch(ACCOUNT, { folders: { put: [folder(ACCOUNT, 'Archive')] } }));
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, checkpoint: first }));
    await applyBatch(db, batch(ACCOUNT, { folderId: INBOX, checkpoint: latest }));
    await applyBatch(db, batch(OTHER_ACCOUNT, { folderId: OTHER_INBOX, checkpoint: first }));

    expect(await readCacheState(db)).toEqual({
      schemaVersion: CACHE_SCHEMA_VERSION,
      checkpoints: { [INBOX]: latest, [OTHER_INBOX]: first },
      folderIds: [ARCHIVE, INBOX, OTHER_INBOX],
    });
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}
