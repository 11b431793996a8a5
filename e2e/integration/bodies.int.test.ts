/**
 * Message parts on demand and for offline reading, against Dovecot: only the parts asked for
 * travel, text arrives decoded, attachments byte for byte, and prefetch fills the cache.
 */
import { randomBytes } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import { describe, expect, inject, it } from 'vitest';
import { textPart } from '#shared/mime';
import { startPrefetch } from '../../src-renderer/src/cache/prefetch.ts';
import { downloadParts } from '../../src-main/core/sync/body-fetch.ts';
import { imapClientFor, seedMailbox } from '../mailserver/rig.ts';
import { expectConverged, useCleanups } from './fixtures.ts';
import { eventually, newUserAccount, otherClient, startHarness, type Harness } from './harness.ts';

const rig = inject('mailRig');
const defer = useCleanups();

async function synced(): Promise<{ h: Harness; client: ImapFlow; accountId: string }> {
  const { user, input } = await newUserAccount(rig);
  await seedMailbox(rig, user.address, 30);
  await seedMailbox(rig, user.address, 10, { folder: 'Archive' });
  const client = await otherClient(rig, user);
  defer(() => client.logout());
  const h = await startHarness();
  defer(() => h.stop());
  const account = await h.core.api.addAccount(input);
  h.attach();
  await expectConverged(h, client, account, 15_000);
  return { h, client, accountId: account.id };
}

function multipart(subject: string, text: string, attachment: Buffer): string {
  const boundary = 'b-' + randomBytes(6).toString('hex');
  const base64 = attachment.toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    `Subject: ${subject}`,
    'From: a@example.test',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=iso-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    text,
    `--${boundary}`,
    'Content-Type: application/octet-stream; name="data.bin"',
    'Content-Disposition: attachment; filename="data.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    base64,
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

describe('message parts', () => {
  it('fetches the text decoded and an attachment byte for byte, into the cache', async () => {
    const { h, client, accountId } = await synced();
    const payload = randomBytes(50_000);
    await client.append('INBOX', multipart('With attachment', 'Gr=FC=DFe aus K=F6ln', payload));
    const rowId = await eventually(
      async () =>
        (await h.db.messages.filter((m) => m.subject === 'With attachment').first()) !== undefined,
      3_000,
      'the new message',
    ).then(
      async () => (await h.db.messages.filter((m) => m.subject === 'With attachment').first())!.id,
    );
    const row = await h.db.messages.get(rowId);
    expect(row?.hasAttachments).toBe(true);
    expect(row?.preview).toBe('Grüße aus Köln');

    await h.core.api.loadParts([{ rowId, parts: ['1', '2'] }]);
    const text = await h.db.bodies.get([rowId, '1']);
    const file = await h.db.bodies.get([rowId, '2']);
    expect(text?.text).toBe('Grüße aus Köln');
    expect(Buffer.from(file?.data ?? []).equals(payload)).toBe(true);
    expect(accountId).toBeTruthy();
  });

  it('transfers only the part asked for, not a 30 MB message', async () => {
    const { user } = await newUserAccount(rig);
    const client = await otherClient(rig, user);
    defer(() => client.logout());
    await client.append(
      'INBOX',
      multipart('Huge', 'Just a short note.', randomBytes(30 * 1024 * 1024)),
    );
    await client.mailboxOpen('INBOX');
    const reader = imapClientFor(rig, user);
    await reader.connect();
    defer(() => reader.logout());
    await reader.mailboxOpen('INBOX');
    reader.stats(true);
    const [body] = await downloadParts(reader, [{ rowId: 'x#1', uid: 1, parts: ['1'] }]);
    const received = reader.stats().received;
    expect(body?.text).toBe('Just a short note.');
    expect(received).toBeLessThan(64 * 1024);
  });
});

describe('priority', () => {
  it('a reader opening a message does not wait for a long folder sync on the work connection', async () => {
    const { user, input } = await newUserAccount(rig);
    await seedMailbox(rig, user.address, 3, { folder: 'Sent' });
    await seedMailbox(rig, user.address, 15_000, { folder: 'Archive' });
    const h = await startHarness();
    defer(() => h.stop());
    const account = await h.core.api.addAccount(input);
    h.attach();
    const archive = `${account.id}:Archive`;
    await eventually(
      async () => (await h.db.checkpoints.get(archive))?.backfillBelow !== undefined,
      20_000,
      'the Archive sync to be under way',
    );
    const rowId = `${account.id}:Sent#3`;
    expect(await h.db.messages.get(rowId)).toBeDefined();
    await h.core.api.loadParts([{ rowId, parts: ['1'] }]);
    expect((await h.db.checkpoints.get(archive))?.backfillBelow).toBeGreaterThan(1);
    expect((await h.db.bodies.get([rowId, '1']))?.text).toContain('Message 3 of 3');
  });
});

describe('offline prefetch', () => {
  it('saves the text of every message in the window, INBOX first, and nothing twice', async () => {
    const { h } = await synced();
    const progress: { saved: number; missing: number }[] = [];
    const stop = startPrefetch(h.db, h.core.api, {
      windowDays: null,
      onProgress: (p) => progress.push(p),
    });
    defer(async () => stop());
    await eventually(async () => (await h.db.bodies.count()) === 40, 15_000, '40 text parts');
    const rows = await h.db.messages.toArray();
    for (const row of rows) {
      const part = textPart(row.structure!)!;
      const body = await h.db.bodies.get([row.id, part.part]);
      expect(body?.text).toContain(row.subject.replace('Seed message ', 'Message '));
    }
    expect(progress.at(-1)).toEqual({ saved: 40, missing: 40 });
  });
});
