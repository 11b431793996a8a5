/**
 * Recipients and identities through the UI, against the real rig: contacts harvested from synced
 * mail are offered as the user types (people written to in Sent above a more frequent sender),
 * picked contacts and pasted lists become chips, an invalid chip blocks sending with the reason,
 * and an alias added in the account's settings is offered in From and sends with its own name,
 * address and signature.
 */
import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { createUser, imapClientFor, type MailRig } from '../mailserver/rig.ts';
import { startBrowserMode, type BrowserModeHost } from '../support/browser-mode.ts';
import { e2eRig } from '../support/rig.ts';
import { appendRaw, serverMessages, type RigUser } from '../support/server.ts';
import { addAccountInUi, messageRows } from '../support/ui.ts';

let host: BrowserModeHost;

test.beforeEach(async () => {
  host = await startBrowserMode();
});

test.afterEach(async () => {
  await host.stop();
});

function rawMessage(from: string, to: string, subject: string, date: Date): string {
  return [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${randomUUID()}@example.test>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello.',
    '',
  ].join('\r\n');
}

/** The envelope and text of each message of a folder, oldest first. */
async function received(rig: MailRig, user: RigUser, path = 'INBOX') {
  const client = imapClientFor(rig, user);
  await client.connect();
  const out = [];
  try {
    await client.mailboxOpen(path, { readOnly: true });
    for await (const m of client.fetch('1:*', { envelope: true, source: true }))
      out.push({ envelope: m.envelope, text: m.source?.toString('utf8') ?? '' });
  } finally {
    await client.logout();
  }
  return out;
}

/** Pastes text into the focused field as the clipboard would (a real paste event). */
async function paste(page: Page, text: string) {
  await page.evaluate((pasted) => {
    const data = new DataTransfer();
    data.setData('text/plain', pasted);
    document.activeElement?.dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
    );
  }, text);
}

test('synced senders and recipients are suggested, best first; chips; an invalid one blocks sending', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const carol = await createUser(rig, 'carol');
  const carla = await createUser(rig, 'carla');
  const when = new Date(Date.now() - 3_600_000);
  // Carla wrote three times; Alice wrote to Carol once (Sent), at the same time: Carol first.
  for (const n of [1, 2, 3]) {
    await appendRaw(
      rig,
      alice,
      rawMessage(`Carla Frequent <${carla.address}>`, alice.address, `From Carla ${n}`, when),
      { date: when },
    );
  }
  await appendRaw(
    rig,
    alice,
    rawMessage(alice.address, `Carol Sent <${carol.address}>`, 'To Carol', when),
    { date: when, path: 'Sent' },
  );
  await page.goto(host.url);
  await addAccountInUi(page, rig, alice, 'Alice');
  await expect(messageRows(page)).toHaveCount(3, { timeout: 15_000 });

  await page.getByRole('button', { name: 'Write' }).click();
  const composer = page.getByRole('dialog', { name: 'New message' });
  const to = composer.getByLabel('To', { exact: true });
  await expect(to).toHaveRole('combobox');
  await to.pressSequentially('car');
  const suggestions = composer.getByRole('listbox', { name: 'Suggestions for To' });
  await expect(suggestions.getByRole('option')).toHaveText(
    [`Carol Sent <${carol.address}>`, `Carla Frequent <${carla.address}>`],
    { timeout: 20_000 },
  );
  await expect(to).toHaveAttribute('aria-expanded', 'true');
  await page.screenshot({ path: 'artifacts/composer-suggestions.png' });
  // Names match by any word, without case or accents; the user's own address is never offered.
  await to.fill('FRÉQ');
  await expect(suggestions.getByRole('option')).toHaveText([`Carla Frequent <${carla.address}>`]);
  await to.fill('alice');
  await expect(to).toHaveAttribute('aria-expanded', 'false');

  // Picking (first suggestion, Enter) makes a chip and empties the field.
  await to.fill('');
  await to.pressSequentially('car');
  await expect(suggestions.getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
  await to.press('Enter');
  await expect(composer.getByRole('button', { name: `Remove ${carol.address}` })).toBeVisible();
  await expect(to).toHaveValue('');
  await expect(suggestions).toBeHidden();
  // Arrows move, a click picks too; Escape closes the list.
  await to.pressSequentially('car');
  await expect(suggestions.getByRole('option')).toHaveText([`Carla Frequent <${carla.address}>`]);
  await to.press('Escape');
  await expect(suggestions).toBeHidden();
  await to.press('ArrowDown');
  await suggestions.getByRole('option', { name: /Carla/ }).click();
  await expect(composer.getByRole('button', { name: `Remove ${carla.address}` })).toBeVisible();

  // A pasted list is one chip per address; Backspace in the empty field takes the last one back.
  await to.focus();
  await paste(page, 'dave@example.test; Erin <erin@example.test>');
  await expect(composer.getByRole('button', { name: 'Remove dave@example.test' })).toBeVisible();
  await expect(composer.getByRole('button', { name: 'Remove erin@example.test' })).toBeVisible();
  await to.press('Backspace');
  await expect(composer.getByRole('button', { name: 'Remove erin@example.test' })).toHaveCount(0);
  await composer.getByRole('button', { name: 'Remove dave@example.test' }).click();

  // Text that is not an address becomes a chip marked invalid, and sending says why it cannot.
  await to.pressSequentially('carla at home,');
  const invalidChip = composer.getByRole('listitem').filter({ hasText: 'carla at home' });
  await expect(invalidChip).toHaveAttribute('aria-invalid', 'true');
  await to.pressSequentially('ca');
  await expect(suggestions.getByRole('option')).toHaveCount(0);
  await to.fill('');
  await composer.getByLabel('Subject').fill('Chips');
  await composer.getByRole('button', { name: 'Send' }).click();
  await expect(composer.getByRole('alert')).toHaveText(
    'Not an address: carla at home. Fix it to send.',
  );
  await expect(composer.getByText('Not an address: carla at home', { exact: true })).toBeVisible();
  await page.screenshot({ path: 'artifacts/composer-chips.png' });
  await composer.getByRole('button', { name: 'Remove carla at home' }).click();
  await composer.getByRole('button', { name: 'Send' }).click();

  // Both picked contacts get it, addressed by the names they were picked with.
  await expect
    .poll(async () => (await serverMessages(rig, carol)).map((m) => m.subject), { timeout: 20_000 })
    .toEqual(['Chips']);
  const [message] = await received(rig, carol);
  expect(message?.envelope?.to).toEqual([
    { name: 'Carol Sent', address: carol.address },
    { name: 'Carla Frequent', address: carla.address },
  ]);
});

