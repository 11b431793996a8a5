import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderIdOf, type Address, type MessageRow } from '#shared/mail';
import { applyBatch } from './apply.ts';
import {
  addToScore,
  contactsPassStep,
  DECAY_DAYS,
  PASS_KEY,
  runContactsPass,
  SENT_WEIGHT,
  suggestContacts,
} from './contacts.ts';
import type { ContactRow, PetrelDb } from './db.ts';
import { BASE_DATE, batch, checkpoint, folder, freshDb, message } from './test-support.ts';

const ACCOUNT = 'acc1';
const INBOX = folderIdOf(ACCOUNT, 'INBOX');
const SENT = folderIdOf(ACCOUNT, 'Sent');
const JUNK = folderIdOf(ACCOUNT, 'Junk');
const DAY = 86_400_000;

const ada: Address = { name: 'Ada Lovelace', address: 'ada@example.org' };
const charles: Address = { name: 'Charles Babbage', address: 'charles@example.org' };
const me: Address = { name: 'Me', address: 'me@example.org' };

let db: PetrelDb;

beforeEach(async () => {
  db = freshDb();
  await applyBatch(
    db,
    batch(ACCOUNT, {
      folders: {
        put: [
          folder(ACCOUNT, 'INBOX', { role: 'inbox' }),
          folder(ACCOUNT, 'Sent', { role: 'sent' }),
          folder(ACCOUNT, 'Junk', { role: 'junk' }),
        ],
      },
    }),
  );
});

afterEach(async () => {
  await db.delete();
});

function mail(folderId: string, uid: number, from: Address, to: Address[], extra = {}) {
  return message(folderId, uid, { from: [from], to, cc: [], ...extra });
}

const put = (folderId: string, rows: MessageRow[]) =>
  applyBatch(db, batch(ACCOUNT, { folderId, put: rows, checkpoint: checkpoint() }));

async function contact(address: string): Promise<ContactRow | undefined> {
  return db.contacts.get(address);
}

/** Every real contact (not the pass's row), by address. */
async function allContacts(): Promise<Record<string, ContactRow>> {
  const rows = await db.contacts.toArray();
  return Object.fromEntries(rows.filter((r) => r.address !== PASS_KEY).map((r) => [r.address, r]));
}

describe('harvesting contacts as batches are applied', () => {
  beforeEach(async () => {
    await runContactsPass(db); // a new cache: the pass ends at once
  });

  it('counts the sender and recipients of new messages, once, with the latest name', async () => {
    await put(INBOX, [
      mail(INBOX, 1, { address: 'ADA@Example.org' }, [me]),
      mail(INBOX, 2, ada, [me, charles]),
    ]);
    const found = await allContacts();
    expect(Object.keys(found).sort()).toEqual([
      'ada@example.org',
      'charles@example.org',
      'me@example.org',
    ]);
    expect(found['ada@example.org']).toMatchObject({
      name: 'Ada Lovelace',
      count: 2,
      sentCount: 0,
      lastSeen: BASE_DATE + 2000,
    });
    expect(found['charles@example.org']?.count).toBe(1);
  });

  it('does not count a message again when its batch is applied again', async () => {
    const rows = [mail(INBOX, 1, ada, [me]), mail(INBOX, 2, ada, [me])];
    await put(INBOX, rows);
    const once = await allContacts();
    await put(INBOX, rows);
    await put(INBOX, [rows[1] as MessageRow, mail(INBOX, 3, ada, [me])]);
    const after = await allContacts();
    expect(once['ada@example.org']?.count).toBe(2);
    expect(after['ada@example.org']?.count).toBe(3);
    expect(after['me@example.org']?.count).toBe(3);
  });

  it('finds cached rows whatever the spread of the dates in a batch', async () => {
    // Many cached rows between the batch's oldest and newest date: looked up by id instead.
    const days = (uid: number) => ({ date: BASE_DATE + uid * DAY });
    await put(
      INBOX,
      [1, 2, 3].map((uid) => mail(INBOX, uid, ada, [me], days(uid))),
    );
    await put(
      INBOX,
      Array.from({ length: 300 }, (_, i) => mail(INBOX, 10 + i, charles, [me], days(10 + i))),
    );
    // A new old message, and the newest cached one again: the window spans the whole folder.
    await put(INBOX, [
      mail(INBOX, 900, ada, [me], days(0)),
      mail(INBOX, 309, charles, [me], days(309)),
    ]);
    expect((await contact('ada@example.org'))?.count).toBe(4);
    expect((await contact('charles@example.org'))?.count).toBe(300);
    expect((await contact('me@example.org'))?.count).toBe(304);
  });

  it('weighs the recipients of Sent mail up and leaves the sender (the user) out', async () => {
    await put(SENT, [mail(SENT, 1, me, [charles])]);
    expect(await contact('me@example.org')).toBeUndefined();
    expect(await contact('charles@example.org')).toMatchObject({ count: 1, sentCount: 1 });
    // One message sent to Charles outranks one received from Ada at the same time…
    await put(INBOX, [mail(INBOX, 1, ada, [me], { date: BASE_DATE + 1000 })]);
    const received = (await contact('ada@example.org'))?.score ?? 0;
    expect((await contact('charles@example.org'))?.score).toBeGreaterThan(received);
    // …and as many as SENT_WEIGHT received ones at the same date tie with it.
    const sent = (await contact('charles@example.org'))?.score ?? 0;
    expect(addToScore(undefined, SENT_WEIGHT, BASE_DATE + 1000, Infinity)).toBeCloseTo(sent, 9);
  });

  it('harvests nothing from Junk, and no address that does not parse or holds control characters', async () => {
    await put(JUNK, [mail(JUNK, 1, { name: 'Spam', address: 'spam@bad.test' }, [me])]);
    await put(INBOX, [
      mail(INBOX, 2, { name: 'Evil', address: 'evil@example.org\r\nBcc: x@y.org' }, [
        { address: 'not an address' },
        { name: 'Line\nbreak', address: 'named@example.org' },
        { name: 'boss@bank.test', address: 'phish@example.org' },
      ]),
    ]);
    const found = await allContacts();
    expect(Object.keys(found).sort()).toEqual(['named@example.org', 'phish@example.org']);
    // Names with control characters, or that could pass for an address, are not kept.
    expect(found['named@example.org']?.name).toBeUndefined();
    expect(found['phish@example.org']?.name).toBeUndefined();
  });

  it('counts nothing for a cached message that comes again with other flags', async () => {
    await put(INBOX, [mail(INBOX, 1, ada, [me])]);
    const before = await contact('ada@example.org');
    await put(INBOX, [mail(INBOX, 1, ada, [me], { flags: ['\\Seen'] })]);
    expect(await contact('ada@example.org')).toEqual(before);
  });
});

