import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderIdOf, type MessageRow } from '#shared/mail';
import { applyBatch } from './apply.ts';
import type { PetrelDb } from './db.ts';
import {
  countMessages,
  foldersOf,
  messagePage,
  messagesByMessageId,
  threadOf,
  unifiedInboxPage,
  type PageCursor,
} from './queries.ts';
import { BASE_DATE, batch, folder, freshDb, message, messages } from './test-support.ts';

const INBOX = folderIdOf('acc1', 'INBOX');
const SENT = folderIdOf('acc1', 'Sent');
const OTHER_INBOX = folderIdOf('acc2', 'INBOX');

let db: PetrelDb;

beforeEach(() => {
  db = freshDb();
});

afterEach(async () => {
  await db.delete();
});

async function put(rows: MessageRow[]): Promise<void> {
  await applyBatch(db, batch('acc1', { put: rows }));
}

const uids = (rows: MessageRow[]): number[] => rows.map((row) => row.uid);
const cursorOf = (row: MessageRow | undefined): PageCursor => {
  if (!row) throw new Error('empty page');
  return { date: row.date, id: row.id };
};

describe('messagePage', () => {
  it('lists one folder newest first, up to the limit', async () => {
    // UIDs inserted out of date order: the index, not insertion, must order the page.
    await put([...messages(INBOX, 10, 11), ...messages(INBOX, 10, 1), ...messages(SENT, 30)]);
    expect(uids(await messagePage(db, INBOX, 5))).toEqual([20, 19, 18, 17, 16]);
    expect(uids(await messagePage(db, INBOX, 50))).toHaveLength(20);
  });

  it('continues strictly before a date', async () => {
    await put(messages(INBOX, 20));
    const before = BASE_DATE + 15 * 1000;
    expect(uids(await messagePage(db, INBOX, 3, before))).toEqual([14, 13, 12]);
  });

  it('pages through equal dates with a cursor, each row exactly once', async () => {
    // INTERNALDATE has whole seconds: 25 rows sharing 5 dates.
    const rows = messages(INBOX, 25).map((row) => ({
      ...row,
      date: BASE_DATE + Math.floor(row.uid / 5) * 1000,
    }));
    await put(rows);

    const seen: MessageRow[] = [];
    let page = await messagePage(db, INBOX, 4);
    // Bounded: a cursor that does not advance must fail the test, not hang it.
    for (let pages = 0; page.length > 0 && pages < 10; pages++) {
      seen.push(...page);
      page = await messagePage(db, INBOX, 4, cursorOf(page.at(-1)));
    }

    expect(seen).toHaveLength(25);
    expect(new Set(seen.map((row) => row.id)).size).toBe(25);
    const dates = seen.map((row) => row.date);
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
  });
});

describe('unifiedInboxPage', () => {
  it('merges the INBOX rows of every account, newest first, and nothing else', async () => {
    await put([
      message(INBOX, 1, { unifiedInbox: 1 }),
      message(INBOX, 4, { unifiedInbox: 1 }),
      message(SENT, 5),
      message(OTHER_INBOX, 2, { unifiedInbox: 1 }),
      message(OTHER_INBOX, 3, { unifiedInbox: 1 }),
    ]);
    const page = await unifiedInboxPage(db, 10);
    expect(page.map((row) => row.id)).toEqual([
      `${INBOX}#4`,
      `${OTHER_INBOX}#3`,
      `${OTHER_INBOX}#2`,
      `${INBOX}#1`,
    ]);
    expect(uids(await unifiedInboxPage(db, 2, cursorOf(page[1])))).toEqual([2, 1]);
  });
});

describe('other reads', () => {
  it('threadOf returns a thread oldest first, across folders', async () => {
    const threadId = '<root@example.org>';
    await put([
      message(INBOX, 9, { threadId }),
      message(SENT, 3, { threadId }),
      message(INBOX, 5, { threadId }),
      message(INBOX, 6),
    ]);
    const thread = await threadOf(db, threadId);
    expect(thread.map((row) => row.id)).toEqual([`${SENT}#3`, `${INBOX}#5`, `${INBOX}#9`]);
  });

  it('countMessages counts one folder', async () => {
    await put([...messages(INBOX, 7), ...messages(SENT, 3)]);
    expect(await countMessages(db, INBOX)).toBe(7);
    expect(await countMessages(db, folderIdOf('acc1', 'Nope'))).toBe(0);
  });

  it('foldersOf lists one account by path', async () => {
    const mine = [folder('acc1', 'Sent'), folder('acc1', 'INBOX'), folder('acc1', 'Archive')];
    await applyBatch(db, batch('acc1', { folders: { put: mine } }));
    await applyBatch(db, batch('acc2', { folders: { put: [folder('acc2', 'INBOX')] } }));
    expect((await foldersOf(db, 'acc1')).map((row) => row.path)).toEqual([
      'Archive',
      'INBOX',
      'Sent',
    ]);
  });

  it('messagesByMessageId finds every cached copy of a message', async () => {
    const messageId = '<copy@example.org>';
    await put([
      message(INBOX, 1, { messageId }),
      message(SENT, 2, { messageId }),
      message(SENT, 3),
    ]);
    expect((await messagesByMessageId(db, messageId)).map((row) => row.id).sort()).toEqual([
      `${INBOX}#1`,
      `${SENT}#2`,
    ]);
  });
});
