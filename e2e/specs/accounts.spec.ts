/**
 * Adding an account as a user does it, against the real Dovecot and Postfix: the self-signed
 * certificate is refused and shown, trusted by its fingerprint, and the INBOX fills offline.
 */
import { X509Certificate } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { createUser, seedMailbox } from '../mailserver/rig.ts';
import { startBrowserMode, type BrowserModeHost } from '../support/browser-mode.ts';
import { e2eRig } from '../support/rig.ts';
import { messageRows } from '../support/ui.ts';

let host: BrowserModeHost;

test.beforeEach(async () => {
  host = await startBrowserMode();
});

test.afterEach(async () => {
  expect(await host.stop()).toBe(0);
});

test('add an account, trust its certificate, and see the inbox', async ({ page }) => {
  const rig = e2eRig();
  const user = await createUser(rig, 'carol');
  await seedMailbox(rig, user.address, 120);
  const fingerprint = new X509Certificate(rig.caPem).fingerprint256;

  await page.goto(host.url);
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByLabel('Account name').fill('Carol at work');
  await page.getByLabel('Email address').fill(user.address);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByLabel('IMAP server').fill(rig.host);
  await page.getByLabel('IMAP security').selectOption('starttls');
  await page.getByLabel('IMAP port').fill(String(rig.imap.starttls));
  await page.getByLabel('SMTP server').fill(rig.host);
  await page.getByLabel('SMTP security').selectOption('starttls');
  await page.getByLabel('SMTP port').fill(String(rig.smtp.starttls));
  await expect(page.getByText(/passwords are kept unencrypted/)).toBeVisible();

  await page.getByRole('button', { name: 'Add account' }).click();
  const problems = page.getByRole('alert', { name: 'Connection problems' });
  await expect(problems).toContainText('is self-signed');
  await expect(problems.getByText(fingerprint).first()).toBeVisible();
  await page.screenshot({ path: 'artifacts/account-untrusted-certificate.png' });
  await problems.getByRole('button', { name: 'Trust this certificate' }).first().click();
  await problems.getByRole('button', { name: 'Trust this certificate' }).first().click();

  await page.getByRole('button', { name: 'Add account' }).click();
  await expect(page.getByRole('alert', { name: 'Connection problems' })).toContainText('password');
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(
    'The server refused this user name or password.',
  );
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Add account' }).click();

  const folders = page.getByRole('tree', { name: 'Folders of Carol at work' });
  await expect(folders.getByRole('treeitem', { name: /Inbox/ })).toBeVisible();
  await folders.getByRole('treeitem', { name: /Inbox/ }).click();
  // The list is virtualized: the first line says how many there are.
  await expect(messageRows(page).first()).toHaveAttribute('aria-setsize', '120');
  await expect(page.getByText('Up to date')).toBeVisible();
  await page.screenshot({ path: 'artifacts/inbox-after-sync.png' });
});
