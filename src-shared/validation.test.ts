import { describe, expect, it } from 'vitest';
import type { MailTask } from './tasks.ts';
import { apiArgs } from './validation.ts';

const parse = (value: unknown) => apiArgs.performTask.safeParse([value]);

const move: MailTask = {
  type: 'moveMessages',
  accountId: 'acc1',
  folderId: 'acc1:INBOX',
  uidValidity: 7,
  uids: [1, 5],
  targetFolderId: 'acc1:Archive',
  reason: 'archive',
};
const remove: MailTask = {
  type: 'deleteMessages',
  accountId: 'acc1',
  folderId: 'acc1:Trash',
  uidValidity: 7,
  uids: [3],
};
const transfer: MailTask = {
  type: 'transferMessages',
  accountId: 'acc1',
  folderId: 'acc1:INBOX',
  uidValidity: 7,
  uids: [1],
  targetAccountId: 'acc2',
  targetFolderId: 'acc2:Archive',
};
const create: MailTask = { type: 'createFolder', accountId: 'acc1', path: 'Projects/2026' };
const rename: MailTask = {
  type: 'renameFolder',
  accountId: 'acc1',
  folderId: 'acc1:Projects',
  newPath: 'Work',
};
const drop: MailTask = { type: 'deleteFolder', accountId: 'acc1', folderId: 'acc1:Old/2019' };

describe('performTask arguments: moves, deletes, transfers and folders', () => {
  it.each([move, remove, transfer, create, rename, drop])('accepts a well-formed $type', (task) => {
    expect(parse(task).success).toBe(true);
  });

  it('accepts non-ASCII folder names', () => {
    expect(parse({ ...create, path: 'Entwürfe/Ärger' }).success).toBe(true);
  });

  it.each([
    ['a move to the same folder', { ...move, targetFolderId: 'acc1:INBOX' }],
    ['a move to another account', { ...move, targetFolderId: 'acc2:Archive' }],
    ['a move with an unknown reason', { ...move, reason: 'whim' }],
    ['a move from a folder of another account', { ...move, folderId: 'acc2:INBOX' }],
    ['a move without UIDs', { ...move, uids: [] }],
    ['a move of 100 001 UIDs', { ...move, uids: Array.from({ length: 100_001 }, (_, i) => i + 1) }],
    ['a move of UID 1.5', { ...move, uids: [1.5] }],
    ['a delete of UID 0', { ...remove, uids: [0] }],
    ['a delete without UIDVALIDITY', { ...remove, uidValidity: undefined }],
    ['a transfer within one account', { ...transfer, targetAccountId: 'acc1' }],
    ['a transfer into a folder of a third account', { ...transfer, targetFolderId: 'acc3:X' }],
    ['a folder name with CR LF', { ...create, path: 'a\r\nA1 DELETE INBOX' }],
    ['a folder name with NUL', { ...create, path: 'a\u0000b' }],
    ['an empty folder name', { ...create, path: '' }],
    ['a folder name of 1001 characters', { ...create, path: 'x'.repeat(1001) }],
    ['a folder id without a path', { ...drop, folderId: 'acc1:' }],
    ['a folder id with a line break', { ...drop, folderId: 'acc1:a\nb' }],
    ['a rename of INBOX', { ...rename, folderId: 'acc1:INBOX' }],
    ['a rename to the same name', { ...rename, newPath: 'Projects' }],
    ['a rename to a name with LF', { ...rename, newPath: 'W\nork' }],
    ['a delete of INBOX', { ...drop, folderId: 'acc1:inbox' }],
    ['a folder task of another account', { ...drop, folderId: 'acc2:Old' }],
  ])('refuses %s', (_what, value) => {
    expect(parse(value).success).toBe(false);
  });
});
