/**
 * Fast mailbox fixtures: messages are written straight into Dovecot's Maildir as files, then
 * Dovecot indexes the folder once. APPENDing 100k messages over IMAP would take many minutes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { rigPaths } from './config.ts';
import { findBinary, run, systemUser } from './proc.ts';

/** The subset of MailRig this module needs (keeps it free of an import cycle with rig.ts). */
interface RigRef {
  dir: string;
  doveConf: string;
  domain: string;
}

export interface SeedOptions {
  /** IMAP folder name with "/" as separator; default INBOX. */
  folder?: string;
  /** Date of message 1; message i is dated i-1 minutes later. Default: the newest is "now". */
  startDate?: Date;
  /** Approximate text body size; default keeps each message around 4 KB. */
  bodyBytes?: number;
}

export interface SeedResult {
  /** Messages in the folder after seeding, as Dovecot reports them. */
  messages: number;
  writeMs: number;
  indexMs: number;
}

// Keeps libuv's 4 threads busy; more in flight only adds contention (measured: 16 beats 64).
const WRITE_CONCURRENCY = 16;
const LINE = 72;
const DEFAULT_BODY_BYTES = 3_600;
const MINUTE = 60_000;

/**
 * Writes `count` valid RFC 5322 messages into a user's folder and lets Dovecot index them, so a
 * later IMAP SELECT sees them at once. Subjects are "Seed message <i>" (1-based); message i is
 * older than message i+1 and gets the lower UID (unless another session syncs the folder
 * mid-seed). Files are owned by the `mail` user. Resolves with Dovecot's count and the timings.
 */
export async function seedMailbox(
  rig: RigRef,
  address: string,
  count: number,
  opts: SeedOptions = {},
): Promise<SeedResult> {
  if (!Number.isInteger(count) || count < 0)
    throw new Error(`Mail rig: bad message count ${count}`);
  const folder = opts.folder ?? 'INBOX';
  const user = address.toLowerCase();
  const home = homeOf(rig, user);
  const maildir = `${home}/Maildir${maildirSuffix(folder)}`;
  const mail = await systemUser('mail');

  const t0 = performance.now();
  await makeMaildir(maildir, folder.toUpperCase() !== 'INBOX');
  const start = opts.startDate?.getTime() ?? Date.now() - (count - 1) * MINUTE;
  await writeMessages(maildir, user, count, start, opts.bodyBytes ?? DEFAULT_BODY_BYTES);
  // One recursive chown beats an fchown per file; the domain folder must be the mail user's too,
  // or Dovecot could not create the next user's home in it.
  await run('chown', [`${mail.uid}:${mail.gid}`, `${rigPaths(rig.dir).mailRoot}/${rig.domain}`]);
  await run('chown', ['-R', `${mail.uid}:${mail.gid}`, home]);
  const t1 = performance.now();
  const messages = await indexFolder(rig, user, folder);
  const t2 = performance.now();
  return { messages, writeMs: Math.round(t1 - t0), indexMs: Math.round(t2 - t1) };
}

/**
 * Makes Dovecot sync the folder (assign UIDs, build its index) and returns its message count.
 * `mailbox status` is a cheap way to trigger the same sync a SELECT would do.
 */
export async function indexFolder(rig: RigRef, user: string, folder: string): Promise<number> {
  const out = await run(findBinary('doveadm'), [
    '-c',
    rig.doveConf,
    'mailbox',
    'status',
    '-u',
    user,
    'messages',
    folder,
  ]);
  const m = /messages=(\d+)/.exec(out);
  if (!m?.[1]) throw new Error(`Mail rig: unexpected doveadm output: ${out}`);
  return Number(m[1]);
}

function homeOf(rig: RigRef, user: string): string {
  const [local, domain] = user.split('@');
  if (!local || domain !== rig.domain) throw new Error(`Mail rig: not a rig address: ${user}`);
  // Mirrors the static userdb's home=<mailRoot>/%d/%n.
  return `${rigPaths(rig.dir).mailRoot}/${domain}/${local}`;
}

/** Dovecot's Maildir++ layout: INBOX is the root, "A/B" lives in ".A.B". */
function maildirSuffix(folder: string): string {
  if (folder.toUpperCase() === 'INBOX') return '';
  // Dots and non-ASCII would need Dovecot's escaping and modified UTF-7; fixtures do not need them.
  if (!/^[A-Za-z0-9 _-]+(\/[A-Za-z0-9 _-]+)*$/.test(folder)) {
    throw new Error(
      `Mail rig: seedMailbox supports ASCII folder names without dots, got "${folder}"`,
    );
  }
  return `/.${folder.split('/').join('.')}`;
}

