import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderIdOf, type MessageRow } from '#shared/mail';
import { applyBatch } from './apply.ts';
import type { PetrelDb } from './db.ts';
import {
  ConversationBuilder,
  conversationsOf,
  countOf,
  normalizeSubject,
  sliceOf,
  UNIFIED,
} from './list-queries.ts';
import { batch, freshDb, message, messages } from './test-support.ts';

const INBOX = folderIdOf('acc1', 'INBOX');
const OTHER_INBOX = folderIdOf('acc2', 'INBOX');
const ARCHIVE = folderIdOf('acc1', 'Archive');

let db: PetrelDb;
beforeEach(() => {
  db = freshDb();
});
afterEach(async () => {
  await db.delete();
});

const uids = (rows: MessageRow[]): number[] => rows.map((row) => row.uid);

describe('flat slices', () => {
  it('counts and slices a folder newest first by position', async () => {
    await applyBatch(db, batch('acc1', { put: messages(INBOX, 30) }));
    await applyBatch(db, batch('acc1', { put: messages(ARCHIVE, 5) }));
    const source = { kind: 'folder', folderId: INBOX } as const;
    expect(await countOf(db, source)).toBe(30);
    expect(uids(await sliceOf(db, source, 0, 3))).toEqual([30, 29, 28]);
    expect(uids(await sliceOf(db, source, 28, 5))).toEqual([2, 1]);
  });

  it('merges every INBOX in the unified source by date, and nothing else', async () => {
    const inbox = messages(INBOX, 3).map((row) => ({ ...row, unifiedInbox: 1 as const }));
    const other = [message(OTHER_INBOX, 1, { date: inbox[1]!.date + 500, unifiedInbox: 1 })];
    await applyBatch(db, batch('acc1', { put: inbox }));
    await applyBatch(db, batch('acc2', { put: other }));
    await applyBatch(db, batch('acc1', { put: messages(ARCHIVE, 5) }));
    expect(await countOf(db, UNIFIED)).toBe(4);
    const rows = await sliceOf(db, UNIFIED, 0, 10);
    expect(rows.map((row) => `${row.accountId}/${row.uid}`)).toEqual([
      'acc1/3',
      'acc2/1',
      'acc1/2',
      'acc1/1',
    ]);
  });
});

describe('conversations', () => {
  const root = message(INBOX, 1, { subject: 'Plans', messageId: '<a@x>', threadId: '<a@x>' });
  const reply = message(INBOX, 2, {
    subject: 'Re: Plans',
    messageId: '<b@x>',
    inReplyTo: '<a@x>',
    threadId: '<a@x>',
    flags: ['\\Seen', '\\Flagged'],
  });
  const unrelated = message(INBOX, 3, { subject: 'Lunch', messageId: '<c@x>', threadId: '<c@x>' });

  it('groups by thread id, newest conversation first, with its state', async () => {
    await applyBatch(db, batch('acc1', { put: [root, reply, unrelated] }));
    const page = await conversationsOf(db, { kind: 'folder', folderId: INBOX }, 10);
    expect(page.complete).toBe(true);
    expect(page.conversations.map((c) => uids(c.rows))).toEqual([[3], [2, 1]]);
    const plans = page.conversations[1]!;
    expect(plans.latest.uid).toBe(2);
    expect(plans.unread).toBe(true);
    expect(plans.flagged).toBe(true);
  });

  it('stops after the limit but still folds older rows of known conversations', async () => {
    await applyBatch(db, batch('acc1', { put: [root, reply, unrelated] }));
    const page = await conversationsOf(db, { kind: 'folder', folderId: INBOX }, 1);
    expect(page.complete).toBe(false);
    expect(page.conversations.map((c) => uids(c.rows))).toEqual([[3]]);
  });

  it('falls back to the subject for replies without thread headers, and only then', () => {
    const builder = new ConversationBuilder();
    const bare = (uid: number, subject: string, id: string) =>
      message(INBOX, uid, { subject, messageId: id, threadId: id });
    builder.add(bare(5, 'RE: Fwd: Budget  2024', '<r@x>'));
    builder.add(bare(4, 'Budget 2024', '<o@x>'));
    builder.add(bare(3, 'Hello', '<h1@x>'));
    builder.add(bare(2, 'Hello', '<h2@x>'));
    expect(builder.result().map((c) => uids(c.rows))).toEqual([[5, 4], [3], [2]]);
  });

  it('normalizes reply and forward prefixes in several languages', () => {
    expect(normalizeSubject('Re: AW: Fwd:  Hello World')).toBe('hello world');
    expect(normalizeSubject('Re[2]: Status')).toBe('status');
    expect(normalizeSubject('Rearrange the desk')).toBe('rearrange the desk');
  });
});
