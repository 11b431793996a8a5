import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '#shared/sync';
import { FULL_FLAG_SYNC_INTERVAL_MS, planFolderSync } from './sync-strategy.ts';

const both = { condstore: true, qresync: true };
const condstoreOnly = { condstore: true, qresync: false };
const neither = { condstore: false, qresync: false };
const cp: Checkpoint = { uidValidity: 7, highestModseq: '100', uidNext: 51, messages: 50 };
const now = 1_000_000_000;

describe('planFolderSync', () => {
  it('starts an initial sync when nothing is cached', () => {
    expect(planFolderSync(undefined, { ...cp }, both, now).type).toBe('initial');
  });

  it('resets the folder when UIDVALIDITY changed, whatever else holds', () => {
    const plan = planFolderSync(cp, { ...cp, uidValidity: 8 }, both, now);
    expect(plan).toMatchObject({ type: 'reset', reason: expect.stringContaining('7 to 8') });
  });

  it('does nothing when HIGHESTMODSEQ, UIDNEXT and the count are unchanged', () => {
    expect(planFolderSync(cp, { ...cp }, both, now)).toMatchObject({
      type: 'none',
      backfill: false,
    });
  });

  it('compares modseqs as 63-bit numbers, not as strings or doubles', () => {
    const big = { ...cp, highestModseq: '9007199254740993' };
    expect(planFolderSync(big, { ...big }, both, now).type).toBe('none');
    expect(planFolderSync(big, { ...big, highestModseq: '9007199254740994' }, both, now).type).toBe(
      'qresync',
    );
  });

  it('uses QRESYNC from the cached modseq when the server offers it', () => {
    const plan = planFolderSync(cp, { ...cp, highestModseq: '120' }, both, now);
    expect(plan).toEqual({ type: 'qresync', since: '100', backfill: false });
  });

  it('uses CHANGEDSINCE alone when new mail explains the count (no expunge possible)', () => {
    const status = { ...cp, highestModseq: '103', uidNext: 54, messages: 53 };
    expect(planFolderSync(cp, status, condstoreOnly, now)).toEqual({
      type: 'condstore',
      since: '100',
      reconcileUids: false,
      backfill: false,
    });
  });

  it('reconciles UIDs with CONDSTORE when something was expunged', () => {
    const status = { ...cp, highestModseq: '103', uidNext: 54, messages: 52 };
    expect(planFolderSync(cp, status, condstoreOnly, now)).toMatchObject({ reconcileUids: true });
    const expungedOnly = { ...cp, highestModseq: '101', messages: 49 };
    expect(planFolderSync(cp, expungedOnly, condstoreOnly, now)).toMatchObject({
      reconcileUids: true,
    });
  });

  it('falls back to full UID reconciliation without CONDSTORE when counts move', () => {
    const noModseq: Checkpoint = { uidValidity: 7, uidNext: 51, messages: 50, fullSyncAt: now };
    expect(planFolderSync(noModseq, { ...noModseq, messages: 49 }, neither, now).type).toBe('full');
    expect(
      planFolderSync(noModseq, { ...noModseq, uidNext: 52, messages: 51 }, neither, now).type,
    ).toBe('full');
  });

  it('without CONDSTORE, rechecks all flags only every few minutes when counts are unchanged', () => {
    const noModseq: Checkpoint = { uidValidity: 7, uidNext: 51, messages: 50, fullSyncAt: now };
    expect(planFolderSync(noModseq, { ...noModseq }, neither, now + 1_000).type).toBe('none');
    expect(
      planFolderSync(noModseq, { ...noModseq }, neither, now + FULL_FLAG_SYNC_INTERVAL_MS).type,
    ).toBe('full');
  });

  it('treats a CONDSTORE server as plain when the cache holds no modseq', () => {
    const noModseq: Checkpoint = { uidValidity: 7, uidNext: 51, messages: 50 };
    expect(planFolderSync(noModseq, { ...cp, highestModseq: '5' }, both, now).type).toBe('full');
  });

  it('carries an unfinished initial sync along with any plan', () => {
    const halfway = { ...cp, backfillBelow: 20 };
    expect(planFolderSync(halfway, { ...cp }, both, now)).toMatchObject({
      type: 'none',
      backfill: true,
    });
    expect(planFolderSync({ ...cp, backfillBelow: 1 }, { ...cp }, both, now)).toMatchObject({
      backfill: false,
    });
  });
});
