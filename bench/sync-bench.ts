/**
 * The sync group: a seeded INBOX (100k by default) mirrored into the real cache — Dexie over
 * Chromium's on-disk IndexedDB, through browser mode — against the rig's Dovecot. Baseline: bare
 * imapflow streaming the same list fields in the same run.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import nodemailer from 'nodemailer';
import type { AccountSummary } from '#shared/accounts';
import { LIST_FETCH_QUERY } from '../src-main/core/sync/message-mapper.ts';
import {
  createUser,
  imapClientFor,
  seedMailbox,
  startMailServers,
  stopMailServers,
  type MailRig,
} from '../e2e/mailserver/rig.ts';
import { chromiumLaunchOptions } from '../e2e/support/chromium.ts';
import { startBrowserMode, type BrowserModeHost } from '../e2e/support/browser-mode.ts';
import { SEARCH_INDEX_OFF_KEY } from '../src-renderer/src/cache/search-index.ts';
import { median, percentile, result, type BenchResult } from './report.ts';

export interface SyncBenchOptions {
  messages: number;
  runs: number;
  baselineRuns: number;
  newMailSamples: number;
  log(line: string): void;
}

export type User = { address: string; password: string };

export async function syncBench(opts: SyncBenchOptions): Promise<BenchResult[]> {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const rig = await startMailServers({ dir: await mkdtemp(join(base, 'petrel-bench-rig-')) });
  try {
    const user = await createUser(rig, 'bench');
    const sender = await createUser(rig, 'sender');
    opts.log(`seeding ${opts.messages.toLocaleString()} messages…`);
    const seeded = await seedMailbox(rig, user.address, opts.messages);
    opts.log(
      `seeded in ${Math.round(seeded.writeMs + seeded.indexMs)} ms; warming Dovecot's cache…`,
    );
    await bareFetch(rig, user);

    const baseline: number[] = [];
    for (let i = 0; i < opts.baselineRuns; i++) baseline.push(await bareFetch(rig, user));
    opts.log(
      `baseline (bare imapflow fetch): ${baseline.map((ms) => Math.round(ms)).join(', ')} ms`,
    );

    const initial: number[] = [];
    const withoutIndex: number[] = [];
    const firstPage: number[] = [];
    const peakRss: number[] = [];
    let resyncMs = NaN;
    let newMail: number[] = [];
    let newMailServer: number[] = [];
    for (let run = 1; run <= opts.runs; run++) {
      // The reference: the same first sync with the search indexer off (alternating runs).
      const reference = await openPetrel(rig, user, false);
      try {
        const inbox = `${reference.accountId}:INBOX`;
        withoutIndex.push(
          await reference.until({ checkpointId: inbox, checkpoint: 'complete', pollMs: 50 }),
        );
        await reference.expectCount(opts.messages);
        opts.log(`run ${run}, search indexer off: all ${Math.round(withoutIndex.at(-1) ?? 0)} ms`);
      } finally {
        await reference.close();
      }
      const session = await openPetrel(rig, user);
      try {
        const inbox = `${session.accountId}:INBOX`;
        const first = await session.until({ checkpointId: inbox, checkpoint: 'any', pollMs: 5 });
        const all = await session.until({
          checkpointId: inbox,
          checkpoint: 'complete',
          pollMs: 50,
        });
        await session.expectCount(opts.messages);
        const applied = await session.page.evaluate(() =>
          performance
            .getEntriesByName('petrel:apply-batch')
            .reduce((sum, e) => sum + e.duration, 0),
        );
        opts.log(`run ${run}: the cache spent ${Math.round(applied)} ms applying batches`);
        firstPage.push(first);
        initial.push(all);
        peakRss.push(await peakRssMb(session.host.process.pid as number));
        opts.log(
          `run ${run}: first page ${Math.round(first)} ms, all ${Math.round(all)} ms, peak RSS ${peakRss.at(-1)} MB`,
        );
        if (run === opts.runs) {
          resyncMs = await measureResync(session, rig, user, opts.messages);
          opts.log(`resync after 1,000 flag changes + 100 expunges: ${Math.round(resyncMs)} ms`);
          ({ petrel: newMail, server: newMailServer } = await measureNewMail(
            session,
            rig,
            sender,
            user,
            opts.newMailSamples,
            opts.messages + 1,
          ));
          opts.log(`new mail: ${newMail.map((ms) => Math.round(ms)).join(', ')} ms`);
          opts.log(`server's share: ${newMailServer.map((ms) => Math.round(ms)).join(', ')} ms`);
        }
      } finally {
        await session.close();
      }
    }
    const n = opts.messages.toLocaleString();
    return [
      result({
        name: 'sync.initial100k',
        value: median(initial) / 1000,
        unit: 's',
        baseline: median(baseline) / 1000,
        note: `${n} msgs into Chromium IndexedDB, median of ${opts.runs}; baseline: bare imapflow fetch of the same fields, median of ${opts.baselineRuns}`,
      }),
      result({
        name: 'sync.indexCost',
        value: median(initial) / 1000,
        unit: 's',
        baseline: median(withoutIndex) / 1000,
        note: `sync.initial100k with the search indexer running (as the app does) against the same sync with it off, alternating runs, medians of ${opts.runs}`,
      }),
      result({
        name: 'sync.firstPage',
        value: median(firstPage),
        unit: 'ms',
        note: `newest 50 in the cache after attach, median of ${opts.runs}`,
      }),
      result({
        name: 'sync.resync',
        value: resyncMs,
        unit: 'ms',
        note: 'reattach after 1,000 flag changes + 100 expunges elsewhere (QRESYNC)',
      }),
      result({
        name: 'live.newMail',
        value: percentile(newMail, 50),
        unit: 'ms',
        baseline: percentile(newMailServer, 50),
        note: `p50, SMTP send → row in cache, ${newMail.length} samples; baseline: send → EXISTS on a bare IDLE session (the server's share)`,
      }),
      result({
        name: 'live.newMail.p95',
        value: percentile(newMail, 95),
        unit: 'ms',
        baseline: percentile(newMailServer, 95),
        note: `p95 of the same samples`,
      }),
      result({
        name: 'mem.main',
        value: Math.max(...peakRss),
        unit: 'MB',
        note: 'peak RSS (VmHWM) of the main process during the sync, worst run',
      }),
    ];
  } finally {
    await stopMailServers(rig);
  }
}

/** Streams the list fields of every message with bare imapflow: the baseline. */
async function bareFetch(rig: MailRig, user: User): Promise<number> {
  const client = imapClientFor(rig, user);
  await client.connect();
  const lock = await client.getMailboxLock('INBOX');
  try {
    const started = performance.now();
    let count = 0;
    for await (const message of client.fetch('1:*', { ...LIST_FETCH_QUERY }, { uid: true })) {
      if (message.uid) count++;
    }
    if (count === 0) throw new Error('baseline fetched nothing');
    return performance.now() - started;
  } finally {
    lock.release();
    await client.logout();
  }
}

