/**
 * Rich mail through the UI against the real Postfix and Dovecot: a message written in the editor
 * (bold, a list, a link) with a 2 MB attachment arrives in the other account's open app with its
 * formatting and the attachment byte for byte, as multipart/alternative with a text part; a reply
 * to hostile HTML quotes it sanitized (nothing runs, nothing loads); a forward keeps the
 * original's attachments; a forward as attachment carries the original's exact bytes; and the
 * composer warns before sending more than the server's SIZE.
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import libqp from 'libqp';
import MailComposer from 'nodemailer/lib/mail-composer';
import { createUser, imapClientFor, type MailRig } from '../mailserver/rig.ts';
import { startBrowserMode, type BrowserModeHost } from '../support/browser-mode.ts';
import { listenForRequests, stopListening } from '../support/remote-content.ts';
import { e2eRig } from '../support/rig.ts';
import { appendRaw, rawMessages, serverMessages, type RigUser } from '../support/server.ts';
import { addAccountInUi, messageRows, setMainIdentity } from '../support/ui.ts';

let host: BrowserModeHost;

test.beforeEach(async () => {
  host = await startBrowserMode();
});

test.afterEach(async () => {
  await host.stop();
});

/** Bytes no text encoding would leave alone (every value, in a pattern that never repeats soon). */
const binary = (size: number, seed = 3) =>
  Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + seed) % 251));

test('a rich message with a 2 MB attachment arrives formatted and byte-identical, sent once', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const bob = await createUser(rig, 'bob');
  const bytes = binary(2 * 1024 * 1024);
  await page.goto(host.url);
  await addAccountInUi(page, rig, alice, 'Alice');
  await addAccountInUi(page, rig, bob, 'Bob');
  await setMainIdentity(
    page,
    { name: 'Alice', address: alice.address },
    { name: 'Alice Liddell', signature: 'Alice Liddell\nHarbour Office' },
  );

  await page.getByRole('button', { name: 'Write' }).click();
  const composer = page.getByRole('dialog', { name: 'New message' });
  await composer.getByLabel('To', { exact: true }).fill(bob.address);
  await composer.getByLabel('Subject').fill('Market list');
  const editor = composer.getByLabel('Message', { exact: true });
  // A new message starts with a line to write on, then the signature.
  await expect(editor).toContainText('Harbour Office');
  await editor.click();
  await page.keyboard.press('Control+Home');
  const bold = composer.getByRole('button', { name: 'Bold' });
  // Bold on typed text, selected, with the toolbar (Ctrl+B, pressed by the test within
  // milliseconds of typing, was sometimes not applied: see the issue notes).
  await page.keyboard.type('Please buy');
  await page.keyboard.press('Shift+Home');
  await bold.click();
  await expect(bold).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('End');
  await bold.click();
  await expect(bold).toHaveAttribute('aria-pressed', 'false');
  await page.keyboard.press('Enter');
  await composer.getByRole('button', { name: 'Bulleted list' }).click();
  await page.keyboard.type('apples');
  await page.keyboard.press('Enter');
  await page.keyboard.type('pears');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Prices: ');
  await composer.getByRole('button', { name: 'Link' }).click();
  await composer.getByLabel('Link address').fill('https://example.org/prices');
  await composer.getByRole('button', { name: 'Apply' }).click();
  await composer.getByLabel('Attach files').setInputFiles({
    name: 'figures.bin',
    mimeType: 'application/octet-stream',
    buffer: bytes,
  });
  await expect(composer.getByRole('list', { name: 'Attachments' })).toContainText(
    'figures.bin 2.0 MB',
  );
  await page.screenshot({ path: 'artifacts/composer-rich.png' });
  await composer.getByRole('button', { name: 'Send' }).click();

  // Bob's INBOX is open over IDLE in the same app: the message shows up there.
  await page.getByRole('treeitem', { name: /^All inboxes/ }).click();
  const row = messageRows(page).filter({ hasText: 'Market list' });
  await expect(row).toHaveAccessibleName(/account Bob$/, { timeout: 20_000 });
  await row.click();
  const frame = page.frameLocator('iframe[title="Message content"]');
  await expect(frame.locator('strong')).toHaveText('Please buy');
  await expect(frame.locator('ul > li')).toHaveText(['apples', 'pears']);
  await expect(frame.getByRole('link', { name: 'https://example.org/prices' })).toBeVisible();
  await expect(frame.locator('body')).toContainText('Alice Liddell');
  await expect(frame.locator('body')).toContainText('Harbour Office');
  const attachments = page.getByRole('region', { name: 'Attachments' });
  await expect(attachments).toContainText('figures.bin');
  const download = page.waitForEvent('download');
  await attachments.getByRole('button', { name: /^Save / }).click();
  const saved = await readFile((await (await download).path()) ?? '');
  expect(saved.equals(bytes)).toBe(true);

  const raw = (await rawMessages(rig, bob, 'INBOX'))[0] ?? '';
  expect(raw).toMatch(/^Content-Type: multipart\/alternative;/im);
  const text = partText(raw, 'text/plain');
  expect(text).toMatch(/- apples\r?\n- pears/);
  expect(text).toContain('https://example.org/prices');
  // The signature, under the RFC 3676 delimiter, last.
  expect(text?.trimEnd()).toMatch(/\n-- \r?\nAlice Liddell\r?\nHarbour Office$/);
  expect(raw).toMatch(new RegExp(`^From: Alice Liddell <${alice.address}>`, 'im'));
  expect(partText(raw, 'text/html')).toContain('<strong>Please buy</strong>');
  await expect
    .poll(async () => (await serverMessages(rig, alice, 'Sent')).length, { timeout: 15_000 })
    .toBe(1);
  // Sent copies are looked for and appended within about three seconds: still one after that.
  await page.waitForTimeout(3_000);
  expect(await serverMessages(rig, alice, 'Sent')).toHaveLength(1);
});

