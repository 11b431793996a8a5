/**
 * The ui group: the renderer with a fully cached 100k-message INBOX (seeded in the rig's Dovecot,
 * mirrored through browser mode into Chromium's on-disk IndexedDB, as the sync group does), measured
 * in the page: a cold start, moving through the list with `j`, scrolling the flat list, and the JS
 * heap. Each against a floor or a reference measured in the same run.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import {
  createUser,
  seedMailbox,
  startMailServers,
  stopMailServers,
} from '../e2e/mailserver/rig.ts';
import { startBrowserMode, type BrowserModeHost } from '../e2e/support/browser-mode.ts';
import { chromiumLaunchOptions } from '../e2e/support/chromium.ts';
import { median, percentile, result, round, type BenchResult } from './report.ts';
import { countInPage, inPageUntil, writeAccount } from './sync-bench.ts';

export interface UiBenchOptions {
  messages: number;
  /** Fresh Chromium processes measured for the cold start (and as many for its floor). */
  coldRuns: number;
  /** `j` presses measured for selectNext. */
  presses: number;
  /** Animation frames of scrolling (and as many idle ones for the reference). */
  scrollFrames: number;
  log(line: string): void;
}

/** Not a file: the host answers 404 with a short text, a same-origin document that runs no app code. */
const FLOOR_PATH = '/bench-floor.txt';
/** Pressed for selectNext's reference; the probe stops it before the app sees it. */
const PROBE_KEY = 'F9';
const SCROLL_STEP = 3000;
/** A brisk wheel scroll: 5 rows of 72 px a frame. */
const STEADY_STEP = 360;
const LIST = '[role="listbox"][aria-label="Messages"]';