test('an alias added in settings is offered in From and sends with its name, address and signature', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const bob = await createUser(rig, 'bob');
  const alias = `alice.work-${randomUUID().slice(0, 8)}@example.test`;
  await page.goto(host.url);
  await addAccountInUi(page, rig, alice, 'Alice');

  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Edit Alice' }).click();
  const form = page.getByRole('dialog', { name: 'Edit Alice' });
  const main = form.getByRole('group', { name: `Main identity: ${alice.address}` });
  await main.getByLabel('Your name').fill('Alice Liddell');
  await main.getByLabel('Signature').fill('Alice');
  await form.getByRole('button', { name: 'Add alias' }).click();
  const added = form.getByRole('group', { name: 'Alias 1' });
  await added.getByLabel('Address').fill(alias);
  await added.getByLabel('Your name').fill('Alice at Work');
  await added.getByLabel('Signature').fill('Alice, at work\nRoom 42');
  await added.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'artifacts/account-identities.png' });
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toBeHidden({ timeout: 15_000 });

  await page.getByRole('button', { name: 'Write' }).click();
  const composer = page.getByRole('dialog', { name: 'New message' });
  const from = composer.getByLabel('From');
  await expect(from.getByRole('option')).toHaveText([
    `Alice Liddell <${alice.address}>`,
    `Alice at Work <${alias}>`,
  ]);
  await composer.getByLabel('To', { exact: true }).fill(bob.address);
  await composer.getByLabel('Subject').fill('From the alias');
  // A new message starts with the main identity's signature; switching swaps it.
  const editor = composer.getByLabel('Message');
  await expect(editor).toContainText('-- Alice');
  await editor.click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.type('Hello Bob');
  await from.selectOption({ label: `Alice at Work <${alias}>` });
  await expect(editor).toContainText('Alice, at work');
  await expect(editor).toContainText('Room 42');
  const lines = (await editor.innerText()).split('\n').map((l) => l.trim());
  expect(lines.filter(Boolean)).toEqual(['Hello Bob', '--', 'Alice, at work', 'Room 42']);
  await composer.getByRole('button', { name: 'Send' }).click();

  await expect
    .poll(async () => (await serverMessages(rig, bob)).map((m) => m.subject), { timeout: 20_000 })
    .toEqual(['From the alias']);
  const [message] = await received(rig, bob);
  expect(message?.envelope?.from).toEqual([{ name: 'Alice at Work', address: alias }]);
  expect(message?.text).toContain('Room 42');
});
