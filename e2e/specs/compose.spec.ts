/**
 * Writing and sending through the UI, against the real Postfix delivering into Dovecot: a new
 * message arrives in the other account's open INBOX and leaves exactly one Sent copy; a reply-all
 * threads with it and addresses the right people once; a message Postfix refuses stays in the
 * outbox with the server's reason, to be fixed and sent.
 */
import { expect, test } from '@playwright/test';
import { createUser, imapClientFor, type MailRig } from '../mailserver/rig.ts';
import { startBrowserMode, type BrowserModeHost } from '../support/browser-mode.ts';
import { e2eRig } from '../support/rig.ts';
import { serverMessages, type RigUser } from '../support/server.ts';
import { addAccountInUi, messageRows, writeMessage } from '../support/ui.ts';

let host: BrowserModeHost;

test.beforeEach(async () => {
  host = await startBrowserMode();
});

test.afterEach(async () => {
  await host.stop();
});

test('a message goes out once, arrives in the open app, and a reply-all threads with it', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const bob = await createUser(rig, 'bob');
  await page.goto(host.url);
  await addAccountInUi(page, rig, alice, 'Alice');
  await addAccountInUi(page, rig, bob, 'Bob');

  // Alice's account is first: the composer sends from it.
  await writeMessage(page, {
    to: `Bob <${bob.address}>`,
    subject: 'Lunch on Friday',
    body: 'Noon at the harbour?',
  });
  await page.getByRole('treeitem', { name: /^All inboxes/ }).click();
  const original = messageRows(page).filter({ hasText: 'Lunch on Friday' });
  await expect(original).toHaveAccessibleName(/account Bob$/, { timeout: 15_000 });
  await expect
    .poll(async () => (await serverMessages(rig, alice, 'Sent')).length, { timeout: 15_000 })
    .toBe(1);

  await original.click();
  const reader = page.getByRole('article', { name: 'Message' });
  // Written in the rich editor: the reader shows its HTML in the sandboxed frame.
  const body = reader.frameLocator('iframe[title="Message content"]').locator('body');
  await expect(body).toContainText('Noon at the harbour?');
  await reader.getByRole('button', { name: 'Reply all' }).click();
  const composer = page.getByRole('dialog', { name: 'Re: Lunch on Friday' });
  // Recipients are chips: Alice in To, and nobody else (no Cc).
  await expect(composer.getByRole('button', { name: `Remove ${alice.address}` })).toBeVisible();
  await expect(composer.getByRole('button', { name: /^Remove / })).toHaveCount(1);
  await composer.getByLabel('Message').press('Control+Home');
  await composer.getByLabel('Message').pressSequentially('Yes, see you there. ');
  await page.screenshot({ path: 'artifacts/composer-reply.png' });
  await composer.getByRole('button', { name: 'Send' }).click();

  // The reply reaches Alice, answers the original, and joins its conversation here.
  await expect
    .poll(async () => (await serverMessages(rig, alice)).map((m) => m.subject), { timeout: 15_000 })
    .toEqual(['Re: Lunch on Friday']);
  const sent = (await serverMessages(rig, alice, 'Sent'))[0];
  const [received] = await envelopes(rig, alice, 'INBOX');
  expect(received?.inReplyTo).toBe(sent?.messageId);
  // Alice is addressed once (To), and not again in Cc.
  const addressed = [...(received?.to ?? []), ...(received?.cc ?? [])].map((a) => a.address);
  expect(addressed).toEqual([alice.address]);
  await expect
    .poll(async () => (await serverMessages(rig, bob, 'Sent')).length, { timeout: 15_000 })
    .toBe(1);
  await expect(messageRows(page).filter({ hasText: 'Re: Lunch on Friday' })).toHaveAccessibleName(
    /2 messages/,
    { timeout: 15_000 },
  );
});

