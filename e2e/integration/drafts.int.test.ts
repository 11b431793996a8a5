/**
 * saveDraft and deleteDraft against the real Dovecot (and a send through Postfix): saving again
 * and again leaves exactly one copy in Drafts, the newest, flagged \Draft \Seen and with its Bcc;
 * a replayed save appends nothing; another draft is never touched; deleting removes every copy;
 * sending the message removes its draft. Without UIDPLUS the old copies are only flagged
 * \Deleted (no plain EXPUNGE), and never counted.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import { describe, expect, inject, it } from 'vitest';
import type { AccountInput, AccountSummary } from '#shared/accounts';
import type { DeleteDraftTask, OutgoingMessage, SaveDraftTask } from '#shared/tasks';
import type { MailRig } from '../mailserver/rig.ts';
import { useCleanups, useOwnRig } from './fixtures.ts';
import { eventually, petrelWithAccount, userWithClient } from './harness.ts';

const defer = useCleanups();
const sharedRig = (): MailRig => inject('mailRig');

const mailbox = (rig: MailRig, name: string) => userWithClient(rig, name, defer);
const petrelFor = (input: AccountInput) => petrelWithAccount(input, 'Drafts', defer);

const newMessageId = () => `<${randomBytes(8).toString('hex')}@example.test>`;

function saveTask(
  account: AccountSummary,
  messageId: string,
  message: Partial<OutgoingMessage> = {},
): SaveDraftTask {
  return {
    type: 'saveDraft',
    accountId: account.id,
    outboxId: `draft-${messageId}`,
    revision: randomUUID(),
    message: {
      messageId,
      from: { name: 'Alice', address: account.email },
      to: [],
      cc: [],
      bcc: [],
      subject: 'Plans',
      text: 'first version',
      date: Date.now(),
      ...message,
    },
  };
}

interface Copy {
  uid: number;
  flags: string[];
  text: string;
}

/** The messages in a folder with this Message-ID, \Deleted ones included, with flags and text. */
async function copies(client: ImapFlow, path: string, messageId: string): Promise<Copy[]> {
  const lock = await client.getMailboxLock(path, { readOnly: true });
  try {
    // The folder may have been selected here before: hear of what Petrel did meanwhile.
    await client.noop();
    const uids = await client.search({ header: { 'message-id': messageId } }, { uid: true });
    if (!Array.isArray(uids) || !uids.length) return [];
    const out: Copy[] = [];
    for await (const m of client.fetch(
      uids.join(','),
      { uid: true, flags: true, source: true },
      {
        uid: true,
      },
    )) {
      out.push({
        uid: m.uid,
        flags: [...(m.flags ?? [])].sort(),
        text: m.source?.toString('utf8') ?? '',
      });
    }
    return out.sort((a, b) => a.uid - b.uid);
  } finally {
    lock.release();
  }
}

const live = (list: Copy[]) => list.filter((c) => !c.flags.includes('\\Deleted'));

