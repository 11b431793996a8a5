/**
 * createFolder, renameFolder and deleteFolder against Dovecot: the server's folder list (as
 * another client lists it) changes, each task replayed once more is a no-op success, conflicts
 * are permanent with a reason, and the cache's folder rows follow soon after (not at the next
 * regular poll).
 */
import { readFile } from 'node:fs/promises';
import type { ImapFlow } from 'imapflow';
import { describe, expect, inject, it } from 'vitest';
import type { AccountSummary } from '#shared/accounts';
import type { FolderTask } from '#shared/tasks';
import { rigPaths } from '../mailserver/config.ts';
import { seedMailbox } from '../mailserver/rig.ts';
import { useCleanups } from './fixtures.ts';
import {
  eventually,
  newUserAccount,
  otherClient,
  startHarness,
  storedMessages,
  type Harness,
} from './harness.ts';

const defer = useCleanups();

interface Synced {
  user: { address: string };
  h: Harness;
  client: ImapFlow;
  account: AccountSummary;
  run(
    task: DistributiveOmit<FolderTask, 'accountId'>,
  ): ReturnType<Harness['bridge']['performTask']>;
  folderId(path: string): string;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

async function synced(): Promise<Synced> {
  const rig = inject('mailRig');
  const { user, input } = await newUserAccount(rig);
  const client = await otherClient(rig, user);
  defer(() => client.logout().catch(() => {}));
  // A long poll interval: folder rows must follow because of the task, not the next poll.
  const h = await startHarness({ pollIntervalMs: 60_000 });
  defer(() => h.stop());
  const account = await h.core.api.addAccount(input);
  h.attach();
  await eventually(
    async () => (await cachedPaths(h, account)).includes('Archive'),
    15_000,
    'the first folder list',
  );
  return {
    user,
    h,
    client,
    account,
    run: (task) => h.bridge.performTask({ ...task, accountId: account.id } as FolderTask),
    folderId: (path) => `${account.id}:${path}`,
  };
}

/** Folders on the server (real ones, not \NonExistent parents), and whether subscribed. */
async function serverFolders(client: ImapFlow): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  for (const folder of await client.list()) {
    if ([...folder.flags].some((f) => f.toLowerCase() === '\\nonexistent')) continue;
    out[folder.path] = folder.subscribed;
  }
  return out;
}

/**
 * Subscribed names, also of folders that no longer exist (LIST leaves those out): Dovecot's own
 * subscriptions file (Maildir++: one name a line, after a version line).
 */
async function subscribedPaths(s: Synced): Promise<string[]> {
  const [local, domain] = s.user.address.split('@') as [string, string];
  const file = `${rigPaths(inject('mailRig').dir).mailRoot}/${domain}/${local}/Maildir/subscriptions`;
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line && !/^V\t/.test(line))
    .map((line) => line.replace(/\t/g, '/'));
}

async function cachedPaths(h: Harness, account: AccountSummary): Promise<string[]> {
  const rows = await h.db.folders.where('accountId').equals(account.id).toArray();
  return rows.map((row) => row.path).sort();
}

const DEFAULT_FOLDERS = ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash'];

async function expectCachedFolders(s: Synced, paths: string[]) {
  const expected = [...paths].sort();
  await eventually(
    async () => JSON.stringify(await cachedPaths(s.h, s.account)) === JSON.stringify(expected),
    3_000,
    `the cached folders to be ${expected.join(', ')}`,
  );
}

describe('performTask: folder tasks', () => {
  it('creates a folder and a subfolder, subscribed; a replay is fine', async () => {
    const s = await synced();
    const create = { type: 'createFolder', path: 'Projects' } as const;
    const sub = { type: 'createFolder', path: 'Projects/2026' } as const;
    expect(await s.run(create)).toEqual({ ok: true });
    expect(await s.run(sub)).toEqual({ ok: true });
    expect(await s.run(create)).toEqual({ ok: true });
    expect(await s.run(sub)).toEqual({ ok: true });
    expect(await serverFolders(s.client)).toMatchObject({ Projects: true, 'Projects/2026': true });
    await expectCachedFolders(s, [...DEFAULT_FOLDERS, 'Projects', 'Projects/2026']);
  });

  it('renames a folder with its subfolder and their messages; a replay is fine', async () => {
    const s = await synced();
    const rig = inject('mailRig');
    await seedMailbox(rig, s.user.address, 3, { folder: 'Projects' });
    await seedMailbox(rig, s.user.address, 2, { folder: 'Projects/2026' });
    await s.client.mailboxSubscribe('Projects');
    await s.client.mailboxSubscribe('Projects/2026');
    const before = await storedMessages(s.client, 'Projects/2026');

    const rename = {
      type: 'renameFolder',
      folderId: s.folderId('Projects'),
      newPath: 'Work',
    } as const;
    expect(await s.run(rename)).toEqual({ ok: true });
    expect(await s.run(rename)).toEqual({ ok: true });

    const folders = await serverFolders(s.client);
    expect(folders).toMatchObject({ Work: true, 'Work/2026': true });
    expect(folders).not.toHaveProperty('Projects');
    expect(folders).not.toHaveProperty('Projects/2026');
    expect(await subscribedPaths(s)).not.toContain('Projects');
    expect(await subscribedPaths(s)).not.toContain('Projects/2026');
    expect(await storedMessages(s.client, 'Work/2026')).toEqual(before);
    expect((await storedMessages(s.client, 'Work')).length).toBe(3);
    await expectCachedFolders(s, [...DEFAULT_FOLDERS, 'Work', 'Work/2026']);
  });

  it('refuses a rename onto an existing folder, or of a folder that is gone', async () => {
    const s = await synced();
    expect(
      await s.run({ type: 'renameFolder', folderId: s.folderId('Junk'), newPath: 'Archive' }),
    ).toEqual({ ok: false, permanent: true, reason: 'a folder named "Archive" exists already' });
    expect(
      await s.run({ type: 'renameFolder', folderId: s.folderId('Gone'), newPath: 'Elsewhere' }),
    ).toEqual({ ok: false, permanent: true, reason: 'the folder no longer exists on the server' });
    await expect(
      s.run({ type: 'renameFolder', folderId: s.folderId('INBOX'), newPath: 'Old mail' }),
    ).rejects.toThrow(/inbox cannot be renamed/);
    await expect(s.run({ type: 'createFolder', path: 'a\r\nb' })).rejects.toThrow(/one line/);
  });

  it('deletes a folder with its messages and its subfolder; a replay is fine', async () => {
    const s = await synced();
    const rig = inject('mailRig');
    await seedMailbox(rig, s.user.address, 3, { folder: 'Old' });
    await seedMailbox(rig, s.user.address, 2, { folder: 'Old/2019' });
    await seedMailbox(rig, s.user.address, 1, { folder: 'Older' });
    await s.client.mailboxSubscribe('Old');
    await s.client.mailboxSubscribe('Old/2019');

    const remove = { type: 'deleteFolder', folderId: s.folderId('Old') } as const;
    expect(await s.run(remove)).toEqual({ ok: true });
    expect(await s.run(remove)).toEqual({ ok: true });

    const folders = await serverFolders(s.client);
    expect(Object.keys(folders).sort()).toEqual([...DEFAULT_FOLDERS, 'Older'].sort());
    // Unsubscribed as well: the subscription list does not keep naming them.
    expect(await subscribedPaths(s)).not.toContain('Old');
    expect(await subscribedPaths(s)).not.toContain('Old/2019');
    await expectCachedFolders(s, [...DEFAULT_FOLDERS, 'Older']);
  });
});