export async function uiBench(opts: UiBenchOptions): Promise<BenchResult[]> {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const rig = await startMailServers({ dir: await mkdtemp(join(base, 'petrel-bench-rig-')) });
  let host: BrowserModeHost | undefined;
  let browser: Chromium | undefined;
  try {
    const user = await createUser(rig, 'bench');
    opts.log(`seeding ${opts.messages.toLocaleString()} messages…`);
    const seeded = await seedMailbox(rig, user.address, opts.messages);
    opts.log(`seeded in ${Math.round(seeded.writeMs + seeded.indexMs)} ms`);

    const accountId = randomUUID();
    host = await startBrowserMode({
      prepareProfile: (dir) => writeAccount(dir, accountId, rig, user),
    });
    browser = new Chromium(await mkdtemp(join(tmpdir(), 'petrel-bench-chromium-')));
    let page = await browser.launch();
    await page.goto(host.url);
    const synced = await page.evaluate(inPageUntil, {
      checkpointId: `${accountId}:INBOX`,
      checkpoint: 'complete' as const,
      pollMs: 100,
    });
    const cached = await page.evaluate(countInPage);
    if (cached !== opts.messages)
      throw new Error(`the cache holds ${cached}, not ${opts.messages}`);
    opts.log(`initial sync done in ${Math.round(synced)} ms`);

    // Cold starts: a fresh Chromium over the same profile each time, alternating the floor and
    // the app; the last app run stays open for the rest.
    const floorUrl = new URL(host.url);
    floorUrl.pathname = FLOOR_PATH;
    const cold: number[] = [];
    const floor: number[] = [];
    for (let run = 1; run <= opts.coldRuns; run++) {
      page = await browser.launch();
      await page.goto(floorUrl.href, { waitUntil: 'commit' });
      await page.waitForFunction(
        () => {
          const probe = (window as unknown as ProbeWindow).__bench;
          return probe?.floor !== undefined || probe?.floorError !== undefined;
        },
        undefined,
        { timeout: 60_000, polling: 20 },
      );
      const f = await page.evaluate(() => (window as unknown as ProbeWindow).__bench);
      if (!f.floor) throw new Error(`floor: ${f.floorError}`);
      if (f.floor.rows !== 50) throw new Error(`floor: read ${f.floor.rows} rows, not 50`);
      floor.push(f.floor.shown);

      page = await browser.launch();
      await page.goto(host.url, { waitUntil: 'commit' });
      await page.waitForFunction(
        () => (window as unknown as ProbeWindow).__bench?.rowsShown !== undefined,
        undefined,
        { timeout: 60_000, polling: 20 },
      );
      const c = await page.evaluate(coldStartInPage);
      const [busy] = await page.evaluate(busyInPage, [[0, c.rowsShown]] as [number, number][]);
      cold.push(c.rowsShown);
      opts.log(
        `cold ${run}: rows shown ${ms(c.rowsShown)} (in DOM ${ms(c.rowsInDom)}; response end ${ms(c.responseEnd)}, ` +
          `DOMContentLoaded ${ms(c.domContentLoaded)}, WebSocket open ${ms(c.wsOpen)}, first message ${ms(c.wsFirstMessage)}, ` +
          `IndexedDB open called ${ms(c.idbOpenCalled)}, opened ${ms(c.idbOpened)}, cache attach ${ms(c.attach)}; ` +
          `${c.longTasks} long tasks = ${ms(c.longTaskMs)} before the rows: ${busy?.scripts || 'no long frames'}), first row "${c.firstRow}"; ` +
          `floor: IDB open ${ms(f.floor.opened)}, 50 rows read ${ms(f.floor.read)}, next frame ${ms(f.floor.shown)}`,
      );
      await sleep(1000);
    }
    const heapShown = await heapMb(browser.context, page);
    opts.log(`JS heap with the list shown (after GC): ${heapShown} MB`);

    // selectNext: from the top of the list, `j` against a bare IndexedDB get of the same body.
    const select = await measureSelectNext(page, opts);

    // Scroll: the flat list (its true 100k range), against the same frames without scrolling.
    await page.getByRole('checkbox', { name: 'Conversations' }).uncheck();
    await page.waitForFunction(
      ({ list, count }) =>
        document.querySelector(`${list} [role="option"]`)?.getAttribute('aria-setsize') ===
        String(count),
      { list: LIST, count: opts.messages },
      { timeout: 60_000, polling: 50 },
    );
    await sleep(500);
    // At a brisk reading speed first (5 rows a frame, 300 a second): rows should never be blank.
    const steady = await page.evaluate(scrollInPage, {
      frames: opts.scrollFrames,
      step: STEADY_STEP,
      list: LIST,
      jumps: false,
    });
    opts.log(
      `steady scroll (${STEADY_STEP} px a frame): p95 ${ms(percentile(steady.deltas, 95))}, ${steady.blankFrames} of ${steady.frames} frames with blank rows`,
    );
    const scroll = await page.evaluate(scrollInPage, {
      frames: opts.scrollFrames,
      step: SCROLL_STEP,
      list: LIST,
      jumps: true,
    });
    opts.log(
      `scroll: ${scroll.frames} frames, p50/p95/max ${ms(percentile(scroll.deltas, 50))} / ${ms(percentile(scroll.deltas, 95))} / ${ms(Math.max(...scroll.deltas))}, ` +
        `${scroll.blankFrames} frames with blank rows on screen, rows filled ${ms(scroll.settleMs)} after the last step (at row ${scroll.endRow.toLocaleString()}); ` +
        `idle p50/p95 ${ms(percentile(scroll.idle, 50))} / ${ms(percentile(scroll.idle, 95))}`,
    );
    opts.log(
      `jumps: to the middle (row ${scroll.jumpMiddle.row.toLocaleString()}), rows filled after ${ms(scroll.jumpMiddle.app)} (raw IDB advance + 300 rows: ${ms(scroll.jumpMiddle.raw)}); ` +
        `to the end (row ${scroll.jumpEnd.row.toLocaleString()}), ${ms(scroll.jumpEnd.app)} (raw ${ms(scroll.jumpEnd.raw)})`,
    );
    const heapAfter = await heapMb(browser.context, page);
    opts.log(`JS heap after the scroll run (after GC): ${heapAfter} MB`);
    await browser.close();
    browser = undefined;
    await host.stop();
    host = undefined;

    const heapEmpty = await emptyProfileHeap();
    opts.log(`JS heap of the app on an empty profile (after GC): ${heapEmpty} MB`);

    const n = opts.messages.toLocaleString();
    return [
      result({
        name: 'ui.coldStart',
        value: median(cold),
        unit: 'ms',
        baseline: median(floor),
        note:
          `navigation start → first list rows in DOM + 1 rAF, ${n} cached, fresh Chromium over the same profile (OS file cache warm), ` +
          `Conversations on, median of ${cold.length}; baseline: same-origin page in its own fresh Chromium: raw IDB open + newest 50 via [unifiedInbox+date] + 1 rAF, median of ${floor.length}`,
      }),
      result({
        name: 'ui.selectNext',
        value: percentile(select.app, 95),
        unit: 'ms',
        baseline: percentile(select.floor, 95),
        note:
          `p95 (p50 ${round(percentile(select.app, 50), 1)}) of ${select.app.length} j presses from the top (Conversations on): keydown timeStamp → 1st rAF after the reader shows subject + body text${select.cachedNote}; ` +
          `baseline: p95 of the same key → bare IDB get of the next body → 1 rAF (p50 ${round(percentile(select.floor, 50), 1)})`,
      }),
      result({
        name: 'ui.scroll',
        value: percentile(scroll.deltas, 95),
        unit: 'ms',
        baseline: percentile(scroll.idle, 95),
        note:
          `p95 rAF delta, flat list of ${n}, scrollTop += ${SCROLL_STEP} each frame for ${scroll.frames} frames, ${scroll.blankFrames} of them showed blank rows (filled ${ms(scroll.settleMs)} after the last); ` +
          `at ${STEADY_STEP} px a frame: p95 ${ms(percentile(steady.deltas, 95))}, ${steady.blankFrames} of ${steady.frames} frames blank; ` +
          `baseline: p95 of ${scroll.idle.length} idle frames (headless rAF is vsync-paced at 60 Hz: ~16.7 ms is the floor)`,
      }),
      result({
        name: 'mem.renderer',
        value: heapAfter,
        unit: 'MB',
        baseline: heapEmpty,
        note:
          `JS heap used after GC (CDP), ${n} list shown, after the scroll run (${heapShown} MB before it); ` +
          'baseline: the app on an empty profile (no account)',
      }),
    ];
  } finally {
    await browser?.close();
    await host?.stop();
    await stopMailServers(rig);
  }
}

