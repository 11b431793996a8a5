/**
 * Runtime validation of every call's arguments at the main-process boundary. `satisfies` makes a
 * method of the contract without a schema here a compile error.
 */
import { z } from 'zod';
import type { ApiMethod, PetrelApi } from './contract.ts';
import { hasHeaderBreak } from './compose.ts';

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

const identity = z.object({
  address: z
    .string()
    .trim()
    .max(320)
    .regex(/^[^\s@]+@[^\s@]+$/, 'an email address looks like name@example.com'),
  // A display name ends up in the From header: no line breaks (CR/LF injection).
  name: z
    .string()
    .max(200)
    .refine((name) => !hasHeaderBreak(name), 'a name cannot hold line breaks'),
  signature: z.string().max(10_000),
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
  identities: z.array(identity).max(50).optional(),
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

/**
 * Text that ends up in a header (subject, names, addresses, file names, message ids): one line.
 * A CR or LF there could start a header of its own (a Bcc nobody sees in the composer), so
 * they are refused here, not cleaned: the composer strips them before it builds a task.
 */
const isOneLine = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // C0 controls (CR and LF among them) and DEL; a tab is fine (header folding whitespace).
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return false;
  }
  return true;
};
const ONE_LINE = 'header text is one line (no line breaks or control characters)';
const headerText = (max: number) => z.string().max(max).refine(isOneLine, ONE_LINE);

/**
 * A plain address, local@domain: no quoted local part, comment or route (nodemailer advisories:
 * quoted local parts were routed to another domain), no spaces or control characters.
 */
const emailAddress = z
  .string()
  .max(254)
  .refine(isOneLine, ONE_LINE)
  .regex(
    /^[^\s@"(),:;<>[\]\\]+@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*$/u,
    'an email address looks like name@example.com',
  );

const mailbox = z.strictObject({
  name: headerText(200).optional(),
  address: emailAddress,
});

/** `<left@right>`, as generated by the composer. */
const ownMessageId = z
  .string()
  .max(250)
  .regex(/^<[^<>\s@]+@[^<>\s@]+>$/, 'a Message-ID looks like <id@domain>');

/** A Message-ID of another message (replies): other clients' ids need not contain an @. */
const otherMessageId = z
  .string()
  .max(250)
  .regex(/^<[^<>\s]+>$/, 'a Message-ID looks like <id@domain>');

/** 25 MiB of attachments, as most servers accept, in base64 (4/3) — and not one byte more. */
const MAX_ATTACHMENTS_BASE64 = Math.ceil((25 * 1024 * 1024 * 4) / 3) + 4;

/**
 * Attachment bytes are inline base64; a `path` or `href` (which nodemailer would read from disk
 * or the network) is refused as an unknown key.
 */
const attachment = z.strictObject({
  filename: z
    .string()
    .min(1)
    .max(255)
    .refine(isOneLine, ONE_LINE)
    .regex(/^[^/\\]+$/, 'a file name has no folder part'),
  contentType: z
    .string()
    .max(200)
    .regex(/^[\w!#$&^.+-]+\/[\w!#$&^.+-]+$/, 'a content type looks like type/subtype'),
  dataBase64: z
    .string()
    .max(MAX_ATTACHMENTS_BASE64)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'attachment data is base64'),
});

const recipients = z.array(mailbox).max(500);

const outgoingFields = z.strictObject({
  messageId: ownMessageId,
  from: mailbox,
  to: recipients,
  cc: recipients,
  bcc: recipients,
  subject: headerText(998),
  text: z
    .string()
    .max(10 * 1024 * 1024)
    .optional(),
  html: z
    .string()
    .max(20 * 1024 * 1024)
    .optional(),
  inReplyTo: otherMessageId.optional(),
  references: z.array(otherMessageId).max(100).optional(),
  attachments: z.array(attachment).max(100).optional(),
  date: z.number().int().min(0).max(8.64e15).optional(),
});

const attachmentsFit = (m: z.infer<typeof outgoingFields>): boolean =>
  (m.attachments ?? []).reduce((sum, a) => sum + a.dataBase64.length, 0) <= MAX_ATTACHMENTS_BASE64;
const ATTACHMENTS_TOO_LARGE = {
  message: 'attachments are at most 25 MB together',
  path: ['attachments'],
};

const outgoingMessage = outgoingFields
  .refine((m) => m.to.length + m.cc.length + m.bcc.length > 0, {
    message: 'a message needs at least one recipient',
    path: ['to'],
  })
  .refine((m) => m.to.length + m.cc.length + m.bcc.length <= 500, {
    message: 'at most 500 recipients',
    path: ['to'],
  })
  .refine(attachmentsFit, ATTACHMENTS_TOO_LARGE);

/** A draft is a message still being written: it may have no recipient yet. */
const draftMessage = outgoingFields
  .refine((m) => m.to.length + m.cc.length + m.bcc.length <= 500, {
    message: 'at most 500 recipients',
    path: ['to'],
  })
  .refine(attachmentsFit, ATTACHMENTS_TOO_LARGE);

const sendMessageTask = z.strictObject({
  type: z.literal('sendMessage'),
  accountId: id,
  outboxId: id,
  message: outgoingMessage,
});

const saveDraftTask = z.strictObject({
  type: z.literal('saveDraft'),
  accountId: id,
  outboxId: id,
  revision: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9-]+$/, 'a draft revision is letters, digits and "-"'),
  message: draftMessage,
});

