/**
 * Runtime validation of every call's arguments at the main-process boundary. `satisfies` makes a
 * method of the contract without a schema here a compile error.
 */
import { z } from 'zod';
import type { ApiMethod, PetrelApi } from './contract.ts';

type ArgsSchemas = { [K in ApiMethod]: z.ZodType<Parameters<PetrelApi[K]>> };

const hostname = z
  .string()
  .trim()
  .min(1, 'a host name is needed')
  .max(253)
  .regex(/^[A-Za-z0-9.:[\]-]+$/, 'a host name has only letters, digits, dots and dashes');

const server = z.object({
  host: hostname,
  port: z.number().int().min(1).max(65535),
  security: z.enum(['tls', 'starttls', 'plain']),
  trustedCertificate: z
    .object({
      sha256: z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
      pem: z
        .string()
        .max(64 * 1024)
        .startsWith('-----BEGIN CERTIFICATE-----'),
    })
    .optional(),
});

const accountInput = z.object({
  name: z.string().trim().min(1, 'the account needs a name').max(200),
  email: z
    .string()
    .trim()
    .max(320)
    .regex(/^[^\s@]+@[^\s@]+$/, 'an email address looks like name@example.com'),
  username: z.string().min(1, 'a user name is needed').max(320),
  password: z.string().max(4096).optional(),
  imap: server,
  smtp: server,
});

const id = z.string().min(1).max(200);

const checkpoint = z.object({
  uidValidity: z.number().int().nonnegative(),
  highestModseq: z.string().regex(/^\d+$/).optional(),
  uidNext: z.number().int().nonnegative(),
  messages: z.number().int().nonnegative(),
  backfillBelow: z.number().int().nonnegative().optional(),
  fullSyncAt: z.number().optional(),
});

/**
 * An IMAP flag or keyword: an atom, optionally after one backslash. \Recent belongs to the server.
 */
