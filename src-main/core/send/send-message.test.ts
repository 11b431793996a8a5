import type { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import type { ServerSettings } from '#shared/accounts';
import type { FolderRow } from '#shared/mail';
import type { SendMessageTask, TaskFailure } from '#shared/tasks';
import { buildMessage } from './outgoing-mime.ts';
import { sendMessage, sentFolderPathOf, type SendContext } from './send-message.ts';
import { SMTP_UNREACHABLE, smtpFailureOf } from './smtp-failure.ts';

const server: ServerSettings = { host: 'smtp.example.test', port: 587, security: 'starttls' };

const task: SendMessageTask = {
  type: 'sendMessage',
  accountId: 'acc1',
  outboxId: 'out-1',
  message: {
    messageId: '<m1@example.test>',
    from: { name: 'Alice', address: 'alice@example.test' },
    to: [{ name: 'Bob', address: 'bob@example.test' }],
    cc: [],
    bcc: [{ address: 'eve@example.test' }],
    subject: 'Bcc: eve@example.test',
    text: 'Hi',
    attachments: [
      { filename: 'a.bin', contentType: 'application/octet-stream', dataBase64: 'AAEC' },
    ],
    date: Date.UTC(2026, 0, 2, 3, 4, 5),
  },
};

function row(path: string, role?: FolderRow['role']): FolderRow {
  return {
    id: `acc1:${path}`,
    accountId: 'acc1',
    path,
    name: path.split('.').pop() ?? path,
    delimiter: '.',
    namespace: 'personal',
    subscribed: true,
    selectable: true,
    messages: 0,
    unseen: 0,
    ...(role ? { role } : {}),
  };
}

describe('buildMessage', () => {
  it('keeps Bcc out of the SMTP copy only, with the given Message-ID and Date', async () => {
    const built = await buildMessage(task.message);
    const smtp = built.forSmtp.toString();
    const sent = built.forSent.toString();
    expect(smtp).not.toMatch(/^Bcc:/im);
    expect(sent).toMatch(/^Bcc: eve@example\.test\r?$/im);
    for (const raw of [smtp, sent]) {
      expect(raw).toMatch(/^Message-ID: <m1@example\.test>\r?$/im);
      expect(raw).toMatch(/^Date: Fri, 02 Jan 2026 03:04:05 \+0000\r?$/im);
      expect(raw.match(/^Subject:/gim)).toHaveLength(1);
    }
    expect(sent.replace(/^Bcc: .*\r\n/m, '')).toBe(smtp);
    expect(built.envelope).toEqual({
      from: 'alice@example.test',
      to: ['bob@example.test', 'eve@example.test'],
    });
  });
});

describe('smtpFailureOf', () => {
  it('5xx is permanent with the reply, 503 and 4xx transient, no reply transient', () => {
    const rejected = smtpFailureOf(
      { code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 <x@y>: User unknown' },
      server,
    );
    expect(rejected).toEqual({
      ok: false,
      permanent: true,
      reason: 'the server refused: 550 5.1.1 <x@y>: User unknown',
    });
    expect(
      smtpFailureOf({ responseCode: 503, response: '503 5.5.1 Error' }, server).permanent,
    ).toBe(false);
    expect(smtpFailureOf({ response: '451 4.3.0 try later' }, server)).toMatchObject({
      permanent: false,
      reason: 'the server said to try later: 451 4.3.0 try later',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ESOCKET',
      originalCode: 'ECONNREFUSED',
    });
    expect(smtpFailureOf(refused, server)).toEqual({
      ok: false,
      permanent: false,
      reason: SMTP_UNREACHABLE,
    });
    expect(smtpFailureOf({ code: 'ETIMEDOUT', command: 'CONN' }, server).permanent).toBe(false);
  });
});

describe('sentFolderPathOf', () => {
  it('prefers \\Sent, else a folder named Sent', () => {
    expect(sentFolderPathOf([row('INBOX'), row('Sent'), row('Gesendet', 'sent')])).toBe('Gesendet');
    expect(sentFolderPathOf([row('INBOX'), row('INBOX.Sent'), row('Sent')])).toBe('Sent');
    expect(sentFolderPathOf([row('INBOX')])).toBeUndefined();
  });
});

/** An account whose Sent folder holds the Message-IDs in `sent`. */
function fakeContext(sent: Set<string>, rows = [row('INBOX'), row('Sent', 'sent')]) {
  const smtpCalls: string[] = [];
  const appended: Buffer[] = [];
  const memory = new Set<string>();
  const client = {
    search: async (query: { header: Record<string, string> }) =>
      sent.has(query.header['message-id'] ?? '') ? [1] : [],
    append: async (_path: string, raw: Buffer) => {
      appended.push(raw);
      return { uid: 2 };
    },
  } as unknown as ImapFlow;
  const ctx: SendContext = {
    imap: {
      folderRows: () => rows,
      onFolder: async (_path, _d, step) => {
        try {
          return await step(client);
        } catch {
          return { ok: false, permanent: false, reason: 'down' } as TaskFailure;
        }
      },
      pollSoon: () => {},
    },
    smtpServer: server,
    smtp: async (raw) => {
      smtpCalls.push(raw.toString());
      return { rejected: [] };
    },
    alreadySent: (id) => memory.has(id),
    markSent: (id) => memory.add(id),
    sentCopyDelaysMs: [0, 0],
  };
  return { ctx, smtpCalls, appended, memory };
}

describe('sendMessage', () => {
  it('sends, then appends the Bcc copy to Sent when the server kept none', async () => {
    const f = fakeContext(new Set());
    expect(await sendMessage(f.ctx, task)).toEqual({ ok: true, sentCopy: 'appended' });
    expect(f.smtpCalls).toHaveLength(1);
    expect(f.appended[0]?.toString()).toMatch(/^Bcc: eve@example\.test/m);
  });

  it('a replay finds the copy in Sent and does not send again', async () => {
    const f = fakeContext(new Set([task.message.messageId]));
    expect(await sendMessage(f.ctx, task)).toEqual({ ok: true, sentCopy: 'found' });
    expect(f.smtpCalls).toHaveLength(0);
  });

  it('without a Sent folder: sends, says so, and remembers it for a replay', async () => {
    const f = fakeContext(new Set(), [row('INBOX')]);
    expect(await sendMessage(f.ctx, task)).toEqual({ ok: true, sentCopy: 'none' });
    expect(await sendMessage(f.ctx, task)).toEqual({ ok: true, sentCopy: 'none' });
    expect(f.smtpCalls).toHaveLength(1);
  });

  it('before the folders are listed, it waits (transient)', async () => {
    const f = fakeContext(new Set(), []);
    expect(await sendMessage(f.ctx, task)).toMatchObject({ ok: false, permanent: false });
    expect(f.smtpCalls).toHaveLength(0);
  });
});