const deleteDraftTask = z.strictObject({
  type: z.literal('deleteDraft'),
  accountId: id,
  messageId: ownMessageId,
});

const mailTask = z.discriminatedUnion('type', [
  setFlagsTask,
  moveMessagesTask,
  deleteMessagesTask,
  transferMessagesTask,
  createFolderTask,
  renameFolderTask,
  deleteFolderTask,
  sendMessageTask,
  saveDraftTask,
  deleteDraftTask,
]);

/** A parsed search query (`src-shared/search/query.ts`): the server step gets it as data. */
const searchWord = z.string().min(1).max(200);
const searchTerm = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('text'),
    words: z.array(searchWord).min(1).max(20),
    field: z.enum(['from', 'to', 'cc', 'subject', 'body']).optional(),
    phrase: z.boolean(),
    prefix: z.boolean(),
    negated: z.boolean(),
    // As typed (what the server step sends): one line, no control characters.
    typed: z
      .string()
      .max(1_000)
      .refine((value) => !hasHeaderBreak(value), 'a search term is one line')
      .optional(),
  }),
  z.strictObject({ kind: z.literal('hasAttachment'), negated: z.boolean() }),
  z.strictObject({
    kind: z.literal('flag'),
    flag: z.enum(['unread', 'read', 'flagged']),
    negated: z.boolean(),
  }),
  z.strictObject({ kind: z.literal('in'), folder: searchWord, negated: z.boolean() }),
  z.strictObject({ kind: z.literal('account'), account: searchWord, negated: z.boolean() }),
  z.strictObject({
    kind: z.literal('date'),
    op: z.enum(['before', 'after']),
    at: z.number().finite(),
    negated: z.boolean(),
  }),
  z.strictObject({
    kind: z.literal('size'),
    op: z.enum(['larger', 'smaller']),
    bytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    negated: z.boolean(),
  }),
]);
export const searchQuery = z.strictObject({ terms: z.array(searchTerm).max(50) });

const serverSearchRequest = z
  .strictObject({
    accountId: id,
    folders: z
      .array(z.strictObject({ folderId, uidValidity: uidValidity.optional() }))
      .min(1)
      .max(1000),
    query: searchQuery,
  })
  .refine((r) => r.folders.every((f) => inAccount(r.accountId, f.folderId)), {
    message: 'a folder belongs to another account',
    path: ['folders'],
  });

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
            // "" is the whole message as it is on the server (BODY.PEEK[]: forward as attachment).
            .array(z.string().regex(/^(\d+(\.\d+)*|TEXT|)$/))
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
  mailtoHandler: z.tuple([]),
  setMailtoHandler: z.tuple([z.boolean()]),
  takeMailto: z.tuple([]),
  openComposerWindow: z.tuple([id]),
  smtpSizeLimit: z.tuple([id]),
  searchServer: z.tuple([serverSearchRequest]),
  loadMessages: z.tuple([
    z.strictObject({ folderId, uidValidity, uids: z.array(uid).min(1).max(1000) }),
  ]),
} satisfies ArgsSchemas;