test('a reply to hostile HTML quotes it sanitized: nothing runs, nothing loads', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const bob = await createUser(rig, 'bob');
  const requests: string[] = [];
  const remote = await listenForRequests((path) => requests.push(path));
  const origin = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
  const calls: string[] = [];
  await page.exposeBinding('petrelPwned', (_source, what: string) => calls.push(what));
  await appendRaw(rig, bob, hostileMessage(origin, alice.address, bob.address));
  await page.goto(host.url);
  await addAccountInUi(page, rig, bob, 'Bob');

  await messageRows(page).filter({ hasText: 'Quarterly numbers' }).click();
  await page
    .getByRole('article', { name: 'Message' })
    .getByRole('button', { name: 'Reply', exact: true })
    .click();
  const composer = page.getByRole('dialog', { name: 'Re: Quarterly numbers' });
  const editor = composer.getByLabel('Message', { exact: true });
  await expect(editor.locator('blockquote')).toContainText('The numbers are in.');
  await expect(editor.locator('blockquote strong')).toHaveText('in bold');
  const quoted = await editor.innerHTML();
  expect(quoted).not.toMatch(/<script|<img|<link|<style|onerror|javascript:/i);
  expect(quoted).not.toContain(origin);
  await editor.press('Control+Home');
  await editor.pressSequentially('Thanks. ');
  await composer.getByRole('button', { name: 'Send' }).click();

  await expect
    .poll(async () => (await serverMessages(rig, alice)).map((m) => m.subject), { timeout: 20_000 })
    .toEqual(['Re: Quarterly numbers']);
  const sent = (await rawMessages(rig, alice, 'INBOX'))[0] ?? '';
  const html = partText(sent, 'text/html') ?? '';
  expect(html).toMatch(/<blockquote>[\s\S]*The numbers are in\./);
  expect(html).not.toMatch(/<script|<img|onerror|petrelPwned/i);
  expect(sent).not.toContain(origin);
  // Time for any request or handler to happen before asserting that none did.
  await page.waitForTimeout(1_500);
  expect(requests).toEqual([]);
  expect(calls).toEqual([]);
  await stopListening(remote);
});

