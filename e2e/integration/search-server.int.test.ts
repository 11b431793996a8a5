/**
 * The server step of search against Dovecot: mail older than the offline window has no cached
 * body, so the local search (the real index, built by the real indexer from what sync cached)
 * does not find it by a word deep in its body, and says what it did not cover; IMAP SEARCH finds
 * it; rows the cache lacks (a folder not synced
 * since they arrived) are fetched into it, headers only; a folder whose UIDVALIDITY is not the
 * cache's says so; and an account that is not connected fails as "unavailable", in words.
 */
import { describe, expect, inject, it } from 'vitest';
import { folderIdOf, messageRowId } from '#shared/mail';
import { PetrelError, unwrap, type CallResult } from '#shared/result';
import type { SearchQuery } from '#shared/search/query';
import type { ServerSearchRequest, ServerSearchResult } from '#shared/server-search';
import { FOLDER_CHANGED } from '#shared/tasks';
import { dispatchCall } from '../../src-main/core/api/dispatch.ts';
import { DEFAULT_OFFLINE_DAYS, startPrefetch } from '../../src-renderer/src/cache/prefetch.ts';
import { runSearchIndexer } from '../../src-renderer/src/cache/search-index.ts';
import { searchLocal } from '../../src-renderer/src/cache/search-local.ts';
import { expectConverged, useCleanups } from './fixtures.ts';
import {
  eventually,
  newUserAccount,
  otherClient,
  quiet,
  startHarness,
  type Harness,
} from './harness.ts';

const rig = inject('mailRig');
const defer = useCleanups();
const DAY = 86_400_000;
/** Longer than a preview (200 characters): a word after it is only in the body. */
const FILLER = 'Nothing much to report this week, the usual notes follow. '.repeat(6);

