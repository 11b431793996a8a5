/**
 * Acting on mail through the UI against the real Dovecot: every change reaches the server (and
 * stays after a restart), undo puts things back, changes made offline wait in the queue across a
 * restart and land exactly once, a killed app resumes its replay without losing or duplicating,
 * and a move to another account carries the bytes over.
 */
import { expect, test, type Page } from '@playwright/test';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import {
  createUser,
  imapClientFor,
  seedMailbox,
  startImapServer,
  stopImapServer,
  type MailRig,
} from '../mailserver/rig.ts';
import { startBrowserMode, type BrowserModeHost } from '../support/browser-mode.ts';
import { e2eRig } from '../support/rig.ts';
import {
  appendRaw,
  serverFolders,
  serverMessages,
  serverSubjects,
  type RigUser,
} from '../support/server.ts';
import { addAccountInUi, messageRows } from '../support/ui.ts';

let host: BrowserModeHost;

test.beforeEach(async () => {
  host = await startBrowserMode();
});

test.afterEach(async () => {
  await host.stop();
});

/** Ends the host and starts it again on the same profile (same port: the same cache). */
async function restart(page: Page, how: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  const profileDir = host.profileDir;
  if (how === 'SIGKILL') {
    const exited = new Promise((resolve) => host.process.once('exit', resolve));
    host.process.kill('SIGKILL');
    await exited;
  } else {
    await host.stop({ keepProfile: true });
  }
  host = await startBrowserMode({ profileDir });
  await page.goto(host.url);
}

/** How long a change took to show on the server (logged: timing is for benchmarks, not asserts). */
async function reaches(what: string, check: () => Promise<boolean>): Promise<void> {
  const started = Date.now();
  await expect.poll(check, { timeout: 10_000, intervals: [50] }).toBe(true);
  console.log(`[actions] ${what}: on the server after ${Date.now() - started} ms`);
}

function row(page: Page, subject: string) {
  return messageRows(page).filter({ hasText: new RegExp(`${subject}(?!\\d)`) });
}

async function openInbox(page: Page, account: string) {
  await page
    .getByRole('tree', { name: `Folders of ${account}` })
    .getByRole('treeitem', { name: /^Inbox/ })
    .click();
}

