/**
 * Composer windows (the desktop app): a composer the main window opens is saved as a local draft
 * and handed to a window of its own, which reads it from the same cache (`#compose=<id>`). In
 * browser mode, and if a window cannot be opened, the composer stays a panel.
 */
import { useEffect } from 'react';
import { petrel } from '../../bridge/index.ts';
import { saveLocalDraft } from '../../cache/local-drafts.ts';
import { db } from '../../state/cache.ts';
import { useUiStore, type ComposerDraft } from '../../state/store.ts';

const HASH_PREFIX = '#compose=';

/** The draft this window is the composer of, or undefined for the main window. */
export function composerWindowDraftId(hash = globalThis.location?.hash ?? ''): string | undefined {
  if (!hash.startsWith(HASH_PREFIX)) return undefined;
  const id = decodeURIComponent(hash.slice(HASH_PREFIX.length));
  return id || undefined;
}

/** Saves the draft locally and asks for its window; false if it must stay a panel. */
export async function openInWindow(draft: ComposerDraft): Promise<boolean> {
  await saveLocalDraft(db, draft, { open: true });
  return petrel().openComposerWindow(draft.outboxId);
}

/** In the desktop app's main window: every composer opened goes to a window of its own. */
export function useComposerWindows(): void {
  const mode = useUiStore((s) => s.hostMode);
  const draft = useUiStore((s) => s.composer);
  useEffect(() => {
    if (mode !== 'electron' || !draft) return;
    let cancelled = false;
    openInWindow(draft)
      .then((opened) => {
        if (opened && !cancelled && useUiStore.getState().composer === draft) {
          useUiStore.getState().openComposer(undefined);
        }
      })
      .catch((error: unknown) => console.error('The composer window did not open', error));
    return () => {
      cancelled = true;
    };
  }, [mode, draft]);
}