test('forward keeps the attachments; forward as attachment carries the original bytes', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const bob = await createUser(rig, 'bob');
  const report = binary(300_000, 5);
  const notes = Buffer.from('line one\nline two\n');
  const original = await messageWithAttachments(bob.address, report, notes);
  await appendRaw(rig, bob, original);
  await page.goto(host.url);
  await addAccountInUi(page, rig, bob, 'Bob');
  const reader = page.getByRole('article', { name: 'Message' });

  await messageRows(page).filter({ hasText: 'Figures for Q3' }).click();
  await reader.getByRole('button', { name: 'Forward', exact: true }).click();
  let composer = page.getByRole('dialog', { name: 'Fwd: Figures for Q3' });
  const list = composer.getByRole('list', { name: 'Attachments' });
  await expect(list).toContainText('report.bin');
  await expect(list).toContainText('notes.txt');
  await expect(composer.getByLabel('Message', { exact: true })).toContainText('Forwarded message');
  await composer.getByLabel('To', { exact: true }).fill(alice.address);
  await composer.getByRole('button', { name: 'Send' }).click();
  await expect
    .poll(async () => (await serverMessages(rig, alice)).length, { timeout: 20_000 })
    .toBe(1);
  expect((await attachmentBytes(rig, alice, 1, 'report.bin')).equals(report)).toBe(true);
  expect((await attachmentBytes(rig, alice, 1, 'notes.txt')).equals(notes)).toBe(true);

  await reader.getByRole('button', { name: 'Forward as attachment' }).click();
  composer = page.getByRole('dialog', { name: 'Fwd: Figures for Q3' });
  await expect(composer.getByRole('list', { name: 'Attachments' })).toContainText(
    'Figures for Q3.eml',
  );
  await composer.getByLabel('To', { exact: true }).fill(alice.address);
  await composer.getByRole('button', { name: 'Send' }).click();
  await expect
    .poll(async () => (await serverMessages(rig, alice)).length, { timeout: 20_000 })
    .toBe(2);
  const attached = await rfc822Part(rig, alice, 2);
  expect(attached.equals(original)).toBe(true);
});

test('the composer warns before sending more than the server takes (its SIZE)', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const bob = await createUser(rig, 'bob');
  await page.goto(host.url);
  await addAccountInUi(page, rig, alice, 'Alice');

  await page.getByRole('button', { name: 'Write' }).click();
  const composer = page.getByRole('dialog', { name: 'New message' });
  await composer.getByLabel('To', { exact: true }).fill(bob.address);
  await composer.getByLabel('Subject').fill('Big one');
  // Plain text and back: the bold goes (and the composer says so), the words stay.
  await composer.getByLabel('Message', { exact: true }).click();
  await page.keyboard.press('Control+b');
  await page.keyboard.type('Heavy');
  await composer.getByRole('switch', { name: 'Plain text' }).check();
  await expect(composer.getByRole('status')).toContainText('Formatting');
  await expect(composer.getByLabel('Message', { exact: true })).toHaveValue('Heavy');
  await composer.getByRole('switch', { name: 'Plain text' }).uncheck();
  await expect(composer.getByLabel('Message', { exact: true })).toHaveText('Heavy');
  await expect(composer.getByLabel('Message', { exact: true }).locator('strong')).toHaveCount(0);
  // 8 MiB is about 11 MB in base64: more than the rig Postfix's SIZE (10,240,000).
  await composer.getByLabel('Attach files').setInputFiles({
    name: 'big.bin',
    mimeType: 'application/octet-stream',
    buffer: binary(8 * 1024 * 1024),
  });
  await composer.getByRole('button', { name: 'Send' }).click();
  const warning = composer.getByRole('alertdialog', { name: 'Message size' });
  await expect(warning).toContainText(
    /This message is about 1\d(\.\d)? MB; 127\.0\.0\.1 accepts at most 9\.8 MB/,
  );
  await page.screenshot({ path: 'artifacts/composer-size-warning.png' });
  await warning.getByRole('button', { name: 'Cancel' }).click();
  await expect(warning).toHaveCount(0);

  // Within the limit, it goes without a word.
  await composer.getByRole('button', { name: 'Remove big.bin' }).click();
  await composer.getByRole('button', { name: 'Send' }).click();
  await expect
    .poll(async () => (await serverMessages(rig, bob)).map((m) => m.subject), { timeout: 20_000 })
    .toEqual(['Big one']);
});

