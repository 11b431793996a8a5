/**
 * Reading mail as a user does, in Chromium against browser mode and the real Dovecot and Postfix:
 * two accounts in one unified inbox, new mail arriving by IDLE, hostile HTML kept harmless,
 * offline reading after a reload, and the three panes in light and dark.
 */
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import {
  createUser,
  seedMailbox,
  startImapServer,
  stopImapServer,
  tlsOptionsFor,
  type MailRig,
} from '../mailserver/rig.ts';
import { startBrowserMode, type BrowserModeHost } from '../support/browser-mode.ts';
import { listenForRequests, stopListening } from '../support/remote-content.ts';
import { e2eRig } from '../support/rig.ts';
import { appendRaw, serverFlags } from '../support/server.ts';
import { addAccountInUi, messageRows } from '../support/ui.ts';

let host: BrowserModeHost;

test.beforeEach(async () => {
  host = await startBrowserMode();
});

test.afterEach(async () => {
  expect(await host.stop()).toBe(0);
});

const MINUTE = 60_000;

test('two accounts in one unified inbox, newest first; new mail arrives by itself', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const bob = await createUser(rig, 'bob');
  const now = Date.now();
  await seedMailbox(rig, alice.address, 3, { startDate: new Date(now - 60 * MINUTE) });
  await seedMailbox(rig, bob.address, 3, { startDate: new Date(now - 59.5 * MINUTE) });

  // Notifications are recorded as the page creates them (headless Chromium shows none).
  await page.context().grantPermissions(['notifications']);
  await page.addInitScript(() => {
    const shown: { title: string; body: string }[] = [];
    (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body ?? '' });
      }
    }
    Object.defineProperty(window, 'Notification', { value: Recorded });
  });
  await page.goto(host.url);
  await addAccountInUi(page, rig, alice, 'Alice');
  await addAccountInUi(page, rig, bob, 'Bob');

  await page.getByRole('treeitem', { name: /^All inboxes/ }).click();
  await page.getByRole('checkbox', { name: 'Conversations' }).uncheck();
  const rows = messageRows(page);
  await expect(rows).toHaveCount(6, { timeout: 20_000 });
  const accountsInOrder = async () =>
    (await rows.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''))).map(
      (label) => /account (\w+)$/.exec(label)?.[1],
    );
  // Bob's messages are 30 s newer than Alice's of the same number: they interleave.
  expect(await accountsInOrder()).toEqual(['Bob', 'Alice', 'Bob', 'Alice', 'Bob', 'Alice']);

  await sendMail(rig, bob, alice.address, 'Fresh from SMTP', 'Delivered while the app is open.');
  await expect(rows.first()).toHaveAccessibleName(/Fresh from SMTP.*account Alice$/, {
    timeout: 15_000,
  });
  await expect(rows).toHaveCount(7);
  await screenshots(page, 'unified-inbox');
  await expect(page).toHaveTitle(/Petrel \(7 unread\)/);
  // Only the new message is announced, not the mail found by the first sync.
  await expect
    .poll(() =>
      page.evaluate(
        () => (window as unknown as { shownNotifications: unknown[] }).shownNotifications,
      ),
    )
    .toEqual([{ title: bob.address, body: 'Fresh from SMTP' }]);

  // Removing an account (from its settings) takes its mail out of the unified inbox.
  await page.getByRole('button', { name: 'Edit account Bob' }).click();
  await page.getByRole('button', { name: 'Remove account' }).click();
  await page.getByRole('button', { name: 'Remove Bob' }).click();
  await expect(page.getByRole('tree', { name: 'Folders of Bob' })).toHaveCount(0);
  await expect(rows).toHaveCount(4);
  expect(new Set(await accountsInOrder())).toEqual(new Set(['Alice']));
});

test('keyboard first: move, read, flag, help; marking read reaches the server', async ({
  page,
}) => {
  const rig = e2eRig();
  const user = await createUser(rig, 'keys');
  await seedMailbox(rig, user.address, 5);
  await page.goto(host.url);
  await addAccountInUi(page, rig, user, 'Keys');
  const rows = messageRows(page);
  await expect(rows).toHaveCount(5);
  const reader = page.getByRole('article', { name: 'Message' });

  await page.keyboard.press('j');
  await expect(reader.getByRole('heading', { name: 'Seed message 5' })).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect(reader.getByRole('heading', { name: 'Seed message 4' })).toBeVisible();
  await page.keyboard.press('k');
  await expect(reader.getByRole('heading', { name: 'Seed message 5' })).toBeVisible();
  // Opening marks it read (after a short pause), through the task queue to the server.
  await expect(rows.first()).not.toHaveAccessibleName(/^Unread/);
  await expect.poll(() => serverFlags(rig, user, 5), { timeout: 10_000 }).toContain('\\Seen');

  await page.keyboard.press('u');
  await expect(rows.first()).toHaveAccessibleName(/^Unread/);
  await page.keyboard.press('s');
  await expect(rows.first()).toHaveAccessibleName(/^Unread, Flagged/);
  await expect.poll(() => serverFlags(rig, user, 5), { timeout: 10_000 }).toEqual(['\\Flagged']);

  await page.keyboard.press('Shift+ArrowDown');
  await expect(page.locator('[role="option"][aria-selected="true"]')).toHaveCount(2);
  await page.keyboard.press('Escape');
  await expect(page.locator('[role="option"][aria-selected="true"]')).toHaveCount(0);

  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toContainText('Mark read or unread');
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);

  // With "mark as read when opened" off, opening leaves a message unread.
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('checkbox', { name: 'Mark messages as read when opened' }).uncheck();
  await page.getByRole('button', { name: 'Done' }).click();
  await rows.nth(2).click();
  await expect(reader.getByRole('heading', { name: 'Seed message 3' })).toBeVisible();
  await page.waitForTimeout(1_500);
  await expect(rows.nth(2)).toHaveAccessibleName(/^Unread/);
});