function message(subject: string, body: string): string {
  return [
    `Subject: ${subject}`,
    'From: Carol <carol@example.test>',
    'To: someone@example.test',
    `Message-ID: <${subject.replace(/\W/g, '')}.${Date.now()}@example.test>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

const wordQuery = (word: string): SearchQuery => ({
  terms: [{ kind: 'text', words: [word], phrase: false, prefix: false, negated: false }],
});

/** Through the boundary (validation included), as the renderer calls it. */
async function call<T>(h: Harness, method: 'searchServer' | 'loadMessages', arg: unknown) {
  return unwrap((await dispatchCall(h.core.api, method, [arg], quiet)) as CallResult<T>);
}

describe('search: the server step', () => {
  it('finds by a body word mail whose body is not cached, and fetches rows the cache lacks', async () => {
    const { user, input } = await newUserAccount(rig);
    const client = await otherClient(rig, user);
    defer(() => client.logout());
    const now = Date.now();
    // INTERNALDATE has whole seconds.
    const old = new Date(Math.floor((now - (DEFAULT_OFFLINE_DAYS + 110) * DAY) / 1000) * 1000);
    await client.mailboxCreate('Archive');
    await client.append(
      'INBOX',
      message('Recent note', 'The zanzibar ferry leaves at noon.'),
      [],
      new Date(now - DAY),
    );
    await client.append(
      'INBOX',
      message('Old note', `${FILLER}\r\nMeet me at the zanzibar harbour.`),
      [],
      old,
    );
    await client.append('INBOX', message('Old other', 'Nothing to see in this one.'), [], old);

    // Folders other than INBOX are polled rarely here: what arrives in Archive stays uncached.
    const h = await startHarness({ pollIntervalMs: 600_000 });
    defer(() => h.stop());
    const account = await h.core.api.addAccount(input);
    h.attach();
    await expectConverged(h, client, account, 15_000);

    // Offline copies as the app keeps them: the default window saves the recent body only.
    const stopPrefetch = startPrefetch(h.db, h.core.api);
    defer(async () => stopPrefetch());
    const inbox = folderIdOf(account.id, 'INBOX');
    const rowBySubject = async (subject: string) =>
      (await h.db.messages.where('folderId').equals(inbox).toArray()).find(
        (row) => row.subject === subject,
      );
    const recent = (await rowBySubject('Recent note'))!;
    const oldNote = (await rowBySubject('Old note'))!;
    await eventually(
      async () => (await h.db.bodies.where('rowId').equals(recent.id).count()) > 0,
      15_000,
      'the recent body to be saved offline',
    );
    expect(await h.db.bodies.where('rowId').equals(oldNote.id).count()).toBe(0);
    expect(oldNote.preview).not.toContain('zanzibar');

    // The local search: the index holds what is cached. It finds the recent message by its body,
    // not the old one, and says that bodies are cached back to the recent one's date only and
    // that two are not on this computer: the old messages were searched by headers and preview.
    await runSearchIndexer(h.db);
    const scope = {
      accountIds: [account.id],
      accounts: [{ id: account.id, name: 'Me', email: user.address }],
    };
    const local = await searchLocal(h.db, wordQuery('zanzibar'), scope, { limit: 10 });
    expect(local.rows.map((row) => row.id)).toEqual([recent.id]);
    expect(local.coverage).toMatchObject({
      messages: 3,
      bodiesMissing: 2,
      bodiesCachedSince: recent.date,
      indexing: false,
    });
    expect(local.coverage.bodiesCachedSince).toBeGreaterThan(oldNote.date);

    // Mail arriving in Archive after its sync: not in the cache until the server step fetches it.
    // (INBOX's first live pass asks for one poll 300 ms later; with that done, Archive is next
    // looked at in ten minutes.)
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await client.append('Archive', message('Archived plan', 'The zanzibar plan, filed.'), [], old);
    const archive = folderIdOf(account.id, 'Archive');
    // An empty folder converges (no rows) before its first checkpoint lands: wait for both.
    await eventually(
      async () => (await h.db.checkpoints.bulkGet([inbox, archive])).every(Boolean),
      10_000,
      'both folders synced once',
    );
    const checkpoints = await h.db.checkpoints.bulkGet([inbox, archive]);
    const [inboxValidity, archiveValidity] = checkpoints.map((c) => c!.uidValidity);
    expect(await h.db.messages.where('folderId').equals(archive).count()).toBe(0);

    const request: ServerSearchRequest = {
      accountId: account.id,
      folders: [
        { folderId: inbox, uidValidity: inboxValidity! },
        { folderId: archive, uidValidity: archiveValidity! },
      ],
      query: wordQuery('zanzibar'),
    };
    const result = await call<ServerSearchResult>(h, 'searchServer', request);
    const [inboxHits, archiveHits] = result.folders;
    expect(inboxHits).toEqual({
      folderId: inbox,
      ok: true,
      uidValidity: inboxValidity,
      // Newest (highest UID) first; the unrelated old message is not among them.
      uids: [oldNote.uid, recent.uid].sort((a, b) => b - a),
      total: 2,
    });
    expect(archiveHits).toMatchObject({ folderId: archive, ok: true, uids: [1], total: 1 });

    const loaded = await call<number>(h, 'loadMessages', {
      folderId: archive,
      uidValidity: archiveValidity,
      uids: [1],
    });
    expect(loaded).toBe(1);
    const fetched = await h.db.messages.get(messageRowId(archive, 1));
    expect(fetched).toMatchObject({ subject: 'Archived plan', uid: 1, date: old.getTime() });
    expect(fetched?.from).toEqual([{ name: 'Carol', address: 'carol@example.test' }]);
    expect(fetched?.preview).toContain('zanzibar plan');
    // Headers only: no body came with it, and the folder's sync position did not move.
    expect(await h.db.bodies.where('rowId').equals(fetched!.id).count()).toBe(0);
    expect((await h.db.checkpoints.get(archive))?.uidNext).toBe(checkpoints[1]!.uidNext);
    // Again: the same row, nothing doubled.
    await call<number>(h, 'loadMessages', {
      folderId: archive,
      uidValidity: archiveValidity,
      uids: [1],
    });
    expect(await h.db.messages.where('folderId').equals(archive).count()).toBe(1);
  });

  it('says when a folder changed, refuses bad queries, and fails in words when offline', async () => {
    const { user, input } = await newUserAccount(rig);
    const client = await otherClient(rig, user);
    defer(() => client.logout());
    await client.append('INBOX', message('Only one', 'zanzibar'));
    const h = await startHarness();
    defer(() => h.stop());
    const account = await h.core.api.addAccount(input);
    const inbox = folderIdOf(account.id, 'INBOX');
    const request = (uidValidity: number): ServerSearchRequest => ({
      accountId: account.id,
      folders: [{ folderId: inbox, uidValidity }],
      query: wordQuery('zanzibar'),
    });

    // No cache attached yet: the account is not connected.
    const offline = await call(h, 'searchServer', request(1)).catch((e: unknown) => e);
    expect(offline).toBeInstanceOf(PetrelError);
    expect(offline).toMatchObject({ code: 'unavailable' });
    expect((offline as Error).message).toMatch(/only this computer’s copy was searched/);

    h.attach();
    await expectConverged(h, client, account, 15_000);
    const validity = (await h.db.checkpoints.get(inbox))!.uidValidity;
    const stale = await call<ServerSearchResult>(h, 'searchServer', request(validity + 1));
    expect(stale.folders).toEqual([{ folderId: inbox, ok: false, reason: FOLDER_CHANGED }]);
    const fresh = await call<ServerSearchResult>(h, 'searchServer', request(validity));
    expect(fresh.folders[0]).toMatchObject({ ok: true, uids: [1] });

    const malformed = { ...request(validity), query: { terms: [{ kind: 'text', words: [] }] } };
    await expect(call(h, 'searchServer', malformed)).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    const foreign = { ...request(validity), folders: [{ folderId: 'other-account:INBOX' }] };
    await expect(call(h, 'searchServer', foreign)).rejects.toMatchObject({
      code: 'invalid-argument',
    });
  });
});