/** One Chromium profile dir, launched afresh (a new browser process) on demand. */
class Chromium {
  private current: BrowserContext | undefined;
  constructor(private readonly dir: string) {}

  get context(): BrowserContext {
    if (!this.current) throw new Error('Chromium is not running');
    return this.current;
  }

  /** Closes the running browser, if any, and starts a new one on the same profile. */
  async launch(): Promise<Page> {
    await this.current?.close();
    this.current = await chromium.launchPersistentContext(this.dir, {
      ...chromiumLaunchOptions,
      headless: true,
    });
    // tsx (esbuild keepNames) wraps functions in `__name(...)`: a no-op one lets in-page helpers
    // be passed as they are.
    await this.current.addInitScript('globalThis.__name = (fn) => fn;');
    await this.current.addInitScript(installProbe, { floorPath: FLOOR_PATH, probeKey: PROBE_KEY });
    return this.current.pages()[0] ?? (await this.current.newPage());
  }

  async close(): Promise<void> {
    await this.current?.close();
    this.current = undefined;
    await rm(this.dir, { recursive: true, force: true });
  }
}

interface Probe {
  keys: { key: string; t: number }[];
  longTasks: { start: number; duration: number }[];
  /** Long animation frames' scripts (5 ms or more): what kept the main thread busy. */
  scripts: { start: number; duration: number; what: string }[];
  /** The first list row was added to the DOM / the next animation frame (ms since navigation). */
  rowsInDom?: number;
  rowsShown?: number;
  /** Where the app's start went: its first IndexedDB open (called, succeeded), its WebSocket. */
  idbOpenCalled?: number;
  idbOpened?: number;
  wsOpen?: number;
  wsFirstMessage?: number;
  floor?: { opened: number; read: number; shown: number; rows: number };
  floorError?: string;
  /** selectNext's reference: a raw connection, and the body the probe key reads. */
  db?: IDBDatabase;
  probeTarget?: [string, string];
  onProbe?: (timing: Timing) => void;
  /** The measurement armed before a key press (NaN times when it never completed). */
  pending?: Promise<Timing>;
}
/** ms since navigation: the key's event.timeStamp, and the frame after the outcome showed. */
type Timing = { key: number; shown: number; found?: boolean };
type ProbeWindow = { __bench: Probe };
/** A script of a long animation frame (not in TypeScript's DOM types yet). */
type LoafScript = {
  startTime: number;
  duration: number;
  invoker: string;
  invokerType: string;
  sourceFunctionName: string;
};

