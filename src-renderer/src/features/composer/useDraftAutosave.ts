/**
 * The composer's drafts, kept as it is written: every change is saved on this computer within
 * LOCAL_SAVE_MS, and after SERVER_SAVE_MS without changes (or when the composer closes) it is
 * queued for the server's Drafts folder. The rules live in `cache/local-drafts.ts`; this only
 * holds the timers. Sending and discarding end the autosave first (`finish`), so that nothing
 * saves the draft again after it left.
 */
import { useEffect, useRef } from 'react';
import type { AccountSummary } from '#shared/accounts';
import { parseAddressList } from '#shared/addresses';
import { newMessageId, type DraftContent } from '#shared/compose';
import {
  closeLocalDraft,
  markDraftOpen,
  queueDraftSave,
  resumeDrafts,
  saveLocalDraft,
  type DraftMessageBuilder,
} from '../../cache/local-drafts.ts';
import { db } from '../../state/cache.ts';
import { useUiStore, type ComposerDraft } from '../../state/store.ts';
import { outgoing } from './outgoing.ts';

/** Saved here at most this long after a change (not on every key, not put off by typing on). */
export const LOCAL_SAVE_MS = 400;
/** Queued for the server after this long without a change. */
export const SERVER_SAVE_MS = 3_000;

/**
 * The message a draft is saved as on the server: addresses that do not parse are left out. None
 * without an account or a Message-ID (each save would otherwise make another draft).
 */
export function draftMessageBuilder(accounts: readonly AccountSummary[]): DraftMessageBuilder {
  return (draft, updatedAt) => {
    const account = accounts.find((a) => a.id === draft.accountId);
    if (!account || !draft.messageId) return undefined;
    const parsed = {
      to: parseAddressList(draft.to),
      cc: parseAddressList(draft.cc),
      bcc: parseAddressList(draft.bcc),
    };
    return { ...outgoing(draft, account, parsed), date: updatedAt };
  };
}

/** The draft with its Message-ID, made once, from the account's domain, when it has none yet. */
export function withMessageId(draft: DraftContent, account: AccountSummary): DraftContent {
  if (draft.messageId) return draft;
  const domain = account.email.split('@')[1] ?? 'localhost.localdomain';
  return { ...draft, messageId: newMessageId(domain, () => crypto.randomUUID()) };
}

export interface DraftAutosave {
  /** The draft leaves the composer by sending or discarding: save nothing more. */
  finish(): void;
  /** Sending could not be queued after all: keep saving. */
  resume(): void;
}

export function useDraftAutosave(
  draft: ComposerDraft,
  accounts: readonly AccountSummary[],
  update: (patch: Partial<ComposerDraft>) => void,
): DraftAutosave {
  const latest = useRef(draft);
  const accountsRef = useRef(accounts);
  // First of the effects, so that the timers and the others read what was just rendered.
  useEffect(() => {
    latest.current = draft;
    accountsRef.current = accounts;
  });
  const initial = useRef(draft);
  const finished = useRef(false);
  /** A change not saved here yet. */
  const unsaved = useRef(false);
  const localTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const serverTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const saving = useRef<Promise<void>>(Promise.resolve());

  const saveHere = (open: boolean): Promise<void> => {
    clearTimeout(localTimer.current);
    unsaved.current = false;
    const save = saveLocalDraft(db, latest.current, { open });
    saving.current = save.catch((error: unknown) =>
      console.error('Saving the draft failed', error),
    );
    return saving.current;
  };
  const queueForServer = async (): Promise<void> => {
    if (unsaved.current) await saveHere(true);
    else await saving.current;
    await queueDraftSave(db, latest.current.outboxId, draftMessageBuilder(accountsRef.current));
  };

  useEffect(() => {
    if (draft === initial.current || finished.current) return;
    const account = accounts.find((a) => a.id === draft.accountId);
    if (!draft.messageId && account) {
      // Fixed before the first save: every copy of the draft, and the message sent, share it.
      update({ messageId: withMessageId(draft, account).messageId });
      return;
    }
    // Not pushed back by further typing: saved within LOCAL_SAVE_MS of the first unsaved change.
    if (!unsaved.current) localTimer.current = setTimeout(() => void saveHere(true), LOCAL_SAVE_MS);
    unsaved.current = true;
    clearTimeout(serverTimer.current);
    serverTimer.current = setTimeout(
      () => void queueForServer().catch(reportFailure),
      SERVER_SAVE_MS,
    );
    // The timers read the latest draft through refs; only a new draft restarts them.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft]);

  // Shown (again, when React mounts twice in development); closed (not sent, not discarded):
  // save what is left, and queue it for the server.
  useEffect(() => {
    void markDraftOpen(db, latest.current.outboxId).catch(reportFailure);
    return () => {
      clearTimeout(localTimer.current);
      clearTimeout(serverTimer.current);
      if (finished.current) return;
      const id = latest.current.outboxId;
      const closing = unsaved.current ? saveHere(false) : closeLocalDraft(db, id);
      void closing
        .then(() => queueDraftSave(db, id, draftMessageBuilder(accountsRef.current)))
        .catch(reportFailure);
    };
  }, []);

  return {
    finish: () => {
      finished.current = true;
      clearTimeout(localTimer.current);
      clearTimeout(serverTimer.current);
    },
    resume: () => {
      finished.current = false;
    },
  };
}

/**
 * Once per start of the app: drafts never queued for the server are queued, and the draft the
 * composer showed when the app went away (a crash, a kill, a reload) opens again.
 */
let resumed = false;
export function useResumeDrafts(accounts: readonly AccountSummary[]): void {
  const ready = accounts.length > 0;
  useEffect(() => {
    if (resumed || !ready) return;
    resumed = true;
    void resumeDrafts(db, draftMessageBuilder(accounts))
      .then((draft) => {
        const ui = useUiStore.getState();
        if (draft && !ui.composer) ui.openComposer(draft);
      })
      .catch(reportFailure);
    // Once: accounts arriving later do not start it again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready]);
}

function reportFailure(error: unknown): void {
  console.error('Keeping the draft failed', error);
}