test('acting on mail online: each change reaches the server and stays after a restart', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const rig = e2eRig();
  const user = await createUser(rig, 'actor');
  await seedMailbox(rig, user.address, 8);
  await page.goto(host.url);
  await addAccountInUi(page, rig, user, 'Actor');
  await openInbox(page, 'Actor');
  const has = async (path: string, subject: string) =>
    (await serverSubjects(rig, user, path)).includes(subject);

  await row(page, 'Seed message 8').click();
  await page.keyboard.press('e');
  await reaches(
    'archive',
    async () => (await has('Archive', 'Seed message 8')) && !(await has('INBOX', 'Seed message 8')),
  );
  // The focus moved on to the next message.
  await expect(page.getByRole('article', { name: 'Message' }).getByRole('heading')).toHaveText(
    'Seed message 7',
  );

  await page.keyboard.press('Delete');
  await reaches('delete to Trash', () => has('Trash', 'Seed message 7'));
  await page.keyboard.press('!');
  await reaches('junk', () => has('Junk', 'Seed message 6'));

  await page.getByRole('button', { name: 'New folder in Actor' }).click();
  await page.getByLabel('Folder name').fill('Projects');
  await page.getByRole('button', { name: 'Create folder' }).click();
  const tree = page.getByRole('tree', { name: 'Folders of Actor' });
  await expect(tree.getByRole('treeitem', { name: 'Projects' })).toBeVisible();
  await reaches('create folder', async () => (await serverFolders(rig, user)).includes('Projects'));

  await row(page, 'Seed message 5').click();
  await page.keyboard.press('v');
  await page
    .getByRole('dialog', { name: 'Move to folder' })
    .getByLabel('Folder', { exact: true })
    .fill('Proj');
  await page.keyboard.press('Enter');
  await reaches('move (picker)', () => has('Projects', 'Seed message 5'));

  await page.screenshot({ path: 'artifacts/actions-toolbar-and-folders.png' });
  await row(page, 'Seed message 4').dragTo(tree.getByRole('treeitem', { name: 'Projects' }));
  await reaches('move (drag and drop)', () => has('Projects', 'Seed message 4'));
  // The unread counts follow (from the server's status, polled right after each change).
  await expect(tree.getByRole('treeitem', { name: /^Inbox/ })).toHaveAccessibleName(
    'Inbox, 3 unread',
  );

  await row(page, 'Seed message 3').click();
  await page.keyboard.press('s');
  await reaches('flag', async () =>
    (await serverMessages(rig, user)).some(
      (m) => m.subject === 'Seed message 3' && m.flags.includes('\\Flagged'),
    ),
  );

  await tree.getByRole('treeitem', { name: 'Projects' }).click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Rename…' }).click();
  await page.getByLabel('Folder name').fill('Clients');
  await page.getByRole('button', { name: 'Rename' }).click();
  await reaches(
    'rename folder',
    async () => (await serverSubjects(rig, user, 'Clients')).length === 2,
  );

  await tree.getByRole('treeitem', { name: 'Clients' }).click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'New subfolder…' }).click();
  await page.getByLabel('Folder name').fill('2026');
  await page.getByRole('button', { name: 'Create folder' }).click();
  await reaches('create subfolder', async () =>
    (await serverFolders(rig, user)).includes('Clients/2026'),
  );

  await tree.getByRole('treeitem', { name: 'Clients' }).click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Delete…' }).click();
  await page.getByRole('button', { name: 'Delete folder' }).click();
  await reaches('delete folder with a subfolder', async () => {
    const folders = await serverFolders(rig, user);
    return !folders.includes('Clients') && !folders.includes('Clients/2026');
  });
  await expect(tree.getByRole('treeitem', { name: /^Clients/ })).toHaveCount(0);

  // After a restart the cache shows what the server has.
  await restart(page);
  await openInbox(page, 'Actor');
  const inbox = await serverSubjects(rig, user);
  expect(inbox).toEqual(['Seed message 1', 'Seed message 2', 'Seed message 3']);
  await expect(messageRows(page)).toHaveCount(3);
  await expect(row(page, 'Seed message 3')).toHaveAccessibleName(/Flagged/);
  await expect(tree.getByRole('treeitem', { name: /^Clients/ })).toHaveCount(0);
});

test('not junk, delete for good from Trash, and a whole conversation at once', async ({ page }) => {
  const rig = e2eRig();
  const user = await createUser(rig, 'threads');
  const now = Date.now();
  await appendRaw(rig, user, threadMessage('Plans', '<p1@x.test>', undefined, now - 3_600_000), {
    date: new Date(now - 3_600_000),
  });
  await appendRaw(
    rig,
    user,
    threadMessage('Re: Plans', '<p2@x.test>', '<p1@x.test>', now - 1_800_000),
    { date: new Date(now - 1_800_000) },
  );
  await appendRaw(rig, user, threadMessage('Lunch?', '<l1@x.test>', undefined, now - 600_000), {
    date: new Date(now - 600_000),
  });
  await page.goto(host.url);
  await addAccountInUi(page, rig, user, 'Threads');
  await openInbox(page, 'Threads');
  // Conversations are on: "Plans" and its reply are one line.
  await expect(messageRows(page)).toHaveCount(2);
  await messageRows(page).filter({ hasText: 'Re: Plans' }).click();
  await page.keyboard.press('e');
  await reaches(
    'archive a conversation',
    async () => (await serverSubjects(rig, user, 'Archive')).length === 2,
  );
  expect(await serverSubjects(rig, user, 'Archive')).toEqual(['Plans', 'Re: Plans']);

  await row(page, 'Lunch\\?').click();
  await page.keyboard.press('!');
  await reaches('junk', async () => (await serverSubjects(rig, user, 'Junk')).length === 1);
  const tree = page.getByRole('tree', { name: 'Folders of Threads' });
  await tree.getByRole('treeitem', { name: /^Junk/ }).click();
  await row(page, 'Lunch\\?').click();
  await page
    .getByRole('toolbar', { name: 'Message actions' })
    .getByRole('button', { name: 'Not junk' })
    .click();
  await reaches('not junk', async () => (await serverSubjects(rig, user)).includes('Lunch?'));

  await openInbox(page, 'Threads');
  await row(page, 'Lunch\\?').click();
  await page.keyboard.press('Delete');
  await reaches(
    'delete to Trash',
    async () => (await serverSubjects(rig, user, 'Trash')).length === 1,
  );
  await tree.getByRole('treeitem', { name: /^Trash/ }).click();
  await row(page, 'Lunch\\?').click();
  await page.keyboard.press('Delete');
  await page
    .getByRole('dialog', { name: /for good/ })
    .getByRole('button', { name: 'Delete for good' })
    .click();
  await reaches(
    'delete for good',
    async () => (await serverMessages(rig, user, 'Trash')).length === 0,
  );
  await expect(messageRows(page)).toHaveCount(0);
  // Only that message went: nothing else anywhere was expunged.
  expect(await serverSubjects(rig, user, 'Archive')).toEqual(['Plans', 'Re: Plans']);
});

