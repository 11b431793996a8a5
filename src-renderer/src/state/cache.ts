/**
 * The app's one cache and its writer: the cache attaches to main (and so sync starts) only while
 * this window is the active UI. A writer that stopped on a failed batch is started again after a
 * pause: reattaching makes main resume from the checkpoints the cache really holds.
 */
import { useEffect } from 'react';
import { startContactsPass } from '../cache/contacts.ts';
import { openCache } from '../cache/db.ts';
import { startPrefetch } from '../cache/prefetch.ts';
import { SEARCH_INDEX_OFF_KEY, startSearchIndexer } from '../cache/search-index.ts';
import { startCacheSync } from '../cache/sync-client.ts';
import { keepRefused } from '../cache/outbox.ts';
import { startTaskRunner } from '../cache/tasks.ts';
import { petrel } from '../bridge/index.ts';
import { startNewMailNotifier } from '../features/notifications/new-mail.ts';
import { UNIFIED } from '../cache/list-queries.ts';
import { useUiStore } from './store.ts';

export const db = openCache();
// Open now, in parallel with the connection to main, not on the list's first query (about 100 ms
// at cold start with 100k messages cached). A failure surfaces again on that first query.
db.open().catch(() => {});

const RESTART_AFTER_MS = 3_000;

export function useCacheWriter(): void {
  const active = useUiStore((s) => s.hostState === 'active');
  useEffect(() => {
    if (!active) return;
    let stop = () => {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    const prefetch = startPrefetch(db, petrel(), {
      onProgress: (progress) => useUiStore.getState().setOfflineProgress(progress),
    });
    const notifier = startNewMailNotifier(db, (rowId) => {
      window.focus();
      const ui = useUiStore.getState();
      ui.selectSource(UNIFIED);
      ui.select({ ids: [rowId], focusId: rowId });
    });
    const start = () => {
      stop = startCacheSync(db, petrel(), {
        onApplied: (batch) => {
          notifier.onApplied(batch);
          // New mail (not a first sync walking down): save it for offline reading soon.
          if (batch.put?.length && !batch.checkpoint?.backfillBelow) prefetch.nudge();
        },
        onError: (failure) => {
          useUiStore.getState().setCacheError(String(failure.error));
          if (!failure.halted) return;
          stop();
          timer = setTimeout(start, RESTART_AFTER_MS);
        },
      });
    };
    // Mail cached before contacts existed gives its contacts once, in the background (first,
    // so that on a new cache it ends before the first batch).
    const stopContacts = startContactsPass(db);
    // The search index follows the cache writer in the background (apply.ts only queues). The
    // sync benchmark turns it off for its reference runs (what indexing costs a first sync).
    const stopSearchIndexer =
      localStorage.getItem(SEARCH_INDEX_OFF_KEY) === 'off' ? () => {} : startSearchIndexer(db);
    start();
    // Changes made here (read, flags) go to the servers; a refused one is undone and said why.
    const stopTasks = startTaskRunner(db, petrel(), {
      onFailed: (reason, task) => {
        if (task.type === 'saveDraft') {
          const subject = task.message.subject || '(no subject)';
          useUiStore
            .getState()
            .setNotice(`The draft “${subject}” could not be saved on the server: ${reason}.`);
          return;
        }
        if (task.type !== 'sendMessage') {
          useUiStore.getState().setNotice(`A change was undone: ${reason}`);
          return;
        }
        void keepRefused(db, task, reason);
        useUiStore
          .getState()
          .setNotice(
            `“${task.message.subject || '(no subject)'}” was not sent: ${reason}. It is in the Outbox.`,
          );
      },
    });
    // Back online: reconnect now instead of waiting out the backoff.
    const online = () => void petrel().reconnectNow();
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      clearTimeout(timer);
      stop();
      prefetch();
      stopTasks();
      stopContacts();
      stopSearchIndexer();
    };
  }, [active]);
}
