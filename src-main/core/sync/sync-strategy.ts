/**
 * How to bring one folder up to date: a pure function of what the cache has (its checkpoint), what
 * the server says now (STATUS/SELECT) and what the server can do. The sync code only executes the
 * plan; every decision is here, and tested on its own.
 */
import type { Checkpoint } from '#shared/sync';

export interface ServerStatus {
  uidValidity: number;
  highestModseq?: string;
  uidNext: number;
  messages: number;
}

export interface ServerAbilities {
  condstore: boolean;
  qresync: boolean;
}

export type SyncPlan =
  | { type: 'initial'; reason: string }
  | { type: 'reset'; reason: string }
  | { type: 'none'; reason: string; backfill: boolean }
  | { type: 'qresync'; since: string; backfill: boolean }
  | { type: 'condstore'; since: string; reconcileUids: boolean; backfill: boolean }
  | { type: 'full'; reason: string; backfill: boolean };

/** Without CONDSTORE, flags changed elsewhere can only be seen by refetching them all. */
export const FULL_FLAG_SYNC_INTERVAL_MS = 10 * 60_000;

export function planFolderSync(
  checkpoint: Checkpoint | undefined,
  status: ServerStatus,
  abilities: ServerAbilities,
  now: number,
): SyncPlan {
  if (!checkpoint) return { type: 'initial', reason: 'nothing cached yet' };
  if (checkpoint.uidValidity !== status.uidValidity) {
    return {
      type: 'reset',
      reason: `UIDVALIDITY changed from ${checkpoint.uidValidity} to ${status.uidValidity}`,
    };
  }
  const backfill = (checkpoint.backfillBelow ?? 0) > 1;
  const modseqs = abilities.condstore && checkpoint.highestModseq && status.highestModseq;
  if (modseqs) return planWithModseq(checkpoint, status, abilities, backfill);
  return planWithoutModseq(checkpoint, status, now, backfill);
}

function planWithModseq(
  checkpoint: Checkpoint,
  status: ServerStatus,
  abilities: ServerAbilities,
  backfill: boolean,
): SyncPlan {
  const since = checkpoint.highestModseq as string;
  const unchanged =
    BigInt(status.highestModseq as string) === BigInt(since) &&
    status.uidNext === checkpoint.uidNext &&
    status.messages === checkpoint.messages;
  if (unchanged) return { type: 'none', reason: 'HIGHESTMODSEQ unchanged', backfill };
  if (abilities.qresync) return { type: 'qresync', since, backfill };
  // Messages only arrive with new UIDs: if the count grew by exactly as much as UIDNEXT, nothing
  // was expunged and the CHANGEDSINCE fetch alone is complete; otherwise the UID set is compared.
  const arrived = status.uidNext - checkpoint.uidNext;
  const reconcileUids = status.messages !== checkpoint.messages + arrived;
  return { type: 'condstore', since, reconcileUids, backfill };
}

function planWithoutModseq(
  checkpoint: Checkpoint,
  status: ServerStatus,
  now: number,
  backfill: boolean,
): SyncPlan {
  const countsChanged =
    status.uidNext !== checkpoint.uidNext || status.messages !== checkpoint.messages;
  if (countsChanged) return { type: 'full', reason: 'message count or UIDNEXT changed', backfill };
  const due = now - (checkpoint.fullSyncAt ?? 0) >= FULL_FLAG_SYNC_INTERVAL_MS;
  if (due) return { type: 'full', reason: 'periodic flag reconciliation', backfill };
  return { type: 'none', reason: 'counts unchanged, flags checked recently', backfill };
}