/**
 * Init script, in every document before its own scripts: the keydown log (capture phase, first of
 * all listeners), long tasks, the first list rows, and on FLOOR_PATH the cold-start floor.
 */
function installProbe(args: { floorPath: string; probeKey: string }): void {
  const w = window as unknown as Partial<ProbeWindow>;
  if (w.__bench || window !== window.top) return;
  const probe: Probe = { keys: [], longTasks: [], scripts: [] };
  w.__bench = probe;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        probe.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask' });
    new PerformanceObserver((list) => {
      for (const frame of list.getEntries() as unknown as { scripts: LoafScript[] }[]) {
        for (const script of frame.scripts) {
          if (script.duration < 5) continue;
          const what = `${script.invoker || script.invokerType}${script.sourceFunctionName ? ` ${script.sourceFunctionName}` : ''}`;
          probe.scripts.push({
            start: script.startTime,
            duration: script.duration,
            what: what.replace(location.origin, ''),
          });
        }
      }
    }).observe({ type: 'long-animation-frame' });
  } catch {
    // no long-task timing here
  }
  window.addEventListener(
    'keydown',
    (event) => {
      probe.keys.push({ key: event.key, t: event.timeStamp });
      if (event.key !== args.probeKey) return;
      event.stopImmediatePropagation();
      event.preventDefault();
      const { db, probeTarget, onProbe } = probe;
      if (!db || !probeTarget || !onProbe) return;
      const key = event.timeStamp;
      const request = db.transaction('bodies').objectStore('bodies').get(probeTarget);
      request.onsuccess = () => {
        const found = request.result !== undefined;
        requestAnimationFrame(() => onProbe({ key, shown: performance.now(), found }));
      };
    },
    true,
  );

  if (location.pathname === args.floorPath) {
    const open = indexedDB.open('petrel-cache');
    open.onerror = () => (probe.floorError = String(open.error));
    open.onsuccess = () => {
      const db = open.result;
      const opened = performance.now();
      const rows: unknown[] = [];
      const index = db.transaction('messages').objectStore('messages').index('[unifiedInbox+date]');
      const cursor = index.openCursor(IDBKeyRange.bound([1], [1, []]), 'prev');
      cursor.onerror = () => (probe.floorError = String(cursor.error));
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (c && rows.length < 50) {
          rows.push(c.value);
          if (rows.length < 50) return c.continue();
        }
        const read = performance.now();
        db.close();
        requestAnimationFrame(() => {
          probe.floor = { opened, read, shown: performance.now(), rows: rows.length };
        });
      };
    };
    return;
  }

  const open = IDBFactory.prototype.open;
  IDBFactory.prototype.open = function (this: IDBFactory, ...params: Parameters<typeof open>) {
    const request = open.apply(this, params);
    if (probe.idbOpenCalled === undefined) {
      probe.idbOpenCalled = performance.now();
      request.addEventListener('success', () => (probe.idbOpened = performance.now()));
    }
    return request;
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...params: ConstructorParameters<typeof WebSocket>) {
      super(...params);
      this.addEventListener('open', () => (probe.wsOpen ??= performance.now()));
      this.addEventListener('message', () => (probe.wsFirstMessage ??= performance.now()));
    }
  };

  const observer = new MutationObserver(() => {
    if (!document.querySelector('[role="listbox"][aria-label="Messages"] [role="option"]')) return;
    observer.disconnect();
    probe.rowsInDom = performance.now();
    requestAnimationFrame(() => (probe.rowsShown = performance.now()));
  });
  observer.observe(document, { childList: true, subtree: true });
}

