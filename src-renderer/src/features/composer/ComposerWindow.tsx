/**
 * The composer as a window of its own (desktop app): its draft comes from the local drafts table.
 * It never writes mail data and never starts sync: it queues the message, and the main window
 * (the cache writer) sends it. After Send it stays while Undo is possible, then closes.
 */
import { useEffect, useState } from 'react';
import type { AccountSummary } from '#shared/accounts';
import { errorMessage } from '#shared/result';
import { petrel } from '../../bridge/index.ts';
import { db } from '../../state/cache.ts';
import { useUiStore } from '../../state/store.ts';
import { UndoBar } from '../mail/UndoBar.tsx';
import { Composer } from './Composer.tsx';

export function ComposerWindow({ draftId }: { draftId: string }) {
  const [accounts, setAccounts] = useState<AccountSummary[]>();
  const [problem, setProblem] = useState<string>();
  const composer = useUiStore((s) => s.composer);
  const undo = useUiStore((s) => s.undo);
  const [opened, setOpened] = useState(false);

  useEffect(() => {
    let live = true;
    Promise.all([petrel().listAccounts(), db.drafts.get(draftId)])
      .then(([list, row]) => {
        if (!live) return;
        setAccounts(list);
        if (!row) return setProblem('This draft is no longer saved here.');
        useUiStore.getState().openComposer(row.draft);
        setOpened(true);
      })
      .catch((error: unknown) => live && setProblem(errorMessage(error)));
    return () => {
      live = false;
    };
  }, [draftId]);

  // Sent (and past its undo) or discarded: the window has done its work.
  useEffect(() => {
    if (opened && !composer && !undo) window.close();
  }, [opened, composer, undo]);

  useEffect(() => {
    document.title = composer?.subject || 'New message';
  }, [composer?.subject]);

  if (problem) {
    return (
      <p role="alert" className="pad">
        {problem}
      </p>
    );
  }
  if (!accounts) return null;
  return (
    <div className="composer-window">
      <Composer accounts={accounts} standalone />
      {!composer && undo && <p className="pad muted">Sending…</p>}
      <UndoBar />
    </div>
  );
}