test('undo puts a moved or deleted message back, flags and all', async ({ page }) => {
  const rig = e2eRig();
  const user = await createUser(rig, 'undoer');
  await seedMailbox(rig, user.address, 3);
  await page.goto(host.url);
  await addAccountInUi(page, rig, user, 'Undo');
  await openInbox(page, 'Undo');

  await row(page, 'Seed message 3').click();
  await page.keyboard.press('s');
  await page.keyboard.press('e');
  await reaches('archive', async () => (await serverSubjects(rig, user, 'Archive')).length === 1);
  await page.getByRole('status', { name: 'Undo' }).getByRole('button', { name: 'Undo' }).click();
  await reaches('undo archive', async () =>
    (await serverMessages(rig, user)).some(
      (m) => m.subject === 'Seed message 3' && m.flags.includes('\\Flagged'),
    ),
  );
  expect(await serverSubjects(rig, user, 'Archive')).toEqual([]);
  await expect(row(page, 'Seed message 3')).toBeVisible();

  await row(page, 'Seed message 2').click();
  await page.keyboard.press('Delete');
  await reaches('delete', async () => (await serverSubjects(rig, user, 'Trash')).length === 1);
  await page.keyboard.press('Control+z');
  await reaches('undo delete', async () => (await serverSubjects(rig, user)).length === 3);
  expect(await serverSubjects(rig, user, 'Trash')).toEqual([]);
});