test('hostile HTML runs nothing and loads nothing until remote content is allowed', async ({
  page,
}) => {
  const rig = e2eRig();
  const user = await createUser(rig, 'mallory-target');
  const requests: string[] = [];
  const remote = await listenForRequests((path) => requests.push(path));
  const origin = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
  const calls: string[] = [];
  await page.exposeBinding('petrelPwned', (_source, what: string) => calls.push(what));

  await appendRaw(rig, user, hostileMessage(origin));
  await page.goto(host.url);
  await addAccountInUi(page, rig, user, 'Target');
  await messageRows(page).filter({ hasText: 'Quarterly numbers' }).click();

  const frame = page.frameLocator('iframe[title="Message content"]');
  await expect(frame.getByText('The numbers are in.')).toBeVisible();
  await frame.getByText('Open the report').click();
  const bar = page.getByRole('region', { name: 'Remote content' });
  await expect(bar).toContainText('Remote content blocked');
  // Give any request or handler time to happen before asserting that none did.
  await page.waitForTimeout(1_500);
  expect(calls).toEqual([]);
  expect(requests).toEqual([]);
  await page.screenshot({ path: 'artifacts/reader-html-blocked.png' });

  await bar.getByRole('button', { name: 'Load for this message' }).click();
  await expect.poll(() => [...requests].sort()).toEqual(['/pixel.png', '/style.css']);
  await page.waitForTimeout(500);
  expect(calls).toEqual([]);
  await stopListening(remote);
});

test('a rich message: inline image, link warnings, folded quotes, an attachment saved under a clean name', async ({
  page,
}) => {
  const rig = e2eRig();
  const user = await createUser(rig, 'rich');
  const attachment = Buffer.from('%PDF-1.4 petrel test bytes\n', 'latin1');
  await appendRaw(rig, user, await richMessage(attachment));
  await appendRaw(rig, user, plainMessage());
  await page.goto(host.url);
  await addAccountInUi(page, rig, user, 'Rich');
  await messageRows(page).filter({ hasText: 'Slides for Monday' }).click();

  const frame = page.frameLocator('iframe[title="Message content"]');
  const logo = frame.getByRole('img', { name: 'Petrel logo' });
  await expect(logo).toBeVisible();
  // The cid: image came from the message itself (no remote content was involved).
  expect(await logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
  await expect(page.getByRole('region', { name: 'Remote content' })).toHaveCount(0);

  await frame.getByRole('link', { name: 'https://bank.example/login' }).hover();
  await expect(page.getByRole('status').filter({ hasText: 'evil.test' })).toContainText(
    'Link text shows bank.example, but it goes to evil.test',
  );
  await frame.getByRole('link', { name: 'Petrel on the web' }).hover();
  await expect(page.getByRole('status').filter({ hasText: 'xn--' })).toContainText(
    'xn--ptrel-bsa.example',
  );

  const attachments = page.getByRole('region', { name: 'Attachments' });
  await expect(attachments).toContainText('1 attachment');
  const save = attachments.getByRole('button', { name: /^Save / });
  const name = (await save.getAttribute('aria-label'))?.replace(/^Save /, '') ?? '';
  // No path, no bidi override that would show "fdp.exe" as "exe.pdf".
  expect(name).not.toMatch(/[/\\\u202e]/);
  expect(name).toMatch(/\.pdf$/);
  const [download] = await Promise.all([page.waitForEvent('download'), save.click()]);
  expect(download.suggestedFilename()).toBe(name);
  const path = await download.path();
  expect(Buffer.compare(await readFile(path), attachment)).toBe(0);

  // Plain text: quoted lines folded away, addresses clickable, and the click leaves the app.
  await messageRows(page).filter({ hasText: 'Re: Plans' }).click();
  const reader = page.getByRole('article', { name: 'Message' });
  await expect(reader.getByText('Sounds good, see you there.')).toBeVisible();
  await expect(reader.getByText('Shall we meet at noon?')).toBeHidden();
  await reader.getByText('Show quoted text').click();
  await expect(reader.getByText('Shall we meet at noon?')).toBeVisible();
  // The "outside world" the link leads to, answered here (these machines have no internet).
  await page.context().route('https://example.test/**', (route) => route.fulfill({ body: 'map' }));
  const [popup] = await Promise.all([
    page.waitForEvent('popup'),
    reader.getByRole('link', { name: 'https://example.test/map' }).click(),
  ]);
  expect(popup.url()).toBe('https://example.test/map');
  expect(await popup.evaluate(() => window.opener)).toBeNull();
  await popup.close();
});

test('offline: a reload shows what was read before, and the account comes back by itself', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const rig = e2eRig();
  const user = await createUser(rig, 'traveller');
  await seedMailbox(rig, user.address, 40);
  await page.goto(host.url);
  await addAccountInUi(page, rig, user, 'Travel');
  const inbox = page
    .getByRole('tree', { name: 'Folders of Travel' })
    .getByRole('treeitem', { name: /^Inbox/ });
  await inbox.click();
  const reader = page.getByRole('article', { name: 'Message' });
  for (const subject of ['Seed message 40', 'Seed message 39']) {
    await messageRows(page).filter({ hasText: subject }).click();
    await expect(reader.getByRole('heading', { name: subject })).toBeVisible();
    await expect(reader.getByText(`Message ${subject.split(' ')[2]} of 40.`)).toBeVisible();
  }
  await expect(page.getByRole('status').filter({ hasText: 'Up to date' })).toBeVisible();
  await screenshots(page, 'reader');

  await stopImapServer(rig);
  try {
    await page.reload();
    await expect(page.getByRole('status').filter({ hasText: /^Offline$/ })).toBeVisible({
      timeout: 20_000,
    });
    await inbox.click();
    await expect(messageRows(page).first()).toBeVisible();
    await messageRows(page).filter({ hasText: 'Seed message 39' }).click();
    await expect(reader.getByText('Message 39 of 40.')).toBeVisible();
    await page.screenshot({ path: 'artifacts/offline-reader.png' });
  } finally {
    await startImapServer(rig);
  }
  await expect(page.getByRole('status').filter({ hasText: 'Up to date' })).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByRole('status').filter({ hasText: /^Offline$/ })).toHaveCount(0);
});