test('a refused recipient leaves the message in the outbox with the reason, to fix and send', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const bob = await createUser(rig, 'bob');
  await page.goto(host.url);
  await addAccountInUi(page, rig, alice, 'Alice');

  await writeMessage(page, {
    to: 'nobody@example.test',
    subject: 'Minutes',
    body: 'Attached soon.',
  });
  await expect(page.getByRole('alert').filter({ hasText: 'was not sent' })).toContainText('550', {
    timeout: 20_000,
  });
  await page.getByRole('tree', { name: 'Outbox' }).getByRole('treeitem').click();
  const outbox = page.getByRole('dialog', { name: 'Outbox' });
  await expect(outbox.getByRole('listitem', { name: 'Minutes' })).toContainText('Not sent');
  await outbox.getByRole('button', { name: 'Edit' }).click();
  const composer = page.getByRole('dialog', { name: 'Minutes' });
  await composer.getByRole('button', { name: 'Remove nobody@example.test' }).click();
  await composer.getByLabel('To', { exact: true }).fill(bob.address);
  await composer.getByRole('button', { name: 'Send' }).click();

  await expect
    .poll(async () => (await serverMessages(rig, bob)).map((m) => m.subject), { timeout: 15_000 })
    .toEqual(['Minutes']);
  await expect(page.getByRole('tree', { name: 'Outbox' })).toHaveCount(0, { timeout: 15_000 });
  expect((await serverMessages(rig, alice, 'Sent')).map((m) => m.subject)).toEqual(['Minutes']);
});

test('undo send takes a message back before it leaves, into the composer', async ({ page }) => {
  test.setTimeout(60_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const bob = await createUser(rig, 'bob');
  await page.goto(host.url);
  await addAccountInUi(page, rig, alice, 'Alice');

  await writeMessage(page, { to: bob.address, subject: 'Second thoughts', body: 'On reflection…' });
  await page.getByRole('status', { name: 'Undo' }).getByRole('button', { name: 'Undo' }).click();
  const composer = page.getByRole('dialog', { name: 'Second thoughts' });
  await expect(composer.getByLabel('Message')).toHaveText('On reflection…');
  // Longer than the hold (5 s): had it gone, it would be there by now.
  await page.waitForTimeout(7_000);
  expect(await serverMessages(rig, bob)).toEqual([]);

  await composer.getByRole('button', { name: 'Send' }).click();
  await expect
    .poll(async () => (await serverMessages(rig, bob)).map((m) => m.subject), { timeout: 20_000 })
    .toEqual(['Second thoughts']);
});

test('a 2 MB attachment picked in the composer arrives byte-identical', async ({ page }) => {
  test.setTimeout(90_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const bob = await createUser(rig, 'bob');
  const bytes = Buffer.from(Array.from({ length: 2 * 1024 * 1024 }, (_, i) => (i * 7 + 3) % 251));
  await page.goto(host.url);
  await addAccountInUi(page, rig, alice, 'Alice');

  await page.getByRole('button', { name: 'Write' }).click();
  const composer = page.getByRole('dialog', { name: 'New message' });
  await composer.getByLabel('To', { exact: true }).fill(bob.address);
  await composer.getByLabel('Subject').fill('The figures');
  await composer.getByLabel('Message').fill('Here they are.');
  await composer.getByLabel('Attach files').setInputFiles({
    name: 'figures.bin',
    mimeType: 'application/octet-stream',
    buffer: bytes,
  });
  await expect(composer.getByRole('list', { name: 'Attachments' })).toContainText('figures.bin');
  await composer.getByRole('button', { name: 'Send' }).click();

  await expect
    .poll(async () => (await serverMessages(rig, bob)).length, { timeout: 20_000 })
    .toBe(1);
  const client = imapClientFor(rig, bob);
  await client.connect();
  try {
    await client.mailboxOpen('INBOX', { readOnly: true });
    const message = await client.fetchOne('1', { bodyStructure: true });
    const parts = (message && message.bodyStructure?.childNodes) || [];
    const section = parts.find(
      (n) => n.dispositionParameters?.['filename'] === 'figures.bin',
    )?.part;
    expect(section).toBeDefined();
    const { content } = await client.download('1', section);
    const chunks: Buffer[] = [];
    for await (const chunk of content ?? []) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  } finally {
    await client.logout();
  }
  await expect
    .poll(async () => (await serverMessages(rig, alice, 'Sent')).length, { timeout: 15_000 })
    .toBe(1);
});

/** The envelopes of a folder's messages (who it was addressed to, what it answers). */
async function envelopes(rig: MailRig, user: RigUser, path: string) {
  const client = imapClientFor(rig, user);
  await client.connect();
  const out = [];
  try {
    await client.mailboxOpen(path, { readOnly: true });
    for await (const m of client.fetch('1:*', { envelope: true }))
      if (m.envelope) out.push(m.envelope);
  } finally {
    await client.logout();
  }
  return out;
}