/**
 * Runs in the page: per [from, to] window, the long tasks' time inside it and the scripts of long
 * animation frames that ran in it, heaviest first.
 */
function busyInPage(windows: [number, number][]): { longTaskMs: number; scripts: string }[] {
  const probe = (window as unknown as ProbeWindow).__bench;
  const overlap = (start: number, duration: number, [from, to]: [number, number]) =>
    Math.max(0, Math.min(start + duration, to) - Math.max(start, from));
  return windows.map((w) => {
    const byWhat = new Map<string, number>();
    for (const s of probe.scripts) {
      const inside = overlap(s.start, s.duration, w);
      if (inside > 0) byWhat.set(s.what, (byWhat.get(s.what) ?? 0) + inside);
    }
    return {
      longTaskMs: Math.round(
        probe.longTasks.reduce((sum, t) => sum + overlap(t.start, t.duration, w), 0),
      ),
      scripts: [...byWhat]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([what, total]) => `${what} ${Math.round(total)} ms`)
        .join('; '),
    };
  });
}

/** Runs in the page after a cold start: the probe's times and where they sit in the page load. */
function coldStartInPage() {
  const probe = (window as unknown as ProbeWindow).__bench;
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
  const rowsShown = probe.rowsShown as number;
  const early = probe.longTasks.filter((t) => t.start < rowsShown);
  const row = document.querySelector('[role="listbox"][aria-label="Messages"] [role="option"]');
  return {
    rowsShown,
    rowsInDom: probe.rowsInDom as number,
    responseEnd: nav.responseEnd,
    domContentLoaded: nav.domContentLoadedEventEnd,
    attach: performance.getEntriesByName('petrel:cache-attach')[0]?.startTime ?? NaN,
    wsOpen: probe.wsOpen ?? NaN,
    wsFirstMessage: probe.wsFirstMessage ?? NaN,
    idbOpenCalled: probe.idbOpenCalled ?? NaN,
    idbOpened: probe.idbOpened ?? NaN,
    longTasks: early.length,
    longTaskMs: early.reduce((sum, t) => sum + t.duration, 0),
    firstRow: `${row?.getAttribute('aria-label')?.slice(0, 60)} (${row?.getAttribute('aria-posinset')}/${row?.getAttribute('aria-setsize')})`,
  };
}

interface TopRow {
  id: string;
  subject: string;
  part: string;
  /** The start of the cached body's first non-empty line; undefined while not cached. */
  snippet?: string;
  structure: string;
}

/**
 * Runs in the page: the newest `count` rows of the unified inbox (the list's order while every
 * message is its own conversation), each with its text part and, if cached, a piece of its body.
 */
