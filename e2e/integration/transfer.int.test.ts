/**
 * transferMessages between two accounts against Dovecot: 20 messages with attachments arrive
 * byte-identical (with their flags and dates) and leave the source; replays — after a clean run,
 * after a crash that left copies behind — never duplicate; and a target server that goes away
 * half-way loses nothing: each message is in the source or verified in the target, and a retry
 * once the server is back completes the transfer.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { describe, expect, inject, it } from 'vitest';
import type { AccountSummary } from '#shared/accounts';
import type { TaskResult, TransferMessagesTask } from '#shared/tasks';
import type { TransferHooks } from '../../src-main/core/tasks/transfer-messages.ts';
import { startImapServer, stopImapServer, type MailRig } from '../mailserver/rig.ts';
import { expectConverged, useCleanups, useOwnRig } from './fixtures.ts';
import {
  eventually,
  newUserAccount,
  otherClient,
  startHarness,
  storedMessages,
  uidValidityOf,
  type Harness,
  type StoredMessage,
} from './harness.ts';

const defer = useCleanups();

const COUNT = 20;
/** This one has no Message-ID: a copy of it is recognized by size and bytes alone. */
const WITHOUT_MESSAGE_ID = 7;

interface Side {
  user: { address: string; password: string };
  client: ImapFlow;
  account: AccountSummary;
}

interface Pair {
  h: Harness;
  from: Side;
  to: Side;
  /** The 20 messages as built (raw bytes as appended), index 0 = message 1. */
  originals: Buffer[];
  transfer(uids?: number[]): Promise<TaskResult>;
}

/** Two accounts in one app; the source's INBOX holds 20 messages with attachments. */
async function pair(sourceRig: MailRig, targetRig: MailRig, hooks?: TransferHooks): Promise<Pair> {
  const source = await newUserAccount(sourceRig, 'from');
  const target = await newUserAccount(targetRig, 'to');
  const fromClient = await otherClient(sourceRig, source.user);
  const toClient = await otherClient(targetRig, target.user);
  // A test that stops the target server takes this client's connection with it.
  toClient.on('error', () => {});
  defer(() => fromClient.logout().catch(() => {}));
  defer(() => toClient.logout().catch(() => {}));

  const originals: Buffer[] = [];
  for (let i = 1; i <= COUNT; i++) {
    const raw = await buildMessage(i);
    originals.push(raw);
    const flags = [
      i % 2 ? '\\Seen' : '',
      i % 5 === 0 ? '\\Flagged' : '',
      i % 7 === 0 ? '$Label1' : '',
    ].filter(Boolean);
    await fromClient.append('INBOX', raw, flags, new Date(Date.UTC(2024, 0, i, 8, 30)));
  }

  const h = await startHarness({
    pollIntervalMs: 1_000,
    ...(hooks ? { transferHooks: hooks } : {}),
  });
  defer(() => h.stop());
  const fromAccount = await h.core.api.addAccount(source.input);
  const toAccount = await h.core.api.addAccount(target.input);
  h.attach();
  for (const account of [fromAccount, toAccount]) {
    // The work connection (which carries tasks) is up once the first poll has listed folders.
    await eventually(
      async () => (await h.db.checkpoints.get(`${account.id}:Archive`)) !== undefined,
      15_000,
      `the first poll of ${account.email}`,
    );
  }
  const uidValidity = await uidValidityOf(fromClient, 'INBOX');
  return {
    h,
    from: { user: source.user, client: fromClient, account: fromAccount },
    to: { user: target.user, client: toClient, account: toAccount },
    originals,
    transfer: (uids = range(1, COUNT)) => {
      const task: TransferMessagesTask = {
        type: 'transferMessages',
        accountId: fromAccount.id,
        folderId: `${fromAccount.id}:INBOX`,
        uidValidity,
        uids,
        targetAccountId: toAccount.id,
        targetFolderId: `${toAccount.id}:Archive`,
      };
      return h.bridge.performTask(task);
    },
  };
}

/** Message i: text, and one or two binary attachments of 10–60 KB. */
async function buildMessage(i: number): Promise<Buffer> {
  const attachments = [{ filename: `data-${i}.bin`, content: randomBytes(10_000 + i * 2_500) }];
  if (i % 3 === 0) attachments.push({ filename: `more-${i}.bin`, content: randomBytes(20_000) });
  const composer = new MailComposer({
    from: 'Sender <sender@example.test>',
    to: 'someone@example.test',
    subject: `Transfer ${i}`,
    // CRLF throughout: the server hands out CRLF, and the test compares bytes.
    text: `Message ${i}\r\n`.repeat(20),
    date: new Date(Date.UTC(2024, 0, i, 8, 0)),
    messageId: `<transfer-${i}-${randomBytes(4).toString('hex')}@example.test>`,
    attachments,
  });
  const raw: Buffer = await new Promise((resolve, reject) =>
    composer.compile().build((error, message) => (error ? reject(error) : resolve(message))),
  );
  if (i !== WITHOUT_MESSAGE_ID) return raw;
  return Buffer.from(raw.toString('latin1').replace(/^Message-ID: .*\r\n/im, ''), 'latin1');
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, k) => from + k);
}

const hash = (raw: Buffer) => createHash('sha256').update(raw).digest('hex');

/** How often each original is in `messages`, by original number (1-based). */
function countsOf(originals: Buffer[], messages: StoredMessage[]): Record<number, number> {
  const byHash = new Map(originals.map((raw, k) => [hash(raw), k + 1]));
  const counts: Record<number, number> = {};
  for (const message of messages) {
    const n = byHash.get(hash(message.raw));
    if (n !== undefined) counts[n] = (counts[n] ?? 0) + 1;
  }
  return counts;
}