test('offline changes wait in the queue across a restart and land exactly once', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const rig = e2eRig();
  const user = await createUser(rig, 'offline-actor');
  await seedMailbox(rig, user.address, 10);
  await page.goto(host.url);
  await addAccountInUi(page, rig, user, 'Away');
  await openInbox(page, 'Away');
  await expect(page.getByRole('status').filter({ hasText: 'Up to date' })).toBeVisible();

  await stopImapServer(rig);
  try {
    await expect(page.getByRole('status').filter({ hasText: /^Offline$/ })).toBeVisible({
      timeout: 20_000,
    });
    await row(page, 'Seed message 10').click(); // opening marks it read
    await expect(row(page, 'Seed message 10')).not.toHaveAccessibleName(/^Unread/);
    await row(page, 'Seed message 9').click();
    await expect(row(page, 'Seed message 9')).not.toHaveAccessibleName(/^Unread/);
    await page.keyboard.press('u'); // back to unread, then …
    await page.keyboard.press('s'); // … flagged
    await row(page, 'Seed message 8').click();
    await page.keyboard.press('e');
    await row(page, 'Seed message 7').click();
    await page.keyboard.press('Delete');
    await row(page, 'Seed message 6').click();
    await page.keyboard.press('!');
    const queue = page.getByRole('status').filter({ hasText: 'waiting to be sent' });
    await expect(queue).toContainText(/\d+ changes waiting to be sent to the server/);

    await restart(page);
    await expect(queue).toContainText(/\d+ changes waiting to be sent to the server/);
    await openInbox(page, 'Away');
    await expect(messageRows(page)).toHaveCount(7);
  } finally {
    await startImapServer(rig);
  }

  // Wait until every change is in (the queue drained: nothing moves any more), then look once.
  const snapshot = async () => [
    ...(await serverMessages(rig, user, 'INBOX')),
    ...(await serverMessages(rig, user, 'Archive')),
    ...(await serverMessages(rig, user, 'Trash')),
    ...(await serverMessages(rig, user, 'Junk')),
  ];
  await expect
    .poll(async () => (await serverMessages(rig, user, 'INBOX')).length, { timeout: 60_000 })
    .toBe(7);
  await expect
    .poll(
      async () =>
        (await serverMessages(rig, user)).find((m) => m.subject === 'Seed message 9')?.flags,
    )
    .toEqual(['\\Flagged']);
  const all = await snapshot();
  // Every message exactly once, each where it was sent.
  expect(all.map((m) => m.messageId).sort()).toEqual(
    [...new Set(all.map((m) => m.messageId))].sort(),
  );
  expect(all).toHaveLength(10);
  expect(await serverSubjects(rig, user, 'Archive')).toEqual(['Seed message 8']);
  expect(await serverSubjects(rig, user, 'Trash')).toEqual(['Seed message 7']);
  expect(await serverSubjects(rig, user, 'Junk')).toEqual(['Seed message 6']);
  const inbox = await serverMessages(rig, user);
  const flags = (subject: string) => inbox.find((m) => m.subject === subject)?.flags;
  expect(flags('Seed message 10')).toEqual(['\\Seen']);
  expect(flags('Seed message 9')).toEqual(['\\Flagged']);
  // And the cache shows the same INBOX.
  await expect(messageRows(page)).toHaveCount(7);
});

test('killed in the middle of replaying 100 queued moves: every message lands exactly once', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const rig = e2eRig();
  const user = await createUser(rig, 'killed');
  await seedMailbox(rig, user.address, 100);
  await page.goto(host.url);
  await addAccountInUi(page, rig, user, 'Killed');
  await openInbox(page, 'Killed');
  await expect(page.getByRole('status').filter({ hasText: 'Up to date' })).toBeVisible({
    timeout: 30_000,
  });

  await stopImapServer(rig);
  try {
    await expect(page.getByRole('status').filter({ hasText: /^Offline$/ })).toBeVisible({
      timeout: 20_000,
    });
    await messageRows(page).first().click();
    // One archive at a time, as a user would: each waits for the list to let the message go.
    for (let left = 99; left >= 0; left--) {
      await page.keyboard.press('e');
      if (left > 0)
        await expect(messageRows(page).first()).toHaveAttribute('aria-setsize', String(left));
    }
    await expect(page.getByRole('status').filter({ hasText: 'waiting to be sent' })).toContainText(
      '100 changes waiting',
    );
  } finally {
    await startImapServer(rig);
  }
  // Watch the Archive fill, and kill the app once the replay is under way.
  const watcher = imapClientFor(rig, user);
  await watcher.connect();
  const archivedNow = async () => {
    const status = await watcher.status('Archive', { messages: true });
    return status ? (status.messages ?? 0) : 0;
  };
  try {
    await expect
      .poll(archivedNow, {
        timeout: 60_000,
        intervals: [20],
      })
      .toBeGreaterThanOrEqual(20);
    await restart(page, 'SIGKILL');
    const archivedAtKill = await archivedNow();
    console.log(`[actions] killed with ${archivedAtKill} of 100 moves on the server`);
    // The kill came in the middle of the replay (or the test would prove nothing).
    expect(archivedAtKill).toBeLessThan(100);
    await expect
      .poll(archivedNow, {
        timeout: 90_000,
      })
      .toBe(100);
  } finally {
    await watcher.logout().catch(() => watcher.close());
  }
  const archived = await serverMessages(rig, user, 'Archive');
  expect(new Set(archived.map((m) => m.messageId)).size).toBe(100);
  expect(await serverMessages(rig, user, 'INBOX')).toEqual([]);
  await expect(page.getByRole('status').filter({ hasText: 'waiting to be sent' })).toHaveCount(0, {
    timeout: 30_000,
  });
});