async function topRowsInPage(count: number): Promise<TopRow[]> {
  type Part = { part: string; type: string; children?: Part[]; disposition?: string };
  type Row = { id: string; subject: string; structure?: Part };
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open('petrel-cache');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    const rows = await new Promise<Row[]>((resolve, reject) => {
      const found: Row[] = [];
      const index = db.transaction('messages').objectStore('messages').index('[unifiedInbox+date]');
      const cursor = index.openCursor(IDBKeyRange.bound([1], [1, []]), 'prev');
      cursor.onerror = () => reject(cursor.error);
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (c && found.length < count) {
          found.push(c.value as Row);
          c.continue();
        } else resolve(found);
      };
    });
    const leaves = (p: Part): Part[] => (p.children?.length ? p.children.flatMap(leaves) : [p]);
    return await Promise.all(
      rows.map(async (row) => {
        const text = row.structure
          ? leaves(row.structure).find(
              (p) => p.type === 'text/plain' && p.disposition !== 'attachment',
            )
          : undefined;
        const part = text?.part ?? '1';
        const body = await new Promise<{ text?: string } | undefined>((resolve, reject) => {
          const request = db.transaction('bodies').objectStore('bodies').get([row.id, part]);
          request.onsuccess = () => resolve(request.result as { text?: string } | undefined);
          request.onerror = () => reject(request.error);
        });
        const line = body?.text
          ?.split('\n')
          .map((l) => l.trim())
          .find(Boolean);
        return {
          id: row.id,
          subject: row.subject,
          part,
          structure: JSON.stringify(row.structure),
          ...(body ? { snippet: (line ?? '').slice(0, 40) } : {}),
        };
      }),
    );
  } finally {
    db.close();
  }
}

async function measureSelectNext(
  page: Page,
  opts: UiBenchOptions,
): Promise<{ app: number[]; floor: number[]; cachedNote: string }> {
  // The reader reads bodies the prefetch saved; give it time to save the top of the INBOX.
  const wanted = opts.presses + 1;
  const deadline = Date.now() + 180_000;
  let top = await page.evaluate(topRowsInPage, wanted);
  opts.log(`top row: ${top[0]?.id} "${top[0]?.subject}", structure ${top[0]?.structure}`);
  while (top.some((r) => r.snippet === undefined) && Date.now() < deadline) {
    await sleep(1000);
    top = await page.evaluate(topRowsInPage, wanted);
  }
  const missing = top.filter((r) => r.snippet === undefined).length;
  opts.log(
    missing
      ? `selectNext: ${missing} of the ${wanted} bodies still not cached after 3 min; measuring anyway`
      : `selectNext: the ${wanted} bodies at the top are cached`,
  );

  await page.locator(`${LIST} [role="option"][aria-posinset="1"]`).click();
  await page.waitForFunction(
    (subject) => document.querySelector('#reader h1.reader-subject')?.textContent === subject,
    top[0]?.subject,
    { timeout: 30_000 },
  );
  await page.evaluate(async () => {
    const probe = (window as unknown as ProbeWindow).__bench;
    probe.db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('petrel-cache');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  });
  await sleep(500);

  const app: number[] = [];
  const floor: number[] = [];
  const windows: [number, number][] = [];
  const bodiesBefore = await page.evaluate(bodyCountInPage);
  for (let i = 1; i < top.length; i++) {
    const next = top[i] as TopRow;
    // Reference first: the probe key reads the body the reader is about to show.
    await page.evaluate(armProbe, [next.id, next.part] as [string, string]);
    await page.keyboard.press(PROBE_KEY);
    const r = await page.evaluate(() => (window as unknown as ProbeWindow).__bench.pending);
    if (!r?.found) opts.log(`selectNext reference: body of ${next.id} not cached`);
    floor.push((r?.shown ?? NaN) - (r?.key ?? NaN));
    await sleep(100);

    await page.evaluate(armReader, { subject: next.subject, snippet: next.snippet });
    await page.keyboard.press('j');
    const shown = await page.evaluate(() => (window as unknown as ProbeWindow).__bench.pending);
    if (!shown || !Number.isFinite(shown.shown - shown.key)) {
      const heading = await page.locator('#reader h1.reader-subject').textContent();
      throw new Error(`selectNext: "${next.subject}" never showed (reader: "${heading}")`);
    }
    app.push(shown.shown - shown.key);
    windows.push([shown.key, shown.shown]);
    await sleep(100);
  }
  opts.log(
    `selectNext: ${app.map((v) => Math.round(v)).join(' ')} ms; reference ${floor.map((v) => Math.round(v)).join(' ')} ms`,
  );
  const busy = await page.evaluate(busyInPage, windows);
  busy.forEach((b, i) => {
    if ((app[i] as number) > 50) {
      opts.log(
        `selectNext press ${i + 1}: ${ms(app[i] as number)}, long tasks ${b.longTaskMs} ms: ${b.scripts || 'no long frames'}`,
      );
    }
  });
  const bodiesAfter = await page.evaluate(bodyCountInPage);
  opts.log(
    `background: the prefetch saved ${(bodiesAfter - bodiesBefore).toLocaleString()} bodies during selectNext (${bodiesAfter.toLocaleString()} cached)`,
  );
  const cachedNote = missing ? ` (${missing} bodies fetched on demand)` : ', bodies cached';
  return { app, floor, cachedNote };
}

