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

const setFlagsTask = z
  .object({
    type: z.literal('setFlags'),
    accountId: id,
    folderId: z.string().min(1).max(2000),
    uidValidity: z.number().int().nonnegative().max(0xffffffff),
    uids: z.array(uid).min(1).max(100_000),
    add: z.array(flag).max(20).optional(),
    remove: z.array(flag).max(20).optional(),
  })
  .refine((task) => task.folderId.startsWith(`${task.accountId}:`), {
    message: 'the folder belongs to another account',
    path: ['folderId'],
  })
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

const mailTask = z.discriminatedUnion('type', [setFlagsTask]);

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
