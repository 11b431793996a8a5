/**
 * sendMessage through real Postfix into Dovecot: the message reaches the recipient intact, the
 * sender's Sent folder holds exactly one copy (with the Bcc), a replay — also after a restart —
 * finds that copy and sends nothing, a recipient refused at RCPT fails for good with the server's
 * words, CR/LF in a subject never gets past the boundary, and a server away fails for now only.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { ImapFlow, MessageStructureObject } from 'imapflow';
import { describe, expect, inject, it } from 'vitest';
import type { AccountInput, AccountSummary } from '#shared/accounts';
import type { OutgoingMessage, SendMessageTask } from '#shared/tasks';
import type { MailRig } from '../mailserver/rig.ts';
import { useCleanups } from './fixtures.ts';
import { eventually, petrelWithAccount, startHarness, userWithClient } from './harness.ts';

const defer = useCleanups();
const rig: MailRig = inject('mailRig');

const mailbox = (name: string) => userWithClient(rig, name, defer);
const petrelFor = (input: AccountInput) => petrelWithAccount(input, 'Sent', defer);

let counter = 0;
function sendTask(account: AccountSummary, message: Partial<OutgoingMessage>): SendMessageTask {
  return {
    type: 'sendMessage',
    accountId: account.id,
    outboxId: `outbox-${++counter}`,
    message: {
      messageId: `<${randomBytes(8).toString('hex')}@example.test>`,
      from: { name: 'Alice Sender', address: account.email },
      to: [],
      cc: [],
      bcc: [],
      subject: 'Hello',
      text: 'Hello there',
      ...message,
    },
  };
}

/** UIDs of messages with this Message-ID in a folder. */
async function withMessageId(client: ImapFlow, path: string, messageId: string): Promise<number[]> {
  const lock = await client.getMailboxLock(path, { readOnly: true });
  try {
    const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
    return Array.isArray(found) ? found : [];
  } finally {
    lock.release();
  }
}

async function arrived(client: ImapFlow, path: string, messageId: string): Promise<number> {
  let uids: number[] = [];
  await eventually(
    async () => (uids = await withMessageId(client, path, messageId)).length > 0,
    15_000,
    `${messageId} in ${path}`,
  );
  return uids[0] as number;
}

/** Raw header block, flags and MIME tree of one message. */
async function fetchMessage(client: ImapFlow, path: string, uid: number) {
  const lock = await client.getMailboxLock(path, { readOnly: true });
  try {
    const query = { source: true, flags: true, bodyStructure: true } as const;
    const m = await client.fetchOne(String(uid), query, { uid: true });
    if (!m || !m.source || !m.bodyStructure) throw new Error(`no message ${uid} in ${path}`);
    const raw = m.source.toString('latin1');
    return {
      header: raw.slice(0, raw.indexOf('\r\n\r\n') + 2),
      flags: m.flags,
      tree: m.bodyStructure,
    };
  } finally {
    lock.release();
  }
}

function leaves(node: MessageStructureObject): MessageStructureObject[] {
  return node.childNodes?.length ? node.childNodes.flatMap(leaves) : [node];
}

/** A part's bytes, transfer encoding undone. */
async function downloadPart(client: ImapFlow, path: string, uid: number, part: string) {
  const lock = await client.getMailboxLock(path, { readOnly: true });
  try {
    const { content } = await client.download(String(uid), part, { uid: true });
    if (!content) throw new Error(`no part ${part} in message ${uid}`);
    const chunks: Buffer[] = [];
    for await (const chunk of content) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } finally {
    lock.release();
  }
}