const flag = z
  .string()
  .min(1)
  .max(100)
  .regex(/^\\?[\x21-\x7e]+$/, 'a flag is printable ASCII')
  .regex(/^\\?[^(){%*"\\\]]+$/, 'a flag has no ( ) { % * " \\ ]')
  .refine((value) => value.toLowerCase() !== '\\recent', 'only the server sets \\Recent');

const uid = z.number().int().min(1).max(0xffffffff);
const uids = z.array(uid).min(1).max(100_000);
const uidValidity = z.number().int().nonnegative().max(0xffffffff);

/** A folder's path on the server: one line of text (CR, LF and NUL would break the command). */
const folderPath = z
  .string()
  .min(1, 'a folder needs a name')
  .max(1000)
  .regex(/^[^\0\r\n]+$/, 'a folder name is one line of text');

/** `<accountId>:<path>` (see folderIdOf). */
const folderId = z
  .string()
  .min(1)
  .max(2000)
  .regex(/^[^:]+:[^\0\r\n]+$/, 'a folder id is <account>:<path>');

const pathOf = (id: string): string => id.slice(id.indexOf(':') + 1);
const isInbox = (id: string): boolean => pathOf(id).toUpperCase() === 'INBOX';
const inAccount = (accountId: string, id: string): boolean => id.startsWith(`${accountId}:`);

const ownFolder = {
  message: 'the folder belongs to another account',
  path: ['folderId'],
};

const setFlagsTask = z
  .object({
    type: z.literal('setFlags'),
    accountId: id,
    folderId,
    uidValidity,
    uids,
    add: z.array(flag).max(20).optional(),
    remove: z.array(flag).max(20).optional(),
  })
  .refine((task) => inAccount(task.accountId, task.folderId), ownFolder)
  .refine((task) => (task.add?.length ?? 0) + (task.remove?.length ?? 0) > 0, {
    message: 'nothing to add or remove',
  })
  .refine(
    (task) => {
      const removed = new Set(task.remove?.map((f) => f.toLowerCase()));
      return !task.add?.some((f) => removed.has(f.toLowerCase()));
    },
    { message: 'a flag both added and removed' },
  );

const moveMessagesTask = z
  .object({
    type: z.literal('moveMessages'),
    accountId: id,
    folderId,
    uidValidity,
    uids,
    targetFolderId: folderId,
    reason: z.enum(['move', 'archive', 'trash', 'junk', 'notJunk']),
  })
  .refine((task) => inAccount(task.accountId, task.folderId), ownFolder)
  .refine((task) => inAccount(task.accountId, task.targetFolderId), {
    message: 'moving to another account is a transfer',
    path: ['targetFolderId'],
  })
  .refine((task) => task.targetFolderId !== task.folderId, {
    message: 'the messages are in that folder already',
    path: ['targetFolderId'],
  });

const deleteMessagesTask = z
  .object({
    type: z.literal('deleteMessages'),
    accountId: id,
    folderId,
    uidValidity,
    uids,
  })
  .refine((task) => inAccount(task.accountId, task.folderId), ownFolder);

const transferMessagesTask = z
  .object({
    type: z.literal('transferMessages'),
    accountId: id,
    folderId,
    uidValidity,
    // Each message is downloaded and uploaded on its own: fewer than a move may carry.
    uids: z.array(uid).min(1).max(10_000),
    targetAccountId: id,
    targetFolderId: folderId,
  })
  .refine((task) => inAccount(task.accountId, task.folderId), ownFolder)
  .refine((task) => task.targetAccountId !== task.accountId, {
    message: 'a transfer goes to another account',
    path: ['targetAccountId'],
  })
  .refine((task) => inAccount(task.targetAccountId, task.targetFolderId), {
    message: 'the target folder belongs to another account',
    path: ['targetFolderId'],
  });

const createFolderTask = z.object({
  type: z.literal('createFolder'),
  accountId: id,
  path: folderPath,
});

const renameFolderTask = z
  .object({
    type: z.literal('renameFolder'),
    accountId: id,
    folderId,
    newPath: folderPath,
  })
  .refine((task) => inAccount(task.accountId, task.folderId), ownFolder)
  .refine((task) => !isInbox(task.folderId), { message: 'the inbox cannot be renamed' })
  .refine((task) => pathOf(task.folderId) !== task.newPath, {
    message: 'the folder has that name already',
    path: ['newPath'],
  });

const deleteFolderTask = z
  .object({
    type: z.literal('deleteFolder'),
    accountId: id,
    folderId,
  })
  .refine((task) => inAccount(task.accountId, task.folderId), ownFolder)
  .refine((task) => !isInbox(task.folderId), { message: 'the inbox cannot be deleted' });

const mailTask = z.discriminatedUnion('type', [
  setFlagsTask,
  moveMessagesTask,
  deleteMessagesTask,
  transferMessagesTask,
  createFolderTask,
  renameFolderTask,
  deleteFolderTask,
]);

export const apiArgs = {
  getAppInfo: z.tuple([]),
  listAccounts: z.tuple([]),
  testConnection: z.tuple([accountInput, id.optional()]),
  addAccount: z.tuple([accountInput]),
  updateAccount: z.tuple([id, accountInput]),
  removeAccount: z.tuple([id]),
  attachCache: z.tuple([
    z.object({
      schemaVersion: z.number().int(),
      checkpoints: z.record(z.string(), checkpoint),
      folderIds: z.array(z.string()),
    }),
  ]),
  ackBatch: z.tuple([z.number().int().nonnegative()]),
  loadParts: z.tuple([
    z
      .array(
        z.object({
          rowId: z.string().min(1).max(2000).regex(/#\d+$/, 'a message row id ends in #<uid>'),
          parts: z
            .array(z.string().regex(/^(\d+(\.\d+)*|TEXT)$/))
            .min(1)
            .max(50),
        }),
      )
      .max(500),
    z.boolean().optional(),
  ]),
  reconnectNow: z.tuple([]),
  performTask: z.tuple([mailTask]),
  setUnreadCount: z.tuple([z.number().int().min(0).max(10_000_000)]),
} satisfies ArgsSchemas;