/** Runs in the page before the probe key: `__bench.pending` resolves once it read this body. */
function armProbe(target: [string, string]): void {
  const probe = (window as unknown as ProbeWindow).__bench;
  probe.probeTarget = target;
  probe.pending = new Promise<Timing>((resolve) => {
    const timer = setTimeout(() => resolve({ key: NaN, shown: NaN }), 10_000);
    probe.onProbe = (timing) => {
      clearTimeout(timer);
      probe.onProbe = undefined;
      resolve(timing);
    };
  });
}

/**
 * Runs in the page before a `j`: `__bench.pending` resolves with the first animation frame after
 * the reader shows this subject and body text, and the last `j`'s keydown (NaN after 10 s).
 */
function armReader(args: { subject: string; snippet?: string }): void {
  const probe = (window as unknown as ProbeWindow).__bench;
  const lastJ = () => probe.keys.filter((k) => k.key === 'j').at(-1)?.t ?? NaN;
  probe.pending = new Promise<Timing>((resolve) => {
    const shows = () => {
      const reader = document.getElementById('reader');
      if (reader?.querySelector('h1.reader-subject')?.textContent !== args.subject) return false;
      const body = reader.querySelector('.reader-body');
      if (!body || body.querySelector('[role="status"]')) return false;
      const text = body.textContent ?? '';
      return args.snippet ? text.includes(args.snippet) : text.trim().length > 0;
    };
    const timer = setTimeout(() => {
      observer.disconnect();
      resolve({ key: lastJ(), shown: NaN });
    }, 10_000);
    const observer = new MutationObserver(() => {
      if (!shows()) return;
      observer.disconnect();
      clearTimeout(timer);
      requestAnimationFrame(() => resolve({ key: lastJ(), shown: performance.now() }));
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  });
}

/**
 * Runs in the page: rAF deltas over `frames` idle frames, then over as many frames that each add
 * `step` to the list's scrollTop; counts frames where real rows did not cover the viewport (blank
 * or not yet rendered), the time until they do after the last step, and after jumps to the middle
 * and the end.
 */
async function scrollInPage(args: { frames: number; step: number; list: string; jumps: boolean }) {
  const list = document.querySelector(args.list) as HTMLElement;
  const sizer = list.firstElementChild as HTMLElement;
  /** Whether part of the viewport shows no row (blank or not rendered yet), and the first row. */
  const onScreen = () => {
    // From layout, not from the slots' inline transforms: CSS serializes large ones with six
    // significant digits (translateY(3.59906e+06px)).
    const view = list.getBoundingClientRect();
    const top = view.top + list.clientTop;
    const bottom = top + Math.min(list.clientHeight, list.scrollHeight - list.scrollTop);
    let covered = 0;
    let first = Infinity;
    for (const slot of Array.from(sizer.children)) {
      const row = slot.querySelector('[role="option"]');
      if (!row) continue;
      const rect = slot.getBoundingClientRect();
      const inside = Math.min(rect.bottom, bottom) - Math.max(rect.top, top);
      if (!(inside > 0)) continue;
      covered += inside;
      first = Math.min(first, Number(row.getAttribute('aria-posinset')));
    }
    return { blank: bottom - top - covered > 1 ? 1 : 0, first };
  };
  const run = (scroll: boolean) =>
    new Promise<{ deltas: number[]; blankFrames: number }>((resolve) => {
      const deltas: number[] = [];
      let blankFrames = 0;
      let previous: number | undefined;
      const tick = (t: number) => {
        if (previous !== undefined) deltas.push(t - previous);
        previous = t;
        if (onScreen().blank > 0) blankFrames++;
        if (deltas.length >= args.frames) return resolve({ deltas, blankFrames });
        if (scroll) list.scrollTop += args.step;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
  const filled = async () => {
    const start = performance.now();
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      if (onScreen().blank === 0) return performance.now() - start;
      if (performance.now() - start > 30_000) return NaN;
    }
  };
  list.scrollTop = 0;
  await filled();
  const idle = await run(false);
  const scrolled = await run(true);
  const settleMs = await filled();
  const endRow = onScreen().first;
  // Reference for a jump: the same rows read raw (cursor advance to the offset, 300 rows).
  const rawRead = async (offset: number) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('petrel-cache');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const start = performance.now();
    await new Promise<void>((resolve, reject) => {
      const index = db.transaction('messages').objectStore('messages').index('[unifiedInbox+date]');
      const cursor = index.openCursor(IDBKeyRange.bound([1], [1, []]), 'prev');
      let read = 0;
      let advanced = offset === 0;
      cursor.onerror = () => reject(cursor.error);
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c) return resolve();
        if (!advanced) {
          advanced = true;
          return c.advance(offset);
        }
        if (++read >= 300) return resolve();
        c.continue();
      };
    });
    db.close();
    return performance.now() - start;
  };
  const jump = async (top: number) => {
    list.scrollTop = top;
    const app = await filled();
    const offset = Math.max(0, Math.floor(list.scrollTop / 72) - 100);
    return { app, raw: await rawRead(offset), row: onScreen().first };
  };
  const none = { app: NaN, raw: NaN, row: NaN };
  const jumpMiddle = args.jumps ? await jump((list.scrollHeight - list.clientHeight) / 2) : none;
  const jumpEnd = args.jumps ? await jump(list.scrollHeight) : none;
  return {
    frames: scrolled.deltas.length,
    deltas: scrolled.deltas,
    blankFrames: scrolled.blankFrames,
    idle: idle.deltas,
    settleMs,
    endRow,
    jumpMiddle,
    jumpEnd,
  };
}

/** Runs in the page: how many parts the cache holds (a key count). */
async function bodyCountInPage(): Promise<number> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open('petrel-cache');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      const request = db.transaction('bodies').objectStore('bodies').count();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** The page's JS heap in use after a full GC, in MB. */
async function heapMb(context: BrowserContext, page: Page): Promise<number> {
  const cdp = await context.newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    return round(usedSize / 1024 / 1024, 1);
  } finally {
    await cdp.detach();
  }
}

/** The app's heap on a profile without accounts: what the UI costs before any mail. */
async function emptyProfileHeap(): Promise<number> {
  const host = await startBrowserMode();
  const browser = new Chromium(await mkdtemp(join(tmpdir(), 'petrel-bench-chromium-')));
  try {
    const page = await browser.launch();
    await page.goto(host.url);
    await page
      .getByRole('button', { name: /Add account/ })
      .first()
      .waitFor({ timeout: 30_000 });
    await sleep(1000);
    return await heapMb(browser.context, page);
  } finally {
    await browser.close();
    await host.stop();
  }
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

function sleep(msToWait: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msToWait));
}