const headerLines = (header: string, name: string) =>
  header.split('\r\n').filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`));

describe('sendMessage', () => {
  it('delivers text, HTML and a 2 MB attachment intact, keeps one Sent copy, and never resends', async () => {
    const alice = await mailbox('alice');
    const bob = await mailbox('bob');
    const carol = await mailbox('carol');
    const { h, account } = await petrelFor(alice.input);
    const data = randomBytes(2 * 1024 * 1024);
    const task = sendTask(account, {
      to: [{ name: 'Bob', address: bob.user.address }],
      bcc: [{ address: carol.user.address }],
      subject: 'Quarterly figures',
      text: 'See the attachment.',
      html: '<p>See the <b>attachment</b>.</p>',
      attachments: [
        {
          filename: 'figures.bin',
          contentType: 'application/octet-stream',
          dataBase64: data.toString('base64'),
        },
      ],
    });
    const { messageId } = task.message;

    expect(await h.bridge.performTask(task)).toEqual({ ok: true, sentCopy: 'appended' });

    const uid = await arrived(bob.client, 'INBOX', messageId);
    const received = await fetchMessage(bob.client, 'INBOX', uid);
    const parts = leaves(received.tree);
    expect(parts.map((p) => p.type)).toEqual([
      'text/plain',
      'text/html',
      'application/octet-stream',
    ]);
    const attachment = parts[2] as MessageStructureObject;
    expect(attachment.dispositionParameters?.['filename']).toBe('figures.bin');
    const bytes = await downloadPart(bob.client, 'INBOX', uid, attachment.part ?? '');
    expect(bytes.equals(data)).toBe(true);
    // Bcc: carol got it, nobody sees she did.
    expect(headerLines(received.header, 'bcc')).toEqual([]);
    await arrived(carol.client, 'INBOX', messageId);

    // The sender's copy: exactly one, read, and it shows the Bcc.
    const sentUids = await withMessageId(alice.client, 'Sent', messageId);
    expect(sentUids).toHaveLength(1);
    const sent = await fetchMessage(alice.client, 'Sent', sentUids[0] as number);
    expect([...(sent.flags ?? [])]).toContain('\\Seen');
    expect(headerLines(sent.header, 'bcc')).toEqual([`Bcc: ${carol.user.address}`]);

    // Replays: the same run, then a fresh Petrel (a restart) — both find the copy in Sent.
    expect(await h.bridge.performTask(task)).toEqual({ ok: true, sentCopy: 'found' });
    await h.stop();
    const again = await startHarness();
    defer(() => again.stop());
    const sameAccount = await again.core.api.addAccount(alice.input);
    again.attach();
    await eventually(
      async () => (await again.db.folders.get(`${sameAccount.id}:Sent`)) !== undefined,
      15_000,
      'the folder list after the restart',
    );
    const replay = { ...task, accountId: sameAccount.id };
    expect(await again.bridge.performTask(replay)).toEqual({ ok: true, sentCopy: 'found' });
    // Give a second delivery, had there been one, time to arrive.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await withMessageId(bob.client, 'INBOX', messageId)).toHaveLength(1);
    expect(await withMessageId(alice.client, 'Sent', messageId)).toHaveLength(1);
  });

  it('a recipient refused at RCPT fails for good, with the server’s reply', async () => {
    const alice = await mailbox('alice');
    const { h, account } = await petrelFor(alice.input);
    const task = sendTask(account, { to: [{ address: `nobody@${rig.domain}` }] });
    const result = await h.bridge.performTask(task);
    expect(result).toMatchObject({ ok: false, permanent: true });
    if (result.ok) return;
    expect(result.reason).toMatch(/^the server refused: 550 5\.1\.1 .*User unknown/);
    expect(await withMessageId(alice.client, 'Sent', task.message.messageId)).toEqual([]);
  });

  it('refuses CR/LF in a subject at the boundary; "Bcc:" text in a subject stays text', async () => {
    const alice = await mailbox('alice');
    const bob = await mailbox('bob');
    const eve = await mailbox('eve');
    const { h, account } = await petrelFor(alice.input);
    const to = [{ address: bob.user.address }];

    const injected = sendTask(account, { to, subject: `x\r\nBcc: ${eve.user.address}` });
    await expect(h.bridge.performTask(injected)).rejects.toThrow(/one line/);

    const plain = sendTask(account, { to, subject: `x Bcc: ${eve.user.address}` });
    expect(await h.bridge.performTask(plain)).toEqual({ ok: true, sentCopy: 'appended' });
    const uid = await arrived(bob.client, 'INBOX', plain.message.messageId);
    const { header } = await fetchMessage(bob.client, 'INBOX', uid);
    expect(headerLines(header, 'subject')).toEqual([`Subject: x Bcc: ${eve.user.address}`]);
    expect(headerLines(header, 'bcc')).toEqual([]);
    // Nothing for eve, from either task (Postfix delivers within a second here).
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await withMessageId(eve.client, 'INBOX', plain.message.messageId)).toEqual([]);
    expect(await withMessageId(eve.client, 'INBOX', injected.message.messageId)).toEqual([]);
    expect(await withMessageId(bob.client, 'INBOX', injected.message.messageId)).toEqual([]);
  });

  it('with the SMTP server unreachable, fails for now, quickly', async () => {
    const alice = await mailbox('alice');
    const closedPort = await freePort();
    const input = { ...alice.input, smtp: { ...alice.input.smtp, port: closedPort } };
    const { h, account } = await petrelFor(input);
    const task = sendTask(account, { to: [{ address: alice.user.address }] });
    const started = Date.now();
    const result = await h.bridge.performTask(task);
    expect(result).toEqual({
      ok: false,
      permanent: false,
      reason: 'the mail server for sending cannot be reached right now',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await withMessageId(alice.client, 'Sent', task.message.messageId)).toEqual([]);
  });
});

/** A loopback port nothing listens on (bound, then let go). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}
