/**
 * Search as a user does it, in Chromium against browser mode and the real Dovecot: results from
 * two accounts as one types, `from:` and `has:attachment` narrowing them, a malformed query
 * explained, the keyboard way in and out, the reader on a result, and the server step finding an
 * old message whose body this computer never saved (older than the offline window).
 */
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { createUser, imapClientFor, startImapServer, stopImapServer } from '../mailserver/rig.ts';
import { startBrowserMode, type BrowserModeHost } from '../support/browser-mode.ts';
import { e2eRig } from '../support/rig.ts';
import { appendRaw } from '../support/server.ts';
import { addAccountInUi, messageRows } from '../support/ui.ts';

let host: BrowserModeHost;

test.beforeEach(async () => {
  host = await startBrowserMode();
});

test.afterEach(async () => {
  expect(await host.stop()).toBe(0);
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function plain(from: string, subject: string, body: string): string {
  return [
    `From: ${from}`,
    'To: someone@example.test',
    `Subject: ${subject}`,
    `Message-ID: <${randomBytes(8).toString('hex')}@example.test>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

function withAttachment(from: string, subject: string, body: string): string {
  const boundary = `b-${randomBytes(6).toString('hex')}`;
  return [
    `From: ${from}`,
    'To: someone@example.test',
    `Subject: ${subject}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    `--${boundary}`,
    'Content-Type: application/pdf; name="fees.pdf"',
    'Content-Disposition: attachment; filename="fees.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('%PDF-1.4 fees').toString('base64'),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

const CAROL = 'Carol Ferry <carol@example.test>';

test('search across two accounts; from:, has:attachment, errors, keys; the server step', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const bob = await createUser(rig, 'bob');
  const now = Date.now();
  const at = (ms: number) => ({ date: new Date(now - ms) });
  await appendRaw(
    rig,
    alice,
    plain(CAROL, 'Harbour plans', 'Meet at the harbour on Friday.'),
    at(HOUR),
  );
  await appendRaw(
    rig,
    alice,
    withAttachment('Dave <dave@example.test>', 'Invoice', 'The harbour fees, attached.'),
    at(2 * HOUR),
  );
  await appendRaw(rig, alice, plain(CAROL, 'Lunch', 'Soup or salad?'), at(3 * HOUR));
  // Older than the offline window (90 days), and the word is past the preview's 200 characters:
  // only the server can find it.
  const filler = 'Minutes of the yearly meeting of the coastal society, read and approved. '.repeat(
    5,
  );
  await appendRaw(
    rig,
    alice,
    plain('Erin <erin@example.test>', 'Old minutes', `${filler}\r\nThe lighthouse keeper retired.`),
    at(200 * DAY),
  );
  await appendRaw(
    rig,
    bob,
    plain(CAROL, 'Harbour tour', 'See you at the harbour.'),
    at(1.5 * HOUR),
  );
  await appendRaw(
    rig,
    bob,
    plain('Frank <frank@example.test>', 'Weekend', 'Nothing planned.'),
    at(4 * HOUR),
  );

  await page.goto(host.url);
  await addAccountInUi(page, rig, alice, 'Alice');
  await addAccountInUi(page, rig, bob, 'Bob');
  await page.getByRole('treeitem', { name: /^All inboxes/ }).click();
  await page.getByRole('checkbox', { name: 'Conversations' }).uncheck();
  const rows = messageRows(page);
  await expect(rows).toHaveCount(6, { timeout: 20_000 });

  // `/` goes to the field from the list.
  const field = page.getByRole('searchbox', { name: 'Search mail' });
  await rows.first().click();
  await page.keyboard.press('/');
  await expect(field).toBeFocused();

  // As one types: matches from both accounts, newest first, the words marked.
  await page.keyboard.type('harbour');
  await expect(rows).toHaveCount(3);
  expect(await labels(page)).toEqual([
    expect.stringMatching(/Harbour plans.*account Alice/),
    expect.stringMatching(/Harbour tour.*account Bob/),
    expect.stringMatching(/Invoice.*account Alice/),
  ]);
  await expect(rows.first().locator('mark').first()).toHaveText('Harbour');
  await expect(
    page.getByRole('status').filter({ hasText: /^Searched \d+ messages in all accounts/ }),
  ).toBeVisible();
  await page.screenshot({ path: 'artifacts/search-results.png' });

  // from: narrows to one sender, across both accounts.
  await field.fill('harbour from:carol');
  await expect(rows).toHaveCount(2);
  expect(await labels(page)).toEqual([
    expect.stringMatching(/From Carol Ferry, Harbour plans/),
    expect.stringMatching(/From Carol Ferry, Harbour tour/),
  ]);

  // has:attachment: only the invoice.
  await field.fill('has:attachment');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAccessibleName(/Invoice.*has attachments/);

  // A malformed query says what is wrong instead of showing nothing.
  await field.fill('is:maybe');
  await expect(page.getByRole('alert').filter({ hasText: /is:/ })).toBeVisible();
  await expect(field).toHaveAttribute('aria-invalid', 'true');

  // The reader works on a result; j/k move through the results.
  await field.fill('harbour');
  await expect(rows).toHaveCount(3);
  await page.keyboard.press('ArrowDown');
  const reader = page.getByRole('article', { name: 'Message' });
  await expect(reader.getByRole('heading', { name: 'Harbour plans' })).toBeVisible();
  await page.keyboard.press('j');
  await expect(reader.getByRole('heading', { name: 'Harbour tour' })).toBeVisible();

  // Not in this computer's copy: the old message's body was never saved.
  await page.keyboard.press('Control+k');
  await expect(field).toBeFocused();
  await field.fill('lighthouse');
  await expect(page.getByText('No messages match.')).toBeVisible();
  await page.getByRole('button', { name: 'Search the server too' }).click();
  await expect(rows).toHaveCount(1, { timeout: 15_000 });
  await expect(rows.first()).toHaveAccessibleName(/Old minutes.*account Alice, from the server$/);
  await expect(rows.first().getByText('from the server')).toBeVisible();
  await expect(
    page.getByRole('status').filter({ hasText: /The server found 1 more/ }),
  ).toBeVisible();
  await page.screenshot({ path: 'artifacts/search-server.png' });

  // Esc: back to the folder.
  await field.focus();
  await page.keyboard.press('Escape');
  await expect(field).toHaveValue('');
  await expect(rows).toHaveCount(6);
});

test('offline: search works on this computer’s copy, and the server step says it cannot run', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const rig = e2eRig();
  const user = await createUser(rig, 'offline-search');
  await appendRaw(rig, user, plain(CAROL, 'Boat times', 'The boat leaves at noon.'));
  await appendRaw(rig, user, plain(CAROL, 'Other', 'Nothing here.'));
  await page.goto(host.url);
  await addAccountInUi(page, rig, user, 'Solo');
  await expect(messageRows(page)).toHaveCount(2, { timeout: 20_000 });

  await stopImapServer(rig);
  try {
    await expect(page.getByRole('status').filter({ hasText: /^Offline$/ })).toBeVisible({
      timeout: 30_000,
    });
    await page.getByRole('searchbox', { name: 'Search mail' }).fill('noon');
    await expect(messageRows(page)).toHaveCount(1);
    await expect(messageRows(page).first()).toHaveAccessibleName(/Boat times/);
    await expect(page.getByRole('button', { name: 'Search the server too' })).toBeDisabled();
    await expect(
      page
        .getByRole('status')
        .filter({ hasText: 'Offline: only this computer’s copy was searched.' }),
    ).toBeVisible();
  } finally {
    await startImapServer(rig);
  }
});

test('many results: the newest page first, the total said, more as the list scrolls down', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const rig = e2eRig();
  const user = await createUser(rig, 'many-results');
  const client = imapClientFor(rig, user);
  await client.connect();
  try {
    const now = Date.now();
    for (let i = 1; i <= 130; i++) {
      const body = i % 2 ? 'The tide tables for this week.' : 'Nothing to do with the sea.';
      await client.append('INBOX', plain(CAROL, `Note ${i}`, body), [], new Date(now - i * 60_000));
    }
  } finally {
    await client.logout();
  }
  await page.goto(host.url);
  await addAccountInUi(page, rig, user, 'Many');
  const rows = messageRows(page);
  await expect(rows.first()).toBeVisible({ timeout: 30_000 });
  await expect(rows.first()).toHaveAttribute('aria-setsize', '130', { timeout: 30_000 });

  await page.getByRole('searchbox', { name: 'Search mail' }).fill('tide');
  // 65 match: all shown, counted.
  await expect(rows.first()).toHaveAttribute('aria-setsize', '65');
  await expect(page.getByRole('status').filter({ hasText: '(65 found here)' })).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search mail' }).fill('note');
  // 130 match: the newest 100 first, with the total; scrolling to the end brings the rest.
  await expect(rows.first()).toHaveAttribute('aria-setsize', '100');
  await expect(
    page.getByRole('status').filter({ hasText: '(the newest 100 of 130 shown)' }),
  ).toBeVisible();
  await expect(rows.first()).toHaveAccessibleName(/Note 1\b/);
  await rows.first().click();
  await page.keyboard.press('End');
  await expect(rows.first()).toHaveAttribute('aria-setsize', '130');
  await page.keyboard.press('End');
  await expect(page.getByRole('option', { name: /Note 130\b/ })).toBeVisible();
});

async function labels(page: Page): Promise<string[]> {
  return messageRows(page).evaluateAll((els) =>
    els.map((el) => el.getAttribute('aria-label') ?? ''),
  );
}