interface PetrelSession {
  host: BrowserModeHost;
  page: Page;
  accountId: string;
  /** ms from the cache's attach mark until the condition holds (see inPageUntil). */
  until(args: Parameters<typeof inPageUntil>[0]): Promise<number>;
  /** Fails unless the cache holds exactly `count` messages. */
  expectCount(count: number): Promise<void>;
  reopen(): Promise<void>;
  close(): Promise<void>;
}

async function openPetrel(rig: MailRig, user: User, searchIndex = true): Promise<PetrelSession> {
  const accountId = randomUUID();
  const host = await startBrowserMode({
    prepareProfile: (dir) => writeAccount(dir, accountId, rig, user),
  });
  const browserDir = await mkdtemp(join(tmpdir(), 'petrel-bench-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(browserDir, {
    ...chromiumLaunchOptions,
    headless: true,
  });
  // tsx (esbuild keepNames) wraps functions in `__name(...)`: give the page a no-op one so the
  // in-page helpers below can be passed to page.evaluate as they are.
  await context.addInitScript('globalThis.__name = (fn) => fn;');
  if (!searchIndex) {
    await context.addInitScript(
      `localStorage.setItem(${JSON.stringify(SEARCH_INDEX_OFF_KEY)}, 'off');`,
    );
  }
  let page = await context.newPage();
  await page.goto(host.url);
  const session: PetrelSession = {
    host,
    get page() {
      return page;
    },
    accountId,
    until: (args) => page.evaluate(inPageUntil, args),
    expectCount: async (count) => {
      const actual = await page.evaluate(countInPage);
      if (actual !== count) throw new Error(`the cache holds ${actual} messages, not ${count}`);
    },
    reopen: async () => {
      await page.close();
      page = await context.newPage();
      await page.goto(`${host.origin}/`);
    },
    close: async () => {
      await context.close();
      await host.stop();
      await rm(browserDir, { recursive: true, force: true });
    },
  };
  return session;
}

/**
 * Runs in the page: waits for the cache's attach mark, then polls (by key: cheap, unlike a count
 * over a large store, which would itself slow the writes) until `done` holds; returns ms since
 * the mark.
 */
export async function inPageUntil(args: {
  checkpointId: string;
  /** 'any': the folder has a checkpoint (first page in); 'complete': no backfill left. */
  checkpoint?: 'any' | 'complete';
  flaggedRowId?: string;
  goneRowId?: string;
  pollMs: number;
}): Promise<number> {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let mark: PerformanceEntry | undefined;
  while (!(mark = performance.getEntriesByName('petrel:cache-attach').at(-1))) await sleep(2);
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open('petrel-cache');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const get = <T>(store: string, key: string) =>
    new Promise<T | undefined>((resolve, reject) => {
      const request = db.transaction(store).objectStore(store).get(key);
      request.onsuccess = () => resolve(request.result as T | undefined);
      request.onerror = () => reject(request.error);
    });
  const holds = async () => {
    if (args.checkpoint) {
      const cp = await get<{ backfillBelow?: number }>('checkpoints', args.checkpointId);
      if (!cp || (args.checkpoint === 'complete' && (cp.backfillBelow ?? 0) > 1)) return false;
    }
    if (args.flaggedRowId) {
      const row = await get<{ flags: string[] }>('messages', args.flaggedRowId);
      if (!row?.flags.includes('\\Flagged')) return false;
    }
    if (args.goneRowId && (await get('messages', args.goneRowId))) return false;
    return true;
  };
  try {
    while (!(await holds())) await sleep(args.pollMs);
    return performance.now() - mark.startTime;
  } finally {
    db.close();
  }
}