test('moving 20 messages with attachments to another account carries their bytes over', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const rig = e2eRig();
  const from = await createUser(rig, 'mover');
  const to = await createUser(rig, 'receiver');
  const originals = new Map<string, Buffer>();
  for (let i = 1; i <= 20; i++) {
    const raw = await messageWithAttachment(i);
    originals.set(`Report ${i}`, raw);
    await appendRaw(rig, from, raw, { date: new Date(Date.now() - (30 - i) * 60_000) });
  }
  await page.goto(host.url);
  await addAccountInUi(page, rig, from, 'Mover');
  await addAccountInUi(page, rig, to, 'Receiver');
  await openInbox(page, 'Mover');
  await expect(messageRows(page).first()).toHaveAttribute('aria-setsize', '20');
  await messageRows(page).first().click();
  for (let i = 0; i < 19; i++) await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('v');
  const picker = page.getByRole('dialog', { name: 'Move to folder' });
  await picker.getByLabel('Folder', { exact: true }).fill('Inbox');
  await picker.getByRole('button', { name: /Inbox.*Receiver/ }).click();

  await reaches(
    'move 20 messages to another account',
    async () => (await serverMessages(rig, to)).length === 20,
  );
  await expect.poll(async () => (await serverMessages(rig, from)).length).toBe(0);
  const copies = await rawMessages(rig, to);
  expect([...copies.keys()].sort()).toEqual([...originals.keys()].sort());
  for (const [subject, raw] of copies)
    expect(raw.equals(originals.get(subject) as Buffer)).toBe(true);
});

function threadMessage(
  subject: string,
  id: string,
  parent: string | undefined,
  at: number,
): Buffer {
  return Buffer.from(
    [
      'From: Bea <bea@example.test>',
      'To: threads@example.test',
      `Subject: ${subject}`,
      `Date: ${new Date(at).toUTCString()}`,
      `Message-ID: ${id}`,
      ...(parent ? [`In-Reply-To: ${parent}`, `References: ${parent}`] : []),
      'Content-Type: text/plain; charset=utf-8',
      '',
      `${subject}: see you.`,
      '',
    ].join('\r\n'),
  );
}

async function messageWithAttachment(i: number): Promise<Buffer> {
  const composer = new MailComposer({
    from: 'Reports <reports@example.test>',
    to: 'mover@example.test',
    subject: `Report ${i}`,
    messageId: `<report-${i}-${Date.now()}@example.test>`,
    date: new Date(Date.now() - (30 - i) * 60_000),
    text: `Report number ${i} is attached.`,
    attachments: [
      {
        filename: `report-${i}.bin`,
        content: Buffer.from(Array.from({ length: 20_000 }, (_, k) => (k * 31 + i) % 256)),
        contentType: 'application/octet-stream',
      },
    ],
  });
  return composer.compile().build();
}

/** Each message's raw bytes by subject. */
async function rawMessages(rig: MailRig, user: RigUser): Promise<Map<string, Buffer>> {
  const client = imapClientFor(rig, user);
  await client.connect();
  const out = new Map<string, Buffer>();
  try {
    await client.mailboxOpen('INBOX', { readOnly: true });
    for await (const m of client.fetch('1:*', { envelope: true, source: true })) {
      if (m.source) out.set(m.envelope?.subject ?? '', m.source);
    }
  } finally {
    await client.logout();
  }
  return out;
}
