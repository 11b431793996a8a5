/**
 * The app's one cache and its writer: the cache attaches to main (and so sync starts) only while
 * this window is the active UI. A writer that stopped on a failed batch is started again after a
 * pause: reattaching makes main resume from the checkpoints the cache really holds.
 */
import { useEffect } from 'react';
import { openCache } from '../cache/db.ts';
import { startPrefetch } from '../cache/prefetch.ts';
import { startCacheSync } from '../cache/sync-client.ts';
import { petrel } from '../bridge/index.ts';
import { useUiStore } from './store.ts';

export const db = openCache();

const RESTART_AFTER_MS = 3_000;

export function useCacheWriter(): void {
  const active = useUiStore((s) => s.hostState === 'active');
  useEffect(() => {
    if (!active) return;
    let stop = () => {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    const start = () => {
      stop = startCacheSync(db, petrel(), {
        onError: (failure) => {
          useUiStore.getState().setCacheError(String(failure.error));
          if (!failure.halted) return;
          stop();
          timer = setTimeout(start, RESTART_AFTER_MS);
        },
      });
    };
    start();
    const stopPrefetch = startPrefetch(db, petrel(), {
      onProgress: (progress) => useUiStore.getState().setOfflineProgress(progress),
    });
    // Back online: reconnect now instead of waiting out the backoff.
    const online = () => void petrel().reconnectNow();
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      clearTimeout(timer);
      stop();
      stopPrefetch();
    };
  }, [active]);
}