async function measureResync(
  session: PetrelSession,
  rig: MailRig,
  user: User,
  total: number,
): Promise<number> {
  await session.page.close();
  const client = imapClientFor(rig, user);
  await client.connect();
  await client.mailboxOpen('INBOX');
  await client.messageFlagsAdd('1:1000', ['\\Flagged'], { uid: true });
  await client.messageDelete('1001:1100', { uid: true });
  await client.logout();
  await session.reopen();
  const inbox = `${session.accountId}:INBOX`;
  const ms = await session.until({
    checkpointId: inbox,
    flaggedRowId: `${inbox}#1000`,
    goneRowId: `${inbox}#1100`,
    pollMs: 5,
  });
  await session.expectCount(total - 100);
  return ms;
}

/**
 * SMTP send → row in Petrel's cache, and, in the same run for the same deliveries, SMTP send →
 * `* EXISTS` on a bare imapflow IDLE session: the server's own share (delivery, Dovecot's notify
 * delay, its Maildir rescan), so the difference is Petrel's.
 */
async function measureNewMail(
  session: PetrelSession,
  rig: MailRig,
  sender: User,
  user: User,
  samples: number,
  firstNewUid: number,
): Promise<{ petrel: number[]; server: number[] }> {
  const transport = nodemailer.createTransport({
    host: rig.host,
    port: rig.smtp.tls,
    secure: true,
    tls: { ca: [rig.caPem], servername: 'localhost' },
    auth: { user: sender.address, pass: sender.password },
  });
  const watcher = imapClientFor(rig, user, { disableAutoIdle: false, autoIdleDelay: 20 });
  await watcher.connect();
  await watcher.mailboxOpen('INBOX');
  let onExists: (() => void) | undefined;
  watcher.on('exists', () => onExists?.());
  const petrel: number[] = [];
  const server: number[] = [];
  try {
    const inbox = `${session.accountId}:INBOX`;
    for (let i = 0; i < samples; i++) {
      // UIDs are never reused: the next message gets the mailbox's next UID.
      const rowId = `${inbox}#${firstNewUid + i}`;
      const arrived = session.page.evaluate(waitForRowInPage, rowId);
      const announced = new Promise<number>((resolve) => {
        onExists = () => resolve(Date.now());
      });
      const sentAt = Date.now();
      await transport.sendMail({
        from: sender.address,
        to: user.address,
        subject: `Latency probe ${i}`,
        text: 'Hello from the benchmark.',
      });
      server.push((await announced) - sentAt);
      petrel.push((await arrived) - sentAt);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    transport.close();
    await watcher.logout();
  }
  return { petrel, server };
}

export async function countInPage(): Promise<number> {
  const db = await new Promise<IDBDatabase>((resolve) => {
    const request = indexedDB.open('petrel-cache');
    request.onsuccess = () => resolve(request.result);
  });
  const count = await new Promise<number>((resolve) => {
    const request = db.transaction('messages').objectStore('messages').count();
    request.onsuccess = () => resolve(request.result);
  });
  db.close();
  return count;
}

/** Runs in the page: resolves with Date.now() once the row exists. */
async function waitForRowInPage(rowId: string): Promise<number> {
  const db = await new Promise<IDBDatabase>((resolve) => {
    const request = indexedDB.open('petrel-cache');
    request.onsuccess = () => resolve(request.result);
  });
  try {
    for (;;) {
      const row = await new Promise<unknown>((resolve) => {
        const request = db.transaction('messages').objectStore('messages').get(rowId);
        request.onsuccess = () => resolve(request.result);
      });
      if (row) return Date.now();
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    db.close();
  }
}

/** A configured account in a fresh profile, as the app itself would have written it. */
export async function writeAccount(
  dir: string,
  id: string,
  rig: MailRig,
  user: User,
): Promise<void> {
  const trustedCertificate = {
    pem: rig.caPem,
    sha256: new X509Certificate(rig.caPem).fingerprint256,
  };
  const account: AccountSummary = {
    id,
    name: 'Bench',
    email: user.address,
    username: user.address,
    imap: { host: rig.host, port: rig.imap.tls, security: 'tls', trustedCertificate },
    smtp: { host: rig.host, port: rig.smtp.tls, security: 'tls', trustedCertificate },
  };
  await writeFile(join(dir, 'settings.json'), JSON.stringify({ version: 1, accounts: [account] }), {
    mode: 0o600,
  });
  await writeFile(
    join(dir, 'secrets.json'),
    JSON.stringify({ [`account:${id}:password`]: user.password }),
    {
      mode: 0o600,
    },
  );
}

async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 1024);
}
