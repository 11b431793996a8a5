/**
 * The outbox against the real rig: messages written while the servers are down wait (and survive
 * a restart of the app), then each goes out exactly once with exactly one Sent copy; and a subject
 * or a recipient carrying CR/LF can never add a header or a recipient.
 */
import { expect, test, type Page } from '@playwright/test';
import {
  createUser,
  startImapServer,
  startSmtpServer,
  stopImapServer,
  stopSmtpServer,
} from '../mailserver/rig.ts';
import { startBrowserMode, type BrowserModeHost } from '../support/browser-mode.ts';
import { e2eRig } from '../support/rig.ts';
import { rawMessages, serverMessages } from '../support/server.ts';
import { addAccountInUi, setUndoSendSeconds, writeMessage } from '../support/ui.ts';

let host: BrowserModeHost;

test.beforeEach(async () => {
  host = await startBrowserMode();
});

test.afterEach(async () => {
  await host.stop();
});

/** The outbox dialog's entries, by subject, each with its state line. */
async function outboxLines(page: Page): Promise<string[]> {
  await page.getByRole('tree', { name: 'Outbox' }).getByRole('treeitem').click();
  const dialog = page.getByRole('dialog', { name: 'Outbox' });
  const items = dialog.getByRole('listitem');
  await expect(items.first().or(dialog.getByText('Nothing is waiting'))).toBeVisible();
  const lines = (await items.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()).sort();
  await dialog.getByRole('button', { name: 'Close' }).click();
  return lines;
}

test('written while the servers are down: waits across a restart, then each goes out once', async ({
  page,
}) => {
  test.setTimeout(150_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const bob = await createUser(rig, 'bob');
  await page.goto(host.url);
  await addAccountInUi(page, rig, alice, 'Alice');
  // Undo send holds a message 5 s: off here, so the three try (and fail) at once.
  await setUndoSendSeconds(page, 0);

  await stopSmtpServer(rig);
  await stopImapServer(rig);
  const subjects = ['Offline one', 'Offline two', 'Offline three'];
  try {
    for (const subject of subjects) {
      await writeMessage(page, { to: bob.address, subject, body: `${subject}, written offline.` });
    }
    // Each is tried, fails for now, and waits with the reason.
    await expect
      .poll(() => outboxLines(page), { timeout: 30_000 })
      .toEqual(
        [...subjects]
          .sort()
          .map((s) => expect.stringMatching(new RegExp(`^${s} to ${bob.address} Waiting: `))),
      );

    // The app goes away and comes back while the servers are still down: nothing is lost.
    const profileDir = host.profileDir;
    await host.stop({ keepProfile: true });
    host = await startBrowserMode({ profileDir });
    await page.goto(host.url);
    expect((await outboxLines(page)).map((l) => l.split(' to ')[0])).toEqual([...subjects].sort());
  } finally {
    // Dovecot first: Postfix's smtpd asks Dovecot's auth service before it greets.
    await startImapServer(rig);
    await startSmtpServer(rig);
  }

  // Back online: each arrives once, with one Sent copy each, and the outbox empties.
  await expect
    .poll(async () => (await serverMessages(rig, bob)).map((m) => m.subject).sort(), {
      timeout: 60_000,
    })
    .toEqual([...subjects].sort());
  await expect(page.getByRole('tree', { name: 'Outbox' })).toHaveCount(0, { timeout: 30_000 });
  // Settled: a late duplicate would show by now.
  await page.waitForTimeout(3_000);
  const received = await serverMessages(rig, bob);
  const sent = await serverMessages(rig, alice, 'Sent');
  expect(received.map((m) => m.subject).sort()).toEqual([...subjects].sort());
  expect(sent.map((m) => m.subject).sort()).toEqual([...subjects].sort());
  expect(new Set(received.map((m) => m.messageId))).toEqual(new Set(sent.map((m) => m.messageId)));
});

test('CR/LF typed or pasted into the subject and To never make a header or a recipient', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const bob = await createUser(rig, 'bob');
  const eve = await createUser(rig, 'eve');
  await page.goto(host.url);
  await addAccountInUi(page, rig, alice, 'Alice');
  await setUndoSendSeconds(page, 0);

  await page.getByRole('button', { name: 'Write' }).click();
  const composer = page.getByRole('dialog', { name: 'New message' });
  await composer.getByLabel('To', { exact: true }).fill(bob.address);
  // Pasted text keeps its line breaks until the field's own rules apply: paste it for real.
  await pasteInto(page, composer.getByLabel('Subject'), `x\r\nBcc: ${eve.address}`);
  await composer.getByLabel('Message').fill('Nothing for eve.');
  await composer.getByRole('button', { name: 'Send' }).click();

  await expect
    .poll(async () => (await serverMessages(rig, bob)).length, { timeout: 20_000 })
    .toBe(1);
  const [raw = ''] = await rawMessages(rig, bob, 'INBOX');
  const headers = raw.slice(0, raw.indexOf('\r\n\r\n') + 2);
  expect(headers.match(/^Subject:/gim)).toHaveLength(1);
  expect(headers).not.toMatch(/^Bcc:/im);
  // Eve's address is in the subject's text, and nowhere else.
  const unfolded = headers.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
  expect(unfolded.filter((line) => line.includes(eve.address))).toEqual([
    `Subject: x Bcc: ${eve.address}`,
  ]);
  // Postfix delivered nothing to eve (a Bcc smuggled into the envelope would have).
  await page.waitForTimeout(2_000);
  expect(await serverMessages(rig, eve)).toEqual([]);
  // Alice's Sent copy has no Bcc either: there was none.
  await expect
    .poll(async () => (await serverMessages(rig, alice, 'Sent')).length, { timeout: 15_000 })
    .toBe(1);
  const [sentRaw = ''] = await rawMessages(rig, alice, 'Sent');
  expect(sentRaw.slice(0, sentRaw.indexOf('\r\n\r\n'))).not.toMatch(/^Bcc:/im);
});

/** Pastes text through a real paste event (clipboard data), as a user's Ctrl+V would. */
async function pasteInto(page: Page, field: ReturnType<Page['getByLabel']>, text: string) {
  await field.focus();
  await field.evaluate((element, value) => {
    const data = new DataTransfer();
    data.setData('text/plain', value);
    element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
  }, text);
  // An input that did not handle the paste itself gets the text typed, line breaks included.
  if ((await field.inputValue()) === '') await page.keyboard.insertText(text);
}
