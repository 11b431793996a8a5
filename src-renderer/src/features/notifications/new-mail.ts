/**
 * New-mail notifications, through the web Notification API: Electron shows it as a native
 * notification, a browser as its own. Only mail that is new to an INBOX the cache already knew
 * is announced: a first sync or a backfill of old mail never is. Notifications carry sender and
 * subject as plain text, never mail HTML.
 */
import type { MessageRow } from '#shared/mail';
import type { ChangeBatch } from '#shared/sync';
import type { PetrelDb } from '../../cache/db.ts';
import { isUnread } from '../../cache/list-queries.ts';
import { personName } from '../mail/format.ts';

const RECENT_MS = 10 * 60_000;
const MAX_SINGLE = 3;

export interface NewMailNotifier {
  /** Call after each committed batch. */
  onApplied(batch: ChangeBatch): void;
}

export function startNewMailNotifier(
  db: PetrelDb,
  onOpen: (rowId: string) => void,
  now: () => number = Date.now,
): NewMailNotifier {
  // Folders whose first sync is done: only their new mail is news.
  let known: Set<string> | undefined;
  const ready = db.checkpoints.toArray().then((rows) => {
    known = new Set(rows.filter((r) => !r.backfillBelow).map((r) => r.folderId));
  });
  return {
    onApplied(batch) {
      void ready.then(() => {
        const folderId = batch.folderId;
        if (!known || !folderId || !batch.checkpoint) return;
        const wasKnown = known.has(folderId);
        if (!batch.checkpoint.backfillBelow) known.add(folderId);
        if (!wasKnown || !batch.put?.length) return;
        const fresh = batch.put.filter(
          (row) => row.unifiedInbox === 1 && isUnread(row) && row.date > now() - RECENT_MS,
        );
        if (fresh.length) show(fresh, onOpen);
      });
    },
  };
}

function show(rows: MessageRow[], onOpen: (rowId: string) => void): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const newest = [...rows].sort((a, b) => b.date - a.date);
  if (newest.length > MAX_SINGLE) {
    const note = new Notification(`${newest.length} new messages`, {
      body: newest
        .slice(0, MAX_SINGLE)
        .map((row) => `${personName(row.from[0])}: ${row.subject}`)
        .join('\n'),
      tag: 'petrel-new-mail',
    });
    note.onclick = () => onOpen((newest[0] as MessageRow).id);
    return;
  }
  for (const row of newest) {
    const note = new Notification(personName(row.from[0]), {
      body: row.subject || '(no subject)',
      tag: row.id,
    });
    note.onclick = () => onOpen(row.id);
  }
}
