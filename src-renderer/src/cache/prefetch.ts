/**
 * Saves mail for offline reading: the text part of every message newer than the window (default
 * 90 days; `null` for everything) is fetched in the background, newest first, INBOX first. The
 * cache knows what it lacks, so the renderer drives this; main fetches at low priority.
 */
import type { PetrelBridge } from '#shared/contract';
import type { FolderRow, PartRequest } from '#shared/mail';
import { textPart } from '#shared/mime';
import type { PetrelDb } from './db.ts';
import { messagePage, type PageCursor } from './queries.ts';

export const DEFAULT_OFFLINE_DAYS = 90;
const DAY = 86_400_000;
const REQUEST_SIZE = 25;
const SCAN_PAGE = 500;

export interface PrefetchOptions {
  /** Days back to keep readable offline; null: everything. */
  windowDays?: number | null;
  /** How often to look again for new mail to save (ms). */
  intervalMs?: number;
  onProgress?(progress: { saved: number; missing: number }): void;
  onError?(error: unknown): void;
  now?(): number;
}

/** A running prefetch: `nudge` asks for a round soon (new mail was cached). */
export interface Prefetch {
  (): void;
  nudge(): void;
}

/** Starts the prefetch loop; returns its stop function, which can also nudge it. */
export function startPrefetch(
  db: PetrelDb,
  bridge: Pick<PetrelBridge, 'loadParts'>,
  options: PrefetchOptions = {},
): Prefetch {
  let stopped = false;
  let running = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const interval = options.intervalMs ?? 60_000;
  const schedule = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => void round(), ms);
  };

  const round = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const missing = await missingTextParts(db, cutoff(options));
      let saved = 0;
      options.onProgress?.({ saved, missing: missing.length });
      for (let i = 0; i < missing.length && !stopped; i += REQUEST_SIZE) {
        const chunk = missing.slice(i, i + REQUEST_SIZE);
        await bridge.loadParts(chunk, true);
        saved += chunk.length;
        options.onProgress?.({ saved, missing: missing.length });
      }
    } catch (error) {
      // Offline or a server error: the next round tries again.
      options.onError?.(error);
    }
    running = false;
    if (stopped) return;
    schedule(again ? NUDGE_DELAY_MS : interval);
    again = false;
  };
  void round();
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
  };
  return Object.assign(stop, {
    nudge: () => {
      if (stopped) return;
      if (running) again = true;
      else schedule(NUDGE_DELAY_MS);
    },
  });
}

/** Mail that just arrived is saved after this pause, which gathers a burst of batches. */
const NUDGE_DELAY_MS = 1_000;

function cutoff(options: PrefetchOptions): number {
  const days = options.windowDays === undefined ? DEFAULT_OFFLINE_DAYS : options.windowDays;
  return days === null ? -Infinity : (options.now?.() ?? Date.now()) - days * DAY;
}

/** Text parts not cached yet, of messages newer than `since`: INBOX first, newest first. */
export async function missingTextParts(db: PetrelDb, since: number): Promise<PartRequest[]> {
  const folders = (await db.folders.toArray()).filter((f) => f.selectable).sort(inboxFirst);
  const missing: PartRequest[] = [];
  for (const folder of folders) {
    let cursor: PageCursor | undefined;
    for (;;) {
      const page = await messagePage(db, folder.id, SCAN_PAGE, cursor);
      const rows = page.filter((row) => row.date >= since);
      const wanted = rows.flatMap((row) => {
        const part = row.structure ? textPart(row.structure) : undefined;
        return part ? [{ rowId: row.id, parts: [part.part] }] : [];
      });
      const cached = await db.bodies.bulkGet(wanted.map((w) => [w.rowId, w.parts[0] as string]));
      missing.push(...wanted.filter((_, i) => !cached[i]));
      const last = page[page.length - 1];
      if (!last || page.length < SCAN_PAGE || rows.length < page.length) break;
      cursor = { date: last.date, id: last.id };
    }
  }
  return missing;
}

function inboxFirst(a: FolderRow, b: FolderRow): number {
  return Number(b.role === 'inbox') - Number(a.role === 'inbox') || a.path.localeCompare(b.path);
}
