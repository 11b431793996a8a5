/**
 * Vitest fixtures shared by the integration tests: per-test cleanups, a rig of a file's own, and
 * the convergence check (the cache equals the server), which shows the difference when it fails.
 */
import type { ImapFlow } from 'imapflow';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { AccountSummary } from '#shared/accounts';
import {
  startMailServers,
  stopMailServers,
  type MailRig,
  type StartOptions,
} from '../mailserver/rig.ts';
import { cacheSnapshot, eventually, serverSnapshot, type Harness } from './harness.ts';

/** Returns `defer`: what it is given runs after the current test, last deferred first. */
export function useCleanups(): (cleanup: () => unknown) => void {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return (cleanup) => {
    cleanups.push(cleanup);
  };
}

/** A rig for this file alone: for tests that stop servers or fill folders every user sees. */
export function useOwnRig(options: StartOptions = {}): () => MailRig {
  let rig: MailRig | undefined;
  beforeAll(async () => {
    rig = await startMailServers(options);
  });
  afterAll(async () => {
    if (rig) await stopMailServers(rig);
  });
  return () => {
    if (!rig) throw new Error('the rig starts in beforeAll');
    return rig;
  };
}

/** Waits until the cache holds exactly what the server holds for `account`; ms it took. */
export async function expectConverged(
  h: Harness,
  client: ImapFlow,
  account: AccountSummary,
  timeoutMs: number,
): Promise<number> {
  let last: { server: unknown; cache: unknown } | undefined;
  try {
    return await eventually(
      async () => {
        last = { server: await serverSnapshot(client), cache: await cacheSnapshot(h.db, account) };
        return JSON.stringify(last.server) === JSON.stringify(last.cache);
      },
      timeoutMs,
      `${account.email} to converge`,
    );
  } catch (error) {
    expect(last?.cache).toEqual(last?.server);
    throw error;
  }
}
