/**
 * Contacts for the composer's autocomplete, harvested from synced mail by the cache writer: the
 * senders and recipients of every cached message, the Sent folder's recipients (people the user
 * writes to) weighing `SENT_WEIGHT` times more. Junk and Drafts are left out.
 *
 * Ranking ("frecency"): a message adds its weight, decayed by its age with a time constant of
 * `DECAY_DAYS`. The score keeps the logarithm of that sum, in days: τ·ln Σ wᵢ·e^(tᵢ/τ). As time
 * passes, decay multiplies every contact's sum by the same factor, so ordering by the stored score
 * is ordering by the decayed sum at any moment: it is kept by adding messages, never recomputed,
 * and it does not depend on the order messages arrive in (sync walks down, newest first).
 *
 * Each message counts once. `applyBatch` harvests only rows that were not cached before (a batch
 * applied again counts nothing; a folder reset or a message moved to another folder counts it
 * again, which only nudges the ranking). Caches synced before contacts existed are harvested
 * once, in the background, by `startContactsPass`: it walks the messages by id in small
 * transactions and records how far it got in the contacts table (the row keyed `PASS_KEY`);
 * meanwhile `applyBatch` harvests only rows the pass has walked past, so no row counts twice.
 */
import { hasHeaderBreak } from '#shared/compose';
import { addressKey, normalizeAddress } from '#shared/addresses';
import type { Address, FolderRole, MessageRow } from '#shared/mail';
import type { ChangeBatch } from '#shared/sync';
import type { ContactRow, PetrelDb } from './db.ts';

/** How much more a recipient of a message in Sent counts than a sender or another recipient. */
export const SENT_WEIGHT = 4;
/** Time constant of the decay: a contact's weight halves in about 0.69 × this many days. */
export const DECAY_DAYS = 60;
/** The contacts row that is no contact: the one-time pass's progress. No address is empty. */
export const PASS_KEY = '';

const DAY_MS = 86_400_000;
const MAX_NAME = 200;
const PASS_CHUNK = 1_000;
const PASS_PAUSE_MS = 30;

/** One address seen in one message. */
interface Sighting {
  key: string;
  name?: string;
  weight: number;
  sent: boolean;
  date: number;
}

/** The score after adding `weight` at `date` (ms; the future counts as now) to `score`. */
export function addToScore(score: number | undefined, weight: number, date: number, now: number) {
  const added = Math.min(date, now) / DAY_MS + DECAY_DAYS * Math.log(weight);
  if (score === undefined || !Number.isFinite(score)) return added;
  const high = Math.max(score, added);
  const low = Math.min(score, added);
  // log-sum-exp: exact, and without the overflow of e^(t/τ) for today's dates.
  return high + DECAY_DAYS * Math.log1p(Math.exp((low - high) / DECAY_DAYS));
}

/**
 * The addresses one message names, with their weight: in Sent its recipients (the sender is the
 * user), elsewhere its sender and recipients. Addresses that do not parse or hold control
 * characters are skipped; a name with control characters or an "@" (it could pass for an
 * address: Mailsploit) is dropped.
 */
export function sightingsOf(
  row: MessageRow,
  role: FolderRole | undefined,
  normalize: (address: string) => string | undefined = normalizeAddress,
): Sighting[] {
  if (role === 'junk' || role === 'drafts') return [];
  const sent = role === 'sent';
  const listed = sent ? [...row.to, ...row.cc] : [...row.from, ...row.to, ...row.cc];
  const out: Sighting[] = [];
  for (const entry of listed) {
    const sighting = sightingOf(entry, sent, row.date, normalize);
    if (sighting) out.push(sighting);
  }
  return out;
}

function sightingOf(
  entry: Address,
  sent: boolean,
  date: number,
  normalize: (address: string) => string | undefined,
): Sighting | undefined {
  const address = entry.address === undefined ? undefined : normalize(entry.address);
  if (!address) return undefined;
  const sighting: Sighting = {
    key: addressKey(address),
    weight: sent ? SENT_WEIGHT : 1,
    sent,
    date,
  };
  const name = cleanName(entry.name, address);
  if (name) sighting.name = name;
  return sighting;
}

function cleanName(name: string | undefined, address: string): string | undefined {
  if (!name || hasHeaderBreak(name) || name.includes('@')) return undefined;
  const clean = name.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME);
  return clean && clean.toLowerCase() !== address.toLowerCase() ? clean : undefined;
}