describe('ranking', () => {
  it('puts the recent before the old, and the frequent before the rare, in any order of arrival', () => {
    const now = BASE_DATE + 400 * DAY;
    const recent = addToScore(undefined, 1, now - DAY, now);
    const old = addToScore(undefined, 1, now - 100 * DAY, now);
    expect(recent).toBeGreaterThan(old);
    const thrice = [0, 1, 2].reduce<number | undefined>(
      (s, i) => addToScore(s, 1, now - (10 + i) * DAY, now),
      undefined,
    );
    const thriceReversed = [2, 1, 0].reduce<number | undefined>(
      (s, i) => addToScore(s, 1, now - (10 + i) * DAY, now),
      undefined,
    );
    expect(thrice).toBeCloseTo(thriceReversed as number, 9);
    expect(thrice).toBeGreaterThan(addToScore(undefined, 1, now - 10 * DAY, now));
    // Many messages long ago still beat one today once they are many enough: e^(Δt/τ).
    const manyOld = addToScore(undefined, 100, now - DECAY_DAYS * 4 * DAY, now);
    expect(manyOld).toBeGreaterThan(addToScore(undefined, 1, now, now));
    // A date in the future counts as now: it cannot pin a contact on top.
    expect(addToScore(undefined, 1, now + 1000 * DAY, now)).toBe(
      addToScore(undefined, 1, now, now),
    );
  });
});

describe('the one-time pass over mail cached before contacts existed', () => {
  it('harvests every cached message once, while batches keep coming', async () => {
    // Cached before the pass ran: applying harvests nothing yet.
    await put(
      INBOX,
      [1, 2, 3, 4, 5].map((uid) => mail(INBOX, uid, ada, [me])),
    );
    expect(await contact('ada@example.org')).toBeUndefined();
    // Two rows walked (ids "…#1", "…#2")…
    expect(await contactsPassStep(db, 2)).toBe(false);
    expect((await contact('ada@example.org'))?.count).toBe(2);
    // …then a batch re-applies one walked row and one not walked, and brings one new row on
    // each side of the pass's position: none may count twice, none may be missed.
    await put(INBOX, [
      mail(INBOX, 2, ada, [me]),
      mail(INBOX, 4, ada, [me]),
      mail(INBOX, 10, ada, [me]), // "…#10" sorts before "…#2": walked past already
      mail(INBOX, 9, ada, [me]), // "…#9" is ahead: the pass will walk it
    ]);
    await runContactsPass(db, 2);
    expect((await contact('ada@example.org'))?.count).toBe(7);
    expect((await contact('me@example.org'))?.count).toBe(7);
    // Done for good: a later batch is harvested by the writer, and the pass does nothing more.
    await put(INBOX, [mail(INBOX, 11, ada, [me])]);
    await runContactsPass(db, 2);
    expect((await contact('ada@example.org'))?.count).toBe(8);
  });
});

describe('suggestContacts', () => {
  beforeEach(async () => {
    await runContactsPass(db);
    await put(INBOX, [
      mail(INBOX, 1, { name: 'Zoë Ångström', address: 'zoe.angstrom@example.org' }, [me]),
      mail(INBOX, 2, ada, [me]),
      mail(INBOX, 3, ada, [me]),
      mail(INBOX, 4, { name: 'Adam Smith', address: 'smith@example.org' }, [me]),
    ]);
  });

  it('matches the start of the address, of a word of it, of the name or of a word of the name', async () => {
    const addresses = async (query: string) =>
      (await suggestContacts(db, query, 10)).map((c) => c.address);
    expect(await addresses('zoe')).toEqual(['zoe.angstrom@example.org']);
    expect(await addresses('ANGS')).toEqual(['zoe.angstrom@example.org']);
    expect(await addresses('ångs')).toEqual(['zoe.angstrom@example.org']);
    expect(await addresses('zoë ång')).toEqual(['zoe.angstrom@example.org']);
    expect(await addresses('love')).toEqual(['ada@example.org']);
    expect(await addresses('smi')).toEqual(['smith@example.org']);
    expect(await addresses('xample')).toEqual([]);
    expect(await addresses('  ')).toEqual([]);
  });

  it('gives the best score first, at most `limit`, without the excluded addresses', async () => {
    // Ada wrote twice, Adam once and later: twice within a day wins.
    expect((await suggestContacts(db, 'ad', 10)).map((c) => c.address)).toEqual([
      'ada@example.org',
      'smith@example.org',
    ]);
    expect((await suggestContacts(db, 'ad', 1)).map((c) => c.address)).toEqual(['ada@example.org']);
    expect(
      (await suggestContacts(db, 'ad', 10, new Set(['ada@example.org']))).map((c) => c.address),
    ).toEqual(['smith@example.org']);
  });
});