async function screenshots(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: `artifacts/${name}-light.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `artifacts/${name}-dark.png` });
  await page.emulateMedia({ colorScheme: 'light' });
}

function hostileMessage(origin: string): string {
  const html = `<!doctype html><html><head>
<link rel="stylesheet" href="${origin}/style.css">
<script>window.top.petrelPwned('script')</script>
</head><body>
<p>The numbers are in.</p>
<img src="x-missing" onerror="petrelPwned('onerror')" alt="">
<img src="${origin}/pixel.png" alt="tracker">
<p><a href="javascript:petrelPwned('link')">Open the report</a></p>
<svg><script>petrelPwned('svg')</script></svg>
</body></html>`;
  return [
    'From: Mallory <mallory@example.test>',
    'To: target@example.test',
    'Subject: Quarterly numbers',
    `Date: ${new Date().toUTCString()}`,
    'Message-ID: <hostile-1@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    html,
  ].join('\r\n');
}

/** A 1×1 PNG. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

async function richMessage(attachment: Buffer): Promise<string> {
  const html = `<p>Hi,</p>
<p><img src="cid:logo@petrel.test" alt="Petrel logo" width="40" height="40"></p>
<p>Log in at <a href="http://evil.test/steal">https://bank.example/login</a>.</p>
<p><a href="https://pétrel.example/">Petrel on the web</a></p>`;
  const composer = new MailComposer({
    from: 'Ann <ann@example.test>',
    to: 'rich@example.test',
    subject: 'Slides for Monday',
    messageId: '<rich-1@example.test>',
    text: 'Hi,\n\n> quoted line one\n> quoted line two\n\nSee https://example.test/slides',
    html,
    attachments: [
      { filename: 'logo.png', content: PIXEL, cid: 'logo@petrel.test', contentType: 'image/png' },
      {
        filename: '../../tmp/report\u202Efdp.exe.pdf',
        content: attachment,
        contentType: 'application/pdf',
      },
    ],
  });
  const raw = await composer.compile().build();
  return raw.toString('utf8');
}

function plainMessage(): string {
  return [
    'From: Ann <ann@example.test>',
    'To: rich@example.test',
    'Subject: Re: Plans',
    `Date: ${new Date(Date.now() - 60_000).toUTCString()}`,
    'Message-ID: <plain-1@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Sounds good, see you there.',
    'Map: https://example.test/map',
    '',
    '> Shall we meet at noon?',
    '> Bring the slides.',
    '',
  ].join('\r\n');
}

async function sendMail(
  rig: MailRig,
  from: { address: string; password: string },
  to: string,
  subject: string,
  text: string,
): Promise<void> {
  const transport = nodemailer.createTransport({
    host: rig.host,
    port: rig.smtp.tls,
    secure: true,
    tls: tlsOptionsFor(rig),
    auth: { user: from.address, pass: from.password },
  });
  try {
    await transport.sendMail({ from: from.address, to, subject, text });
  } finally {
    transport.close();
  }
}
