/**
 * mailto: links and composer windows. A mailto: link in a message opens the composer here,
 * prefilled with what the link says (never an attach=), and the message goes out. The composer
 * of a window of its own (the desktop app's, opened at #compose=<draft>) queues what it sends for
 * the main window to send.
 */
import { expect, test, type Page } from '@playwright/test';
import { createUser } from '../mailserver/rig.ts';
import { startBrowserMode, type BrowserModeHost } from '../support/browser-mode.ts';
import { e2eRig } from '../support/rig.ts';
import { appendRaw, serverMessages } from '../support/server.ts';
import { addAccountInUi, messageRows, setUndoSendSeconds } from '../support/ui.ts';

let host: BrowserModeHost;

test.beforeEach(async () => {
  host = await startBrowserMode();
});

test.afterEach(async () => {
  await host.stop();
});

test('a mailto: link in a message opens the composer prefilled, without its attach=', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const carol = await createUser(rig, 'carol');
  const link = `mailto:${carol.address}?subject=Hi%20Carol&body=Hello%20from%20the%20link&attach=%2Fetc%2Fpasswd`;
  await appendRaw(
    rig,
    alice,
    [
      'From: Newsletter <news@example.test>',
      `To: ${alice.address}`,
      'Subject: Write to Carol',
      'Message-ID: <mailto-link@example.test>',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      '',
      `<p>Questions? <a href="${link}">Write to Carol</a></p>`,
      '',
    ].join('\r\n'),
  );
  await page.goto(host.url);
  await addAccountInUi(page, rig, alice, 'Alice');
  await setUndoSendSeconds(page, 0);

  await messageRows(page).filter({ hasText: 'Write to Carol' }).click();
  const frame = page.frameLocator('iframe[title="Message content"]');
  await frame.getByRole('link', { name: 'Write to Carol' }).click();

  const composer = page.getByRole('dialog', { name: 'Hi Carol' });
  // Recipients are chips.
  await expect(composer.getByRole('button', { name: `Remove ${carol.address}` })).toBeVisible();
  await expect(composer.getByLabel('Subject')).toHaveValue('Hi Carol');
  await expect(composer.getByLabel('Message')).toContainText('Hello from the link');
  await expect(page.getByRole('alert').filter({ hasText: 'attach' })).toContainText(
    'Petrel leaves that out',
  );
  await expect(composer.getByRole('list', { name: 'Attachments' })).toBeEmpty();
  await composer.getByRole('button', { name: 'Send' }).click();

  await expect
    .poll(async () => (await serverMessages(rig, carol)).map((m) => m.subject), { timeout: 20_000 })
    .toEqual(['Hi Carol']);
});

test('a composer window sends through the main window’s queue', async ({ page }) => {
  test.setTimeout(90_000);
  const rig = e2eRig();
  const alice = await createUser(rig, 'alice');
  const bob = await createUser(rig, 'bob');
  await page.goto(host.url);
  await addAccountInUi(page, rig, alice, 'Alice');
  await setUndoSendSeconds(page, 0);

  // What the main window does before it opens a composer window: the draft is saved locally.
  const draftId = 'window-draft-1';
  await putDraft(page, {
    id: draftId,
    to: bob.address,
    subject: 'From a window',
    body: 'Written in a window of its own.',
  });
  await page.goto(`${host.url}#compose=${draftId}`);
  const composer = page.getByRole('dialog', { name: 'From a window' });
  // Recipients are chips.
  await expect(composer.getByRole('button', { name: `Remove ${bob.address}` })).toBeVisible();
  // A composer window is only the composer: no folders, no list.
  await expect(page.getByRole('listbox', { name: 'Messages' })).toHaveCount(0);
  await composer.getByRole('button', { name: 'Send' }).click();
  await expect(composer).toHaveCount(0);

  // The main window is the one that sends (here the same tab, back to the app).
  await page.goto(host.url);
  await expect
    .poll(async () => (await serverMessages(rig, bob)).map((m) => m.subject), { timeout: 20_000 })
    .toEqual(['From a window']);
  await expect
    .poll(async () => (await serverMessages(rig, alice, 'Sent')).length, { timeout: 15_000 })
    .toBe(1);
});

/** Saves a local draft of the first account straight into the page's cache (IndexedDB). */
async function putDraft(
  page: Page,
  fields: { id: string; to: string; subject: string; body: string },
): Promise<void> {
  await page.evaluate(async (f) => {
    const open = (name: string) =>
      new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    const db = await open('petrel-cache');
    const read = <T>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result as T[]);
        request.onerror = () => reject(request.error);
      });
    const [folder] = await read<{ accountId: string }>('folders');
    if (!folder) throw new Error('no account in the cache');
    const draft = {
      outboxId: f.id,
      accountId: folder.accountId,
      to: f.to,
      cc: '',
      bcc: '',
      subject: f.subject,
      body: f.body,
      format: 'plain',
    };
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('drafts', 'readwrite');
      tx.objectStore('drafts').put({
        id: f.id,
        accountId: folder.accountId,
        draft,
        updatedAt: Date.now(),
      });
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, fields);
}