/** A contact not seen yet. */
const newContact = (address: string): ContactRow => ({
  address,
  score: -Infinity,
  count: 0,
  sentCount: 0,
  lastSeen: 0,
});

/** Counts one more sighting in `contact` (changed in place). */
export function addSighting(contact: ContactRow, s: Sighting, now: number): void {
  contact.score = addToScore(contact.score, s.weight, s.date, now);
  contact.count += 1;
  if (s.sent) contact.sentCount += 1;
  // The latest name wins, whatever order messages come in.
  if (s.name && s.date >= contact.lastSeen) contact.name = s.name;
  contact.lastSeen = Math.max(contact.lastSeen, s.date);
}

/**
 * Adds the addresses of `rows` to the contacts (one read and one write of the contacts they
 * name). Run inside a transaction that includes `contacts`.
 */
export async function harvestRows(
  db: PetrelDb,
  rows: readonly MessageRow[],
  roleOf: (folderId: string) => FolderRole | undefined,
  now = Date.now(),
): Promise<void> {
  const byKey = new Map<string, Sighting[]>();
  // The same few people write most messages: parse each address once per batch.
  const parsed = new Map<string, string | undefined>();
  const normalize = (address: string) => {
    if (!parsed.has(address)) parsed.set(address, normalizeAddress(address));
    return parsed.get(address);
  };
  for (const row of rows) {
    for (const sighting of sightingsOf(row, roleOf(row.folderId), normalize)) {
      const list = byKey.get(sighting.key);
      if (list) list.push(sighting);
      else byKey.set(sighting.key, [sighting]);
    }
  }
  if (byKey.size === 0) return;
  const keys = [...byKey.keys()];
  const stored = await db.contacts.bulkGet(keys);
  const updated = keys.map((key, i) => {
    const before = stored[i];
    const contact = before ? { ...before } : newContact(key);
    for (const sighting of byKey.get(key) ?? []) addSighting(contact, sighting, now);
    return contact;
  });
  await db.contacts.bulkPut(updated);
}

/** What `applyBatch` needs to harvest a batch's rows, read before its transaction. */
export interface BatchHarvest {
  /**
   * The rows of `rows` to harvest: not cached yet (checked by key only) and already walked past
   * by the one-time pass. Call before the rows are written.
   */
  unseen(db: PetrelDb, rows: readonly MessageRow[]): Promise<MessageRow[]>;
  /** Harvests rows `unseen` returned, once they are written. */
  harvest(db: PetrelDb, rows: readonly MessageRow[]): Promise<void>;
}

/**
 * Reads the roles of the folders a batch puts messages in (its own folder rows first), outside
 * its transaction so that the folder list is never held up by a message write.
 */
export async function prepareHarvest(db: PetrelDb, batch: ChangeBatch): Promise<BatchHarvest> {
  const roles = new Map<string, FolderRole | undefined>();
  const folderIds = [...new Set(batch.put?.map((row) => row.folderId))];
  if (folderIds.length) {
    const stored = await db.folders.bulkGet(folderIds);
    stored.forEach((folder, i) => roles.set(folderIds[i] as string, folder?.role));
  }
  for (const folder of batch.folders?.put ?? []) roles.set(folder.id, folder.role);
  return {
    async unseen(db, rows) {
      if (rows.length === 0) return [];
      const [cached, pass] = await Promise.all([cachedIds(db, rows), db.contacts.get(PASS_KEY)]);
      const passed = (id: string) => pass?.pass?.done === true || id <= (pass?.pass?.after ?? '');
      return rows.filter((row) => !cached.has(row.id) && passed(row.id));
    },
    harvest: (db, rows) => harvestRows(db, rows, (folderId) => roles.get(folderId)),
  };
}

/**
 * Which of `rows` are cached, reading keys only. A cached row has the same date (INTERNALDATE
 * never changes for a UID), so the keys of the folder's rows between the batch's oldest and newest
 * date include them: for a batch of sync (a run of UIDs) or of new mail that window holds little
 * more than the batch. A window much larger than the batch (dates spread over years) is not read:
 * the rows are looked up by id instead. (By id alone, `anyOf` walks every key between the
 * batch's lowest and highest id, which in string order can be most of the folder.)
 */
