/**
 * The whole sync path in one Node process: the real core (IMAP against the rig's Dovecot) pushes
 * ChangeBatches into the real renderer cache code (Dexie over fake-indexeddb), which acknowledges
 * them — exactly as over IPC, minus the transport.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import type { AccountInput, AccountStatus, AccountSummary } from '#shared/accounts';
import type { EventName, PetrelBridge, PetrelEvents } from '#shared/contract';
import type { FolderRow, MessageRow } from '#shared/mail';
import { unwrap, type CallResult } from '#shared/result';
import type { TaskResult } from '#shared/tasks';
import { dispatchCall } from '../../src-main/core/api/dispatch.ts';
import { createCore, type PetrelCore } from '../../src-main/core/petrel-core.ts';
import { stderrLogger, type EventSink, type Logger } from '../../src-main/core/ports.ts';
import { FileSecretStore } from '../../src-main/core/secrets/secret-store.ts';
import type { TransferHooks } from '../../src-main/core/tasks/transfer-messages.ts';
import { openCache, type PetrelDb } from '../../src-renderer/src/cache/db.ts';
import { startCacheSync } from '../../src-renderer/src/cache/sync-client.ts';
import { createUser, imapClientFor, type MailRig } from '../mailserver/rig.ts';

/** Silent, unless PETREL_TRACE is set (then warnings and errors go to stderr too). */
export const quiet: Logger = process.env['PETREL_TRACE']
  ? stderrLogger
  : { info: () => {}, warn: () => {}, error: () => {} };

let dbCounter = 0;

/** What the renderer's cache code uses of the bridge. */
export type HarnessBridge = Pick<PetrelBridge, 'on' | 'attachCache' | 'ackBatch' | 'performTask'>;

