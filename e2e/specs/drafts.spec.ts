/**
 * Drafts through the UI against the real Dovecot: a message typed for ten seconds survives the
 * app being killed (host SIGKILLed, page crashed) — it is back in the composer after the restart,
 * and the Drafts folder holds exactly one copy of it, the full text. Reopened from Drafts with
 * "Edit draft" and discarded, it is gone here and on the server.
 */
import { expect, test, type Page } from '@playwright/test';
import { createUser, imapClientFor, type MailRig } from '../mailserver/rig.ts';
import { startBrowserMode, type BrowserModeHost } from '../support/browser-mode.ts';
import { e2eRig } from '../support/rig.ts';
import type { RigUser } from '../support/server.ts';
import { addAccountInUi, messageRows } from '../support/ui.ts';

let host: BrowserModeHost;

test.beforeEach(async () => {
  host = await startBrowserMode();
});

test.afterEach(async () => {
  await host.stop();
});

interface DraftCopy {
  messageId: string;
  text: string;
  flags: string[];
}

/** Every live message in the user's Drafts, with its raw text, as the server has it now. */
async function serverDrafts(rig: MailRig, user: RigUser): Promise<DraftCopy[]> {
  const client = imapClientFor(rig, user);
  await client.connect();
  try {
    await client.mailboxOpen('Drafts', { readOnly: true });
    if (!client.mailbox || client.mailbox.exists === 0) return [];
    const out: DraftCopy[] = [];
    const query = { envelope: true, flags: true, source: true } as const;
    for await (const m of client.fetch('1:*', query)) {
      if (m.flags?.has('\\Deleted')) continue;
      out.push({
        messageId: m.envelope?.messageId ?? '',
        text: m.source?.toString('utf8').replace(/=\r\n/g, '') ?? '',
        flags: [...(m.flags ?? [])].sort(),
      });
    }
    return out;
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** The app dies: the host is SIGKILLed and the page's renderer crashes (no cleanup runs). */
async function kill(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const crashed = page.waitForEvent('crash');
  void cdp.send('Page.crash').catch(() => {});
  await crashed;
  const exited = new Promise((resolve) => host.process.once('exit', resolve));
  host.process.kill('SIGKILL');
  await exited;
}

const SUBJECT = 'Draft that survives a kill';
// About ten seconds of typing at 100 ms a key.
const TYPED =
  'Dear Bob, here are my notes on the harbour project. The survey is done, costs are ' +
  'within budget; details follow.';

test('a draft typed for 10 s survives a kill, once on the server; discarding removes it', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  await page.goto(host.url);
  await addAccountInUi(page, rig, alice, 'Alice');

  await page.getByRole('button', { name: 'Write' }).click();
  const composer = page.getByRole('dialog', { name: 'New message' });
  await composer.getByLabel('To', { exact: true }).fill('bob@example.test');
  await composer.getByLabel('Subject').fill(SUBJECT);
  // A pause: the draft so far reaches the server.
  await expect
    .poll(async () => (await serverDrafts(rig, alice)).length, { timeout: 15_000 })
    .toBe(1);
  const [early] = await serverDrafts(rig, alice);
  expect(early?.text).not.toContain('harbour');

  await composer.getByLabel('Message').click();
  const started = Date.now();
  await page.keyboard.type(TYPED, { delay: 100 });
  const typedFor = Date.now() - started;
  console.log(`[drafts] typed ${TYPED.length} characters in ${typedFor} ms`);
  expect(typedFor).toBeGreaterThanOrEqual(10_000);
  // "Within a second of typing" is the promise: then the app is killed, before any quiet
  // long enough for a server save.
  await page.waitForTimeout(1_000);
  expect((await serverDrafts(rig, alice))[0]?.text).not.toContain('harbour');
  await kill(page);

  const profileDir = host.profileDir;
  host = await startBrowserMode({ profileDir });
  const again = await page.context().newPage();
  await again.goto(host.url);
  // The composer is back with everything typed.
  const restored = again.getByRole('dialog', { name: SUBJECT });
  await expect(restored).toBeVisible({ timeout: 15_000 });
  await expect(restored.getByLabel('Message')).toHaveText(TYPED);
  // Recipients are chips.
  await expect(restored.getByRole('button', { name: 'Remove bob@example.test' })).toBeVisible();
  // And the server has exactly one copy of it: the full text, replacing the earlier one.
  await expect
    .poll(async () => (await serverDrafts(rig, alice)).map((d) => d.text.includes(TYPED)), {
      timeout: 15_000,
    })
    .toEqual([true]);
  const [copy] = await serverDrafts(rig, alice);
  expect(copy?.messageId).toBe(early?.messageId);
  expect(copy?.flags).toEqual(['\\Draft', '\\Seen']);

  // Closed, it stays a draft; from the Drafts folder it opens again to go on writing.
  await restored.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(restored).toHaveCount(0);
  await again
    .getByRole('tree', { name: 'Folders of Alice' })
    .getByRole('treeitem', { name: /^Drafts/ })
    .click();
  // The list may still show the copy from before the kill (UID 1, replaced on the server by the
  // save on restart) until Drafts syncs: that row goes away, and the selection with it. Open it
  // again then.
  const reopened = again.getByRole('dialog', { name: SUBJECT });
  await expect(async () => {
    await messageRows(again).filter({ hasText: SUBJECT }).click();
    await again.getByRole('button', { name: 'Edit draft' }).click({ timeout: 2_000 });
    await expect(reopened).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(reopened.getByLabel('Message')).toHaveText(TYPED);
  await again.screenshot({ path: 'artifacts/draft-reopened.png' });

  await reopened.getByRole('button', { name: 'Discard' }).click();
  await expect(reopened).toHaveCount(0);
  await expect.poll(() => serverDrafts(rig, alice), { timeout: 15_000 }).toEqual([]);
  await expect(messageRows(again).filter({ hasText: SUBJECT })).toHaveCount(0, {
    timeout: 15_000,
  });
  // Nothing of it is left here either: a reload opens no composer.
  await again.reload();
  await expect(again.getByRole('tree', { name: 'Folders of Alice' })).toBeVisible();
  await again.waitForTimeout(1_000);
  await expect(again.getByRole('dialog', { name: SUBJECT })).toHaveCount(0);
  expect(await serverDrafts(rig, alice)).toEqual([]);
});