async function cachedIds(db: PetrelDb, rows: readonly MessageRow[]): Promise<Set<string>> {
  const byFolder = new Map<string, MessageRow[]>();
  for (const row of rows) {
    const list = byFolder.get(row.folderId);
    if (list) list.push(row);
    else byFolder.set(row.folderId, [row]);
  }
  const found = await Promise.all(
    [...byFolder].map(async ([folderId, list]) => {
      const dates = list.map((row) => row.date);
      const limit = list.length * 2 + 100;
      const keys = await db.messages
        .where('[folderId+date]')
        .between([folderId, Math.min(...dates)], [folderId, Math.max(...dates)], true, true)
        .limit(limit)
        .primaryKeys();
      if (keys.length < limit) return keys;
      const cached = await db.messages.bulkGet(list.map((row) => row.id));
      return cached.flatMap((row) => (row ? [row.id] : []));
    }),
  );
  return new Set(found.flat());
}

/**
 * Walks every cached message once (pre-contacts caches; on a new cache it ends at once), in
 * chunks, each in its own transaction with what it read, so that sync and the UI go on between
 * them. Resumes where it stopped after a restart. Returns a function that stops it.
 */
export function startContactsPass(
  db: PetrelDb,
  onError: (error: unknown) => void = (error) => console.error('Contacts pass failed', error),
): () => void {
  let stopped = false;
  void (async () => {
    try {
      while (!stopped && !(await contactsPassStep(db))) {
        await new Promise((resume) => setTimeout(resume, PASS_PAUSE_MS));
      }
    } catch (error) {
      if (!stopped) onError(error);
    }
  })();
  return () => {
    stopped = true;
  };
}

/**
 * One chunk of the pass, in one transaction; true once the pass is complete. On a new cache the
 * first step finds no message and ends the pass: started before sync attaches, it costs nothing.
 */
export async function contactsPassStep(db: PetrelDb, chunk = PASS_CHUNK): Promise<boolean> {
  return db.transaction('rw', db.messages, db.contacts, db.folders, async () => {
    // `applyBatch` reads the same row in its transaction: both see the same position.
    const state = (await db.contacts.get(PASS_KEY))?.pass ?? { after: '', done: false };
    if (state.done) return true;
    const rows = await db.messages.where(':id').above(state.after).limit(chunk).toArray();
    const folderIds = [...new Set(rows.map((row) => row.folderId))];
    const folders = await db.folders.bulkGet(folderIds);
    const roles = new Map(folderIds.map((id, i) => [id, folders[i]?.role]));
    await harvestRows(db, rows, (folderId) => roles.get(folderId));
    const pass = { after: rows.at(-1)?.id ?? state.after, done: rows.length < chunk };
    await db.contacts.put({ ...newContact(PASS_KEY), pass });
    return pass.done;
  });
}

/** Runs the whole pass now (tests, and callers that need it complete). */
export async function runContactsPass(db: PetrelDb, chunk = PASS_CHUNK): Promise<void> {
  while (!(await contactsPassStep(db, chunk))) {
    /* next chunk */
  }
}

/** Lower case without diacritics: "Zoë" and "ZOE" are the same to a search. */
export const foldText = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();

const WORD_BREAKS = /[\s"'(),.<>[\]@_+-]+/;

/** Whether a (folded) query starts the address, a word of its local part, the name or a word of it. */
function matches(contact: ContactRow, query: string): boolean {
  const address = contact.address;
  if (address.startsWith(query)) return true;
  const local = address.slice(0, address.lastIndexOf('@'));
  if (local.split(WORD_BREAKS).some((word) => word.startsWith(query))) return true;
  if (!contact.name) return false;
  const name = foldText(contact.name);
  return name.startsWith(query) || name.split(WORD_BREAKS).some((word) => word.startsWith(query));
}

/**
 * Contacts whose address, name, or a word of either starts with `query` (case and diacritics
 * ignored), best score first, at most `limit`, leaving out the `exclude`d addresses (keys).
 */
export async function suggestContacts(
  db: PetrelDb,
  query: string,
  limit: number,
  exclude: ReadonlySet<string> = new Set(),
): Promise<ContactRow[]> {
  const folded = foldText(query.trim());
  if (!folded) return [];
  // Every contact, best first, in one read: a few thousand rows read in a few ms, filtered here.
  const all = await db.contacts.orderBy('score').reverse().toArray();
  const out: ContactRow[] = [];
  for (const contact of all) {
    if (contact.address === PASS_KEY || exclude.has(contact.address)) continue;
    if (!matches(contact, folded)) continue;
    out.push(contact);
    if (out.length >= limit) break;
  }
  return out;
}