export interface Harness {
  core: PetrelCore;
  db: PetrelDb;
  bridge: HarnessBridge;
  statuses: AccountStatus[];
  /** Starts the cache writer (attaches the cache); returns its stop function. */
  attach(): () => void;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  pollIntervalMs?: number;
  /** A point inside cross-account transfers (to stop a server half-way). */
  transferHooks?: TransferHooks;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const profileDir = await mkdtemp(join(tmpdir(), 'petrel-int-'));
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const statuses: AccountStatus[] = [];
  const events: EventSink = {
    emit(event, payload) {
      if (event === 'accountStatus') statuses.push(payload as AccountStatus);
      // Structured clone, as IPC does: the cache must never share objects with main.
      const copy = structuredClone(payload);
      for (const listener of listeners.get(event) ?? []) listener(copy);
    },
  };
  const core = createCore({
    profileDir,
    mode: 'browser',
    version: 'test',
    events,
    logger: quiet,
    secrets: new FileSecretStore(join(profileDir, 'secrets.json'), 'profile-file'),
    ...(opts.pollIntervalMs ? { pollIntervalMs: opts.pollIntervalMs } : {}),
    ...(opts.transferHooks ? { transferHooks: opts.transferHooks } : {}),
  });
  const db = openCache(`petrel-int-${process.pid}-${++dbCounter}`);
  const bridge = {
    on<K extends EventName>(event: K, listener: (payload: PetrelEvents[K]) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const wrapped = (payload: unknown) => listener(payload as PetrelEvents[K]);
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
    attachCache: (state) => core.api.attachCache(structuredClone(state)),
    ackBatch: (id) => core.api.ackBatch(id),
    // Through the boundary's validation, as every task from a renderer goes.
    performTask: async (task) =>
      unwrap(
        (await dispatchCall(
          core.api,
          'performTask',
          [structuredClone(task)],
          quiet,
        )) as CallResult<TaskResult>,
      ),
  } satisfies HarnessBridge;
  const stops: (() => void)[] = [];
  return {
    core,
    db,
    bridge,
    statuses,
    attach: () => {
      const stop = startCacheSync(db, bridge, { onError: (f) => console.error('cache sync', f) });
      stops.push(stop);
      return stop;
    },
    stop: async () => {
      for (const stop of stops) stop();
      await core.dispose();
      db.close();
      await db.delete();
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

/** Account settings for a rig user, with the rig's certificate pinned as a user would. */
export function accountInput(
  rig: MailRig,
  user: { address: string; password: string },
): AccountInput {
  const trustedCertificate = {
    pem: rig.caPem,
    sha256: new X509Certificate(rig.caPem).fingerprint256,
  };
  return {
    name: user.address,
    email: user.address,
    username: user.address,
    password: user.password,
    imap: { host: rig.host, port: rig.imap.starttls, security: 'starttls', trustedCertificate },
    smtp: { host: rig.host, port: rig.smtp.starttls, security: 'starttls', trustedCertificate },
  };
}

export async function newUserAccount(rig: MailRig, name = 'user') {
  const user = await createUser(rig, name);
  return { user, input: accountInput(rig, user) };
}

/** A second, independent client: "another device" changing the mailbox. */
export async function otherClient(rig: MailRig, user: { address: string; password: string }) {
  const client = imapClientFor(rig, user);
  await client.connect();
  return client;
}

/** Runs a cleanup after the current test (`useCleanups()` of fixtures.ts). */
export type Defer = (cleanup: () => unknown) => void;

/** A rig user, their account input, and an IMAP client of their own ("their other device"). */
export async function userWithClient(rig: MailRig, name: string, defer: Defer) {
  const { user, input } = await newUserAccount(rig, name);
  const client = await otherClient(rig, user);
  client.on('error', () => {});
  defer(() => client.logout().catch(() => {}));
  return { user, input, client };
}

/**
 * Petrel with the account added and attached, once `folder` is listed (the work connection is
 * up). Stopped after the test.
 */
export async function petrelWithAccount(
  input: AccountInput,
  folder: string,
  defer: Defer,
): Promise<{ h: Harness; account: AccountSummary }> {
  const h = await startHarness();
  defer(() => h.stop());
  const account = await h.core.api.addAccount(input);
  h.attach();
  await eventually(
    async () => (await h.db.folders.get(`${account.id}:${folder}`)) !== undefined,
    15_000,
    'the folder list',
  );
  return { h, account };
}

export interface FolderSnapshot {
  path: string;
  messages: number;
  /** uid → sorted flags */
  flags: Record<number, string[]>;
}

/** What the server holds, folder by folder (selectable folders only). */
export async function serverSnapshot(client: ImapFlow): Promise<FolderSnapshot[]> {
  const folders = (await client.list()).filter((f) => !hasFlag(f.flags, '\\noselect'));
  const out: FolderSnapshot[] = [];
  for (const folder of folders.sort((a, b) => a.path.localeCompare(b.path))) {
    const lock = await client.getMailboxLock(folder.path, { readOnly: true });
    try {
      const flags: Record<number, string[]> = {};
      if (client.mailbox && client.mailbox.exists > 0) {
        for await (const m of client.fetch('1:*', { uid: true, flags: true }, { uid: true })) {
          flags[m.uid] = [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort();
        }
      }
      out.push({ path: folder.path, messages: Object.keys(flags).length, flags });
    } finally {
      lock.release();
    }
  }
  return out;
}

/** The same picture from the cache, for one account. */
export async function cacheSnapshot(
  db: PetrelDb,
  account: AccountSummary,
): Promise<FolderSnapshot[]> {
  const folders: FolderRow[] = await db.folders.where('accountId').equals(account.id).toArray();
  const out: FolderSnapshot[] = [];
  for (const folder of folders
    .filter((f) => f.selectable)
    .sort((a, b) => a.path.localeCompare(b.path))) {
    const rows: MessageRow[] = await db.messages
      .where('[folderId+date]')
      .between([folder.id, -Infinity], [folder.id, Infinity])
      .toArray();
    const flags: Record<number, string[]> = {};
    for (const row of rows) flags[row.uid] = row.flags.filter((f) => f !== '\\Recent').sort();
    out.push({ path: folder.path, messages: rows.length, flags });
  }
  return out;
}

function hasFlag(flags: Set<string>, flag: string): boolean {
  return [...flags].some((f) => f.toLowerCase() === flag);
}

/** Polls `check` until it returns true (or throws its last error after `timeoutMs`). */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
) {
  const started = Date.now();
  let last: unknown;
  while (Date.now() - started < timeoutMs) {
    try {
      if (await check()) return Date.now() - started;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
  );
}

export interface StoredMessage {
  uid: number;
  /** The whole message as the server hands it out (BODY.PEEK[]). */
  raw: Buffer;
  /** Sorted, without \Recent. */
  flags: string[];
  internalDate: number;
}

/** Every message of a folder with its raw bytes, flags and INTERNALDATE, by ascending UID. */
export async function storedMessages(client: ImapFlow, path: string): Promise<StoredMessage[]> {
  const lock = await client.getMailboxLock(path, { readOnly: true });
  try {
    // Selected already (by an earlier call), the folder is seen as the session last heard of it.
    await client.noop();
    const out: StoredMessage[] = [];
    if (!client.mailbox || client.mailbox.exists === 0) return out;
    const query = { uid: true, flags: true, internalDate: true, source: true };
    for await (const m of client.fetch('1:*', query, { uid: true })) {
      // An unsolicited FETCH (a flag change of another session) carries no UID.
      if (!m.uid || !m.source) continue;
      out.push({
        uid: m.uid,
        raw: m.source,
        flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
        internalDate: new Date(m.internalDate ?? 0).getTime(),
      });
    }
    return out.sort((a, b) => a.uid - b.uid);
  } finally {
    lock.release();
  }
}

/** The UIDVALIDITY of a folder on the server. */
export async function uidValidityOf(client: ImapFlow, path: string): Promise<number> {
  const status = await client.status(path, { uidValidity: true });
  if (!status || status.uidValidity === undefined) throw new Error(`no UIDVALIDITY for ${path}`);
  return Number(status.uidValidity);
}
