/** What a user does in the UI again and again, found by roles and labels as a screen reader would. */
import { expect, type Page } from '@playwright/test';
import type { MailRig } from '../mailserver/rig.ts';

/**
 * Adds an account through the form (the first screen of a new profile, or "+ Add account"),
 * trusting the rig's self-signed certificate when asked, and waits for its folders to show.
 */
export async function addAccountInUi(
  page: Page,
  rig: MailRig,
  user: { address: string; password: string },
  name: string,
): Promise<void> {
  await page
    .getByRole('button', { name: /Add account/ })
    .first()
    .click();
  const form = page.getByRole('dialog').or(page.locator('form')).first();
  await form.getByLabel('Account name').fill(name);
  await form.getByLabel('Email address').fill(user.address);
  await form.getByLabel('Password').fill(user.password);
  await form.getByLabel('IMAP server').fill(rig.host);
  await form.getByLabel('IMAP security').selectOption('tls');
  await form.getByLabel('IMAP port').fill(String(rig.imap.tls));
  await form.getByLabel('SMTP server').fill(rig.host);
  await form.getByLabel('SMTP security').selectOption('tls');
  await form.getByLabel('SMTP port').fill(String(rig.smtp.tls));
  const submit = form.getByRole('button', { name: 'Add account' });
  await submit.click();
  const folders = page.getByRole('tree', { name: `Folders of ${name}` });
  const trust = page.getByRole('button', { name: 'Trust this certificate' });
  // The rig's certificate is self-signed: IMAP and SMTP each ask once, then the form resubmits.
  await expect(folders.or(trust.first())).toBeVisible({ timeout: 15_000 });
  if (await trust.first().isVisible()) {
    for (let i = 0; i < 4 && (await trust.first().isVisible()); i++) await trust.first().click();
    await submit.click();
  }
  await expect(folders.getByRole('treeitem', { name: /^Inbox/ })).toBeVisible({ timeout: 15_000 });
}

/** The message list's lines (only those on screen exist: the list is virtualized). */
export function messageRows(page: Page) {
  return page.getByRole('listbox', { name: 'Messages' }).getByRole('option');
}

/** Opens "Write", fills To, Subject and the message (typed into the editor), and sends. */
export async function writeMessage(
  page: Page,
  fields: { to: string; subject: string; body: string },
): Promise<void> {
  await page.getByRole('button', { name: 'Write' }).click();
  const composer = page.getByRole('dialog', { name: 'New message' });
  await composer.getByLabel('To', { exact: true }).fill(fields.to);
  await composer.getByLabel('Subject').fill(fields.subject);
  await composer.getByLabel('Message').fill(fields.body);
  await composer.getByRole('button', { name: 'Send' }).click();
  // Queued (in the outbox): the composer has closed.
  await expect(composer).toHaveCount(0);
}

/** Settings → Sending: how long a sent message is held for Undo (0: sent at once). */
export async function setUndoSendSeconds(page: Page, seconds: number): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByLabel('Seconds to hold a sent message for undo').fill(String(seconds));
  await dialog.getByRole('button', { name: 'Done' }).click();
}

/** Settings → Edit <account>: the main identity's display name and signature, saved. */
export async function setMainIdentity(
  page: Page,
  account: { name: string; address: string },
  identity: { name: string; signature: string },
): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('button', { name: `Edit ${account.name}` }).click();
  const form = page.getByRole('dialog', { name: `Edit ${account.name}` });
  const main = form.getByRole('group', { name: `Main identity: ${account.address}` });
  await main.getByLabel('Your name').fill(identity.name);
  await main.getByLabel('Signature').fill(identity.signature);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toBeHidden({ timeout: 15_000 });
}