/** A message without its bytes (deep-comparing megabytes of Buffers takes seconds). */
const digest = ({ uid, raw, flags, internalDate }: StoredMessage) => ({
  uid,
  sha256: hash(raw),
  flags,
  internalDate,
});

const once = (numbers: number[]) => Object.fromEntries(numbers.map((n) => [n, 1]));

describe('performTask: transferMessages', () => {
  const rig = inject('mailRig');

  it('moves 20 messages byte for byte, with flags and dates; a replay duplicates nothing', async () => {
    const p = await pair(rig, rig);
    const sent = await storedMessages(p.from.client, 'INBOX');
    expect(countsOf(p.originals, sent)).toEqual(once(range(1, COUNT)));

    const result = await p.transfer();

    const targetValidity = await uidValidityOf(p.to.client, 'Archive');
    expect(result).toEqual({
      ok: true,
      movedTo: {
        folderId: `${p.to.account.id}:Archive`,
        uidValidity: targetValidity,
        uids: range(1, COUNT).map((uid) => [uid, uid]),
      },
    });
    expect(await storedMessages(p.from.client, 'INBOX')).toEqual([]);
    const arrived = await storedMessages(p.to.client, 'Archive');
    expect(countsOf(p.originals, arrived)).toEqual(once(range(1, COUNT)));
    // What the source had, the target has: bytes, flags and INTERNALDATE, UID for UID.
    expect(arrived.map(digest)).toEqual(sent.map(digest));

    // Replayed (its answer lost): nothing is left in the source, nothing more arrives.
    expect(await p.transfer()).toEqual({ ok: true });
    expect((await storedMessages(p.to.client, 'Archive')).map(digest)).toEqual(arrived.map(digest));

    await expectConverged(p.h, p.from.client, p.from.account, 10_000);
    await expectConverged(p.h, p.to.client, p.to.account, 10_000);
  });

  it('after a crash that left copies in the target, appends only what is missing', async () => {
    const p = await pair(rig, rig);
    // An earlier run uploaded 1–10 (one without a Message-ID), then died before removing them.
    for (const raw of p.originals.slice(0, 10)) await p.to.client.append('Archive', raw);
    // Not a copy: another message that carries the Message-ID of number 12.
    const impostor = Buffer.from(
      p.originals[11]!.toString('latin1').replace('Message 12', 'Message 12 (another one)'),
      'latin1',
    );
    await p.to.client.append('Archive', impostor);

    expect(await p.transfer()).toMatchObject({ ok: true });

    expect(await storedMessages(p.from.client, 'INBOX')).toEqual([]);
    const arrived = await storedMessages(p.to.client, 'Archive');
    expect(countsOf(p.originals, arrived)).toEqual(once(range(1, COUNT)));
    expect(arrived.length).toBe(COUNT + 1);
    expect(arrived.some((m) => m.raw.equals(impostor))).toBe(true);
  });

  it('refuses a transfer to a folder that does not exist, touching nothing', async () => {
    const p = await pair(rig, rig);
    const before = await storedMessages(p.from.client, 'INBOX');
    const task: TransferMessagesTask = {
      type: 'transferMessages',
      accountId: p.from.account.id,
      folderId: `${p.from.account.id}:INBOX`,
      uidValidity: await uidValidityOf(p.from.client, 'INBOX'),
      uids: [1, 2],
      targetAccountId: p.to.account.id,
      targetFolderId: `${p.to.account.id}:Nowhere`,
    };
    expect(await p.h.bridge.performTask(task)).toEqual({
      ok: false,
      permanent: true,
      reason: 'the folder to move to does not exist on the server',
    });
    expect((await storedMessages(p.from.client, 'INBOX')).map(digest)).toEqual(before.map(digest));
  });
});

describe('transferMessages with the target server going away half-way', () => {
  const targetRig = useOwnRig();

  it('loses nothing, and a retry once it is back completes with no duplicate', async () => {
    const rig = inject('mailRig');
    let stopped = false;
    const p = await pair(rig, targetRig(), {
      afterCopy: async (done) => {
        if (done !== 7 || stopped) return;
        stopped = true;
        await stopImapServer(targetRig());
      },
    });
    let restarted = false;
    try {
      const result = await p.transfer();
      expect(stopped).toBe(true);
      expect(result).toMatchObject({ ok: false, permanent: false });

      // Still down: fails for now, again, and changes nothing.
      expect(await p.transfer()).toMatchObject({ ok: false, permanent: false });
      const left = await storedMessages(p.from.client, 'INBOX');
      expect(countsOf(p.originals, left)).toEqual(once(range(8, COUNT)));

      await startImapServer(targetRig());
      restarted = true;
    } finally {
      if (!restarted) await startImapServer(targetRig());
    }
    // The first client went down with the server.
    const target = await otherClient(targetRig(), p.to.user);
    defer(() => target.logout().catch(() => {}));
    // Every message is in the source, or verified in the target; none in both.
    const placed = await storedMessages(target, 'Archive');
    expect(countsOf(p.originals, placed)).toEqual(once(range(1, 7)));

    p.h.core.wake();
    await eventually(
      async () => (await p.transfer()).ok,
      30_000,
      'the transfer to complete once the target is back',
    );
    expect(await storedMessages(p.from.client, 'INBOX')).toEqual([]);
    const arrived = await storedMessages(target, 'Archive');
    expect(countsOf(p.originals, arrived)).toEqual(once(range(1, COUNT)));
    expect(arrived.length).toBe(COUNT);
  });
});