/** The decoded body of the first part of this type in a raw message (QP and base64 undone). */
function partText(raw: string, type: string): string | undefined {
  const at = raw.search(new RegExp(`^Content-Type: ${type.replace('/', '\\/')}`, 'im'));
  if (at < 0) return undefined;
  const rest = raw.slice(at);
  const end = rest.search(/\r?\n\r?\n/);
  const headers = rest.slice(0, end);
  // The part ends at the next line of one of the message's boundaries (not at any "--": a
  // signature's "-- " line is text).
  const boundaries = [...raw.matchAll(/boundary="?([^";\r\n]+)"?/gi)].map((m) =>
    (m[1] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  const content = rest.slice(end).replace(/^\r?\n\r?\n/, '');
  const close = boundaries.length
    ? content.search(new RegExp(`\\r?\\n--(?:${boundaries.join('|')})`))
    : -1;
  const body = (close < 0 ? content : content.slice(0, close)).trim();
  if (/quoted-printable/i.test(headers)) return libqp.decode(body).toString('utf8');
  if (/base64/i.test(headers)) return Buffer.from(body, 'base64').toString('utf8');
  return body;
}

async function download(client: ReturnType<typeof imapClientFor>, uid: number, part: string) {
  const { content } = await client.download(String(uid), part, { uid: true });
  const chunks: Buffer[] = [];
  for await (const chunk of content ?? []) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The decoded bytes of an INBOX message's attachment, found by its file name. */
async function attachmentBytes(rig: MailRig, user: RigUser, uid: number, filename: string) {
  const client = imapClientFor(rig, user);
  await client.connect();
  try {
    await client.mailboxOpen('INBOX', { readOnly: true });
    const message = await client.fetchOne(String(uid), { bodyStructure: true }, { uid: true });
    const parts = (message && message.bodyStructure?.childNodes) || [];
    const part = parts.find((n) => n.dispositionParameters?.['filename'] === filename)?.part;
    if (!part) throw new Error(`no attachment ${filename}`);
    return await download(client, uid, part);
  } finally {
    await client.logout();
  }
}

/** The bytes of an INBOX message's message/rfc822 part, as the server holds them. */
async function rfc822Part(rig: MailRig, user: RigUser, uid: number): Promise<Buffer> {
  const client = imapClientFor(rig, user);
  await client.connect();
  try {
    await client.mailboxOpen('INBOX', { readOnly: true });
    const message = await client.fetchOne(String(uid), { bodyStructure: true }, { uid: true });
    const parts = (message && message.bodyStructure?.childNodes) || [];
    const part = parts.find((n) => n.type === 'message/rfc822')?.part;
    if (!part) throw new Error('no message/rfc822 part');
    return await download(client, uid, part);
  } finally {
    await client.logout();
  }
}

function hostileMessage(origin: string, from: string, to: string): string {
  const html = `<!doctype html><html><head>
<link rel="stylesheet" href="${origin}/style.css">
<style>body { background: url(${origin}/bg.png) }</style>
<script>window.top.petrelPwned('script')</script>
</head><body onload="petrelPwned('onload')">
<p>The numbers are <b>in bold</b>. The numbers are in.</p>
<img src="x-missing" onerror="petrelPwned('onerror')" alt="">
<img src="${origin}/pixel.png" alt="tracker">
<p><a href="javascript:petrelPwned('link')">Open the report</a></p>
<svg><script>petrelPwned('svg')</script></svg>
</body></html>`;
  return [
    `From: Carol <${from}>`,
    `To: ${to}`,
    'Subject: Quarterly numbers',
    `Date: ${new Date().toUTCString()}`,
    'Message-ID: <hostile-quote-1@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    html,
  ].join('\r\n');
}

async function messageWithAttachments(to: string, report: Buffer, notes: Buffer): Promise<Buffer> {
  const raw = await new MailComposer({
    from: 'Dan <dan@example.test>',
    to,
    subject: 'Figures for Q3',
    messageId: '<figures-q3@example.test>',
    text: 'Both files attached.',
    attachments: [
      { filename: 'report.bin', content: report, contentType: 'application/octet-stream' },
      { filename: 'notes.txt', content: notes, contentType: 'text/plain' },
    ],
  })
    .compile()
    .build();
  // IMAP keeps CRLF line ends: the bytes the server will give back.
  return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}