async function makeMaildir(maildir: string, isSubfolder: boolean): Promise<void> {
  for (const sub of ['cur', 'new', 'tmp']) await mkdir(`${maildir}/${sub}`, { recursive: true });
  // Marks a Maildir++ subfolder (as Dovecot itself does when it creates one).
  if (isSubfolder) await writeFile(`${maildir}/maildirfolder`, '');
}

async function writeMessages(
  maildir: string,
  to: string,
  count: number,
  start: number,
  bodyBytes: number,
): Promise<void> {
  const gen = new MessageFactory(to, count, bodyBytes);
  const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '-');
  // Two seedings of one folder in the same second must not produce the same file names.
  const tag = randomBytes(3).toString('hex');
  let next = 1;
  async function worker(): Promise<void> {
    while (next <= count) {
      const i = next++;
      const time = start + (i - 1) * MINUTE;
      const secs = Math.floor(time / 1000);
      // Dovecot gives new files UIDs in filename-time order: the leading seconds fix UID order.
      const base = `${secs}.M${i % 1_000_000}P${process.pid}Q${i}R${tag}.${host}`;
      await writeOne(maildir, base, secs, gen.message(i, time));
    }
  }
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, count) }, worker));
}

async function writeOne(maildir: string, base: string, secs: number, text: string): Promise<void> {
  const data = Buffer.from(text, 'latin1');
  const tmpPath = `${maildir}/tmp/${base}`;
  const fh = await open(tmpPath, 'wx');
  try {
    await fh.write(data);
    // Maildir INTERNALDATE is the file's mtime; make it match the Date header.
    await fh.utimes(secs, secs);
  } finally {
    await fh.close();
  }
  // S= (file size) and W= (size with CRLF) let Dovecot answer RFC822.SIZE without reading the
  // file. Written in tmp/ and renamed, as Maildir demands, so no reader sees half a message.
  const sizes = `S=${data.length},W=${data.length + countNewlines(data)}`;
  await rename(tmpPath, `${maildir}/cur/${base},${sizes}:2,`);
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let at = buf.indexOf(10); at !== -1; at = buf.indexOf(10, at + 1)) n++;
  return n;
}

/** Builds messages cheaply: bodies are windows into one pre-generated text. */
class MessageFactory {
  private readonly pool: string;
  private readonly poolLines: number;
  private readonly bodyLines: number;
  private readonly runId = randomBytes(6).toString('hex');
  private readonly to: string;
  private readonly count: number;

  constructor(to: string, count: number, bodyBytes: number) {
    this.to = to;
    this.count = count;
    this.bodyLines = Math.max(1, Math.round(bodyBytes / (LINE + 1)));
    this.poolLines = this.bodyLines + 997;
    this.pool = makeText(this.poolLines);
  }

  message(i: number, time: number): string {
    const sender = i % 50;
    // Lines of the pool are fixed-width, so a window is a plain slice.
    const first = (i * 7919) % (this.poolLines - this.bodyLines);
    const body = this.pool.slice(first * (LINE + 1), (first + this.bodyLines) * (LINE + 1));
    return (
      `Return-Path: <sender${sender}@example.test>\n` +
      `Message-ID: <seed-${this.runId}-${i}@example.test>\n` +
      `Date: ${rfc5322Date(time)}\n` +
      `From: Seed Sender ${sender} <sender${sender}@example.test>\n` +
      `To: <${this.to}>\n` +
      `Subject: Seed message ${i}\n` +
      `MIME-Version: 1.0\n` +
      `Content-Type: text/plain; charset=us-ascii\n` +
      `Content-Transfer-Encoding: 7bit\n` +
      `\n` +
      `Message ${i} of ${this.count}.\n` +
      body
    );
  }
}

const WORDS = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut ' +
  'labore et dolore magna aliqua petrel ocean wind harbour letter reply inbox archive draft'
).split(' ');

/** `lines` lines of exactly LINE characters plus "\n" (fixed width keeps slicing trivial). */
function makeText(lines: number): string {
  const out: string[] = [];
  let seed = 12345;
  for (let l = 0; l < lines; l++) {
    let line = '';
    while (line.length < LINE) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      line += (line ? ' ' : '') + WORDS[seed % WORDS.length];
    }
    out.push(line.slice(0, LINE) + '\n');
  }
  return out.join('');
}

/** RFC 5322 date in UTC, e.g. "Thu, 13 Feb 2025 23:32:00 +0000". */
function rfc5322Date(time: number): string {
  return new Date(time).toUTCString().replace('GMT', '+0000');
}
