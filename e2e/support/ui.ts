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
