/**
 * The search benchmark's mail, generated in the page (deterministic): 100k messages over INBOX,
 * Archive and Sent, 3 years of dates, 500 senders, subjects and bodies drawn from a 30,000-word
 * vocabulary with a Zipf distribution (as natural text: a few words everywhere, most rare), bodies
 * of 80–400 words. Some words are planted where the fixed queries look for them.
 */
import type { FolderRow, MessageRow } from '#shared/mail';
import type { ChangeBatch } from '#shared/sync';
import type { BodyPart } from '#shared/mail';

export const ACCOUNT = 'bench';
export const FOLDERS = ['INBOX', 'Archive', 'Sent'] as const;
const START = Date.UTC(2023, 0, 1);
const SPAN = 3 * 365 * 86_400_000;
const VOCABULARY = 30_000;
const SYLLABLES =
  'ka lo mi ne ru sa ti vo be da fe gi ho ju ky la me no pu ri so ta ve wi xo za'.split(' ');
const FIRST =
  'ada alan grace linus ken dennis barbara frances edsger donald niklaus tony margaret radia sophie zoe jose'.split(
    ' ',
  );
const LAST =
  'lovelace turing hopper torvalds thompson ritchie liskov allen dijkstra knuth wirth hoare hamilton perlman wilson muller garcia'.split(
    ' ',
  );

/** mulberry32: a small deterministic generator. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The vocabulary, rank order: word i is the i-th most frequent. */
export const WORDS: string[] = (() => {
  const rnd = random(1);
  const seen = new Set<string>();
  while (seen.size < VOCABULARY) {
    const n = 2 + Math.floor(rnd() * 3);
    let word = '';
    for (let i = 0; i < n; i++) word += SYLLABLES[Math.floor(rnd() * SYLLABLES.length)];
    seen.add(word);
  }
  return [...seen];
})();

/** Zipf (s = 1.07) cumulative weights over the vocabulary. */
const CDF = (() => {
  const cdf = new Float64Array(VOCABULARY);
  let sum = 0;
  for (let i = 0; i < VOCABULARY; i++) cdf[i] = sum += 1 / Math.pow(i + 1, 1.07);
  for (let i = 0; i < VOCABULARY; i++) cdf[i] = (cdf[i] as number) / sum;
  return cdf;
})();

function zipfWord(rnd: () => number): string {
  const x = rnd();
  let lo = 0;
  let hi = VOCABULARY - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((CDF[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return WORDS[lo] as string;
}

const text = (rnd: () => number, n: number) =>
  Array.from({ length: n }, () => zipfWord(rnd)).join(' ');

export const PHRASE = 'quarterly harbour review';
export const PLANTED = 'zebracrossing';

export const folderRows = (): FolderRow[] =>
  FOLDERS.map((path) => ({
    id: `${ACCOUNT}:${path}`,
    accountId: ACCOUNT,
    path,
    name: path,
    delimiter: '/',
    namespace: 'personal',
    subscribed: true,
    selectable: true,
    messages: 0,
    unseen: 0,
    ...(path === 'INBOX'
      ? { role: 'inbox' as const }
      : path === 'Sent'
        ? { role: 'sent' as const }
        : {}),
  }));

function folderOf(uid: number): string {
  const r = uid % 10;
  return r < 7 ? 'INBOX' : r < 9 ? 'Archive' : 'Sent';
}

/** Message `uid` (1…n; a higher uid is newer) and its body text. */
export function generated(uid: number, total: number): { row: MessageRow; body: string } {
  const rnd = random(uid * 7919);
  const folderId = `${ACCOUNT}:${folderOf(uid)}`;
  const first = FIRST[Math.floor(rnd() * FIRST.length)] as string;
  const last = LAST[Math.floor(rnd() * LAST.length)] as string;
  const sender = `${first}.${last}${Math.floor(rnd() * 30)}`;
  let body = text(rnd, 80 + Math.floor(rnd() * 320));
  if (uid % 100 === 0) body = `${body} ${PHRASE} ${text(rnd, 20)}`;
  if (uid % 5000 === 0) body = `${PLANTED} ${body}`;
  const id = `${folderId}#${uid}`;
  const row: MessageRow = {
    id,
    folderId,
    accountId: ACCOUNT,
    uid,
    date: START + Math.floor((uid / total) * SPAN),
    flags: rnd() < 0.8 ? ['\\Seen'] : rnd() < 0.15 ? ['\\Flagged'] : [],
    size: 2000 + Math.floor(rnd() * 60_000),
    subject: text(rnd, 3 + Math.floor(rnd() * 6)),
    from: [{ name: `${first} ${last}`, address: `${sender}@example.org` }],
    to: [{ name: 'Bench User', address: 'bench@example.org' }],
    cc: rnd() < 0.2 ? [{ name: 'Team', address: 'team@example.org' }] : [],
    messageId: `<${uid}@example.org>`,
    threadId: `<${uid}@example.org>`,
    preview: body.slice(0, 200),
    hasAttachments: rnd() < 0.1,
    structure: { part: '1', type: 'text/plain', size: body.length },
  };
  if (folderOf(uid) === 'INBOX') row.unifiedInbox = 1;
  return { row, body };
}

let batchId = 1;

/** Sync-sized batches of rows (2,500, newest first as sync walks down), one folder each. */
export function* rowBatches(total: number, size = 2_500): Generator<ChangeBatch> {
  yield { id: batchId++, accountId: ACCOUNT, folders: { put: folderRows() } };
  for (let top = total; top >= 1; top -= size) {
    const byFolder = new Map<string, MessageRow[]>();
    for (let uid = top; uid > Math.max(0, top - size); uid--) {
      const { row } = generated(uid, total);
      byFolder.set(row.folderId, [...(byFolder.get(row.folderId) ?? []), row]);
    }
    for (const [folderId, put] of byFolder)
      yield { id: batchId++, accountId: ACCOUNT, folderId, put };
  }
}

/** Batches of text parts for every message (the prefetch's work), `size` messages each. */
export function* bodyBatches(total: number, size = 500): Generator<ChangeBatch> {
  for (let top = total; top >= 1; top -= size) {
    const byFolder = new Map<string, BodyPart[]>();
    for (let uid = top; uid > Math.max(0, top - size); uid--) {
      const { row, body } = generated(uid, total);
      const part: BodyPart = {
        rowId: row.id,
        part: '1',
        contentType: 'text/plain',
        text: body,
        size: body.length,
      };
      byFolder.set(row.folderId, [...(byFolder.get(row.folderId) ?? []), part]);
    }
    for (const [folderId, bodies] of byFolder)
      yield { id: batchId++, accountId: ACCOUNT, folderId, bodies };
  }
}