describe('drafts on the server', () => {
  it('saves leave one copy, the newest; a replay appends nothing; delete removes only it', async () => {
    const alice = await mailbox(sharedRig(), 'alice');
    const { h, account } = await petrelFor(alice.input);
    const id = newMessageId();
    const otherId = newMessageId();

    // Another draft, saved first: never touched by what follows.
    const other = saveTask(account, otherId, { subject: 'Other', text: 'other draft' });
    expect(await h.bridge.performTask(other)).toEqual({ ok: true });
    const [otherCopy] = await copies(alice.client, 'Drafts', otherId);

    // No recipient yet: a draft may have none.
    expect(await h.bridge.performTask(saveTask(account, id))).toEqual({ ok: true });
    for (const version of ['second version', 'third version']) {
      const task = saveTask(account, id, {
        to: [{ address: 'bob@example.test' }],
        bcc: [{ address: 'carol@example.test' }],
        text: version,
      });
      expect(await h.bridge.performTask(task)).toEqual({ ok: true });
    }
    const last = saveTask(account, id, {
      to: [{ address: 'bob@example.test' }],
      bcc: [{ address: 'carol@example.test' }],
      text: 'fourth version',
    });
    expect(await h.bridge.performTask(last)).toEqual({ ok: true });
    const afterSaves = await copies(alice.client, 'Drafts', id);
    expect(afterSaves).toHaveLength(1);
    const [kept] = afterSaves;
    expect(kept?.text).toContain('fourth version');
    expect(kept?.flags).toEqual(['\\Draft', '\\Seen']);
    expect(kept?.text).toMatch(/^Bcc: carol@example\.test\r$/m);

    // The same task again (a lost answer, a restart): the very same copy stays, nothing added.
    expect(await h.bridge.performTask(last)).toEqual({ ok: true });
    expect(await copies(alice.client, 'Drafts', id)).toEqual(afterSaves);

    expect(await copies(alice.client, 'Drafts', otherId)).toEqual([otherCopy]);

    const remove: DeleteDraftTask = { type: 'deleteDraft', accountId: account.id, messageId: id };
    expect(await h.bridge.performTask(remove)).toEqual({ ok: true });
    expect(await copies(alice.client, 'Drafts', id)).toEqual([]);
    // Again: nothing left to delete is not an error.
    expect(await h.bridge.performTask(remove)).toEqual({ ok: true });
    expect(await copies(alice.client, 'Drafts', otherId)).toEqual([otherCopy]);
    // The cache follows: the Drafts folder shows the other draft only.
    await eventually(
      async () => {
        // The cache keeps Message-IDs without their angle brackets.
        const bare = [id, otherId].map((m) => m.slice(1, -1));
        const rows = await h.db.messages.where('messageId').anyOf(bare).toArray();
        return rows.length === 1 && rows[0]?.messageId === bare[1];
      },
      10_000,
      'the cache to show the remaining draft',
    );
  });

  it('copies another client left under the same Message-ID go with the next save', async () => {
    const alice = await mailbox(sharedRig(), 'alice');
    const { h, account } = await petrelFor(alice.input);
    const id = newMessageId();
    const raw = `Message-ID: ${id}\r\nSubject: Plans\r\n\r\nstale copy\r\n`;
    await alice.client.append('Drafts', raw, ['\\Draft']);
    await alice.client.append('Drafts', raw, ['\\Draft']);
    expect(await h.bridge.performTask(saveTask(account, id, { text: 'mine' }))).toEqual({
      ok: true,
    });
    const left = await copies(alice.client, 'Drafts', id);
    expect(left.map((c) => c.text.includes('mine'))).toEqual([true]);
  });

  it('sending the message removes its draft', async () => {
    const alice = await mailbox(sharedRig(), 'alice');
    const { h, account } = await petrelFor(alice.input);
    const id = newMessageId();
    const to = [{ address: alice.user.address }];
    expect(await h.bridge.performTask(saveTask(account, id, { to }))).toEqual({ ok: true });
    expect(await copies(alice.client, 'Drafts', id)).toHaveLength(1);
    const sent = await h.bridge.performTask({
      type: 'sendMessage',
      accountId: account.id,
      outboxId: 'send-1',
      message: { ...saveTask(account, id, { to }).message, text: 'the final text' },
    });
    expect(sent).toMatchObject({ ok: true, sentCopy: 'appended' });
    expect(await copies(alice.client, 'Drafts', id)).toEqual([]);
    expect(await copies(alice.client, 'Sent', id)).toHaveLength(1);
  });
});

describe('drafts on a server without UIDPLUS', () => {
  const ownRig = useOwnRig({ noUidplus: true });

  it('old copies are flagged \\Deleted, never expunged with a plain EXPUNGE, and not counted', async () => {
    const alice = await mailbox(ownRig(), 'alice');
    expect(alice.client.capabilities.has('UIDPLUS')).toBe(false);
    const { h, account } = await petrelFor(alice.input);
    // Another client's message flagged \Deleted: a plain EXPUNGE would take it too.
    await alice.client.append('Drafts', 'Subject: theirs\r\n\r\nkeep me\r\n', ['\\Deleted']);
    const id = newMessageId();
    const first = saveTask(account, id, { text: 'first' });
    const second = saveTask(account, id, { text: 'second' });
    expect(await h.bridge.performTask(first)).toEqual({ ok: true });
    expect(await h.bridge.performTask(second)).toEqual({ ok: true });
    // Replays of both, in order: the newest stays the only live copy.
    expect(await h.bridge.performTask(second)).toEqual({ ok: true });

    const all = await copies(alice.client, 'Drafts', id);
    expect(live(all).map((c) => c.text.includes('second'))).toEqual([true]);
    expect(all.length).toBe(2);
    const lock = await alice.client.getMailboxLock('Drafts', { readOnly: true });
    try {
      await alice.client.noop();
      const theirs = await alice.client.search({ subject: 'theirs' }, { uid: true });
      expect(theirs).toHaveLength(1);
    } finally {
      lock.release();
    }
  });
});
