/**
 * Keyboard-first reading: arrows or j/k move (Shift extends the selection), Enter moves into the
 * reader, Esc clears the selection, u toggles read, s toggles the flag, e archives, Delete or #
 * deletes, ! marks as junk, v moves, Ctrl/Cmd+Z undoes the last move, ? shows the shortcuts;
 * / or Ctrl/Cmd+F or Ctrl/Cmd+K goes to the search field (Esc with nothing selected ends a search).
 * Keys typed into a field or a dialog are left alone.
 */
import { useEffect, useRef } from 'react';
import { petrel } from '../../bridge/index.ts';
import { db } from '../../state/cache.ts';
import { NO_SELECTION, useUiStore } from '../../state/store.ts';
import { writeNew } from '../mail/MailView.tsx';
import { reply } from '../reader/Reader.tsx';
import {
  deleteSelected,
  moveToRole,
  toggleFlagged,
  toggleRead,
  undoLast,
} from '../mail/actions.ts';
import type { ListEntry, ListModel } from './list-model.ts';
import { focusSearch } from '../search/SearchBar.tsx';

export function useListKeys(model: ListModel, scrollTo: (index: number) => void): void {
  const current = useRef({ model, scrollTo });
  useEffect(() => {
    current.current = { model, scrollTo };
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      // The app's search rather than the browser's find, even from a field (not from a dialog).
      const key = event.key.toLowerCase();
      if ((event.ctrlKey || event.metaKey) && !event.altKey && (key === 'f' || key === 'k')) {
        if (inDialog(event.target)) return;
        event.preventDefault();
        focusSearch();
        return;
      }
      if (isTyping(event.target)) return;
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'z') {
        event.preventDefault();
        void undoLast();
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const handled = handleKey(event, current.current.model, current.current.scrollTo);
      if (handled) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

function handleKey(event: KeyboardEvent, model: ListModel, scrollTo: (i: number) => void) {
  const store = useUiStore.getState();
  switch (event.key) {
    case 'ArrowDown':
    case 'j':
    case 'J':
      void move(model, 1, event.shiftKey, scrollTo);
      return true;
    case 'ArrowUp':
    case 'k':
    case 'K':
      void move(model, -1, event.shiftKey, scrollTo);
      return true;
    case 'Enter':
      document.getElementById('reader')?.focus();
      return true;
    case 'Escape':
      if (store.helpOpen) store.setHelpOpen(false);
      else if (store.selection.ids.length === 0 && store.search.text) store.setSearch({ text: '' });
      else store.select(NO_SELECTION);
      return true;
    case '/':
      focusSearch();
      return true;
    case 'u':
      void toggleRead(store.selection.ids);
      return true;
    case 'e':
      void moveToRole(store.selection.ids, 'archive');
      return true;
    case 'Delete':
    case '#':
      void deleteSelected(store.selection.ids);
      return true;
    case '!':
      void moveToRole(store.selection.ids, 'junk');
      return true;
    case 'c':
      void petrel()
        .listAccounts()
        .then((accounts) => writeNew(accounts));
      return true;
    case 'r':
    case 'a':
    case 'f':
    case 'F': {
      const modes = { r: 'reply', a: 'replyAll', f: 'forward', F: 'forwardAsAttachment' } as const;
      const mode = modes[event.key];
      const id = store.selection.focusId;
      if (id) void db.messages.get(id).then((row) => row && reply(row, mode));
      return true;
    }
    case 'v':
      if (store.selection.ids.length) {
        store.openFolderDialog({ kind: 'move', rowIds: store.selection.ids });
      }
      return true;
    case 's':
      void toggleFlagged(store.selection.ids);
      return true;
    case '?':
      store.setHelpOpen(!store.helpOpen);
      return true;
    default:
      return false;
  }
}

/** Moves the focus one line; with Shift, the selection grows from the anchor to the new line. */
async function move(
  model: ListModel,
  step: 1 | -1,
  extend: boolean,
  scrollTo: (i: number) => void,
) {
  const { selection, select } = useUiStore.getState();
  const from = focusedIndex(model, selection.focusId, selection.focusIndex);
  const index = from === undefined ? 0 : Math.min(Math.max(from + step, 0), model.count - 1);
  if (index < 0 || (from !== undefined && index === from)) return;
  const entry = await model.load(index);
  if (!entry) return;
  scrollTo(index);
  if (!extend) {
    select({
      ids: entry.rowIds,
      focusId: entry.row.id,
      focusIndex: index,
      anchorId: entry.row.id,
      anchorIndex: index,
    });
    return;
  }
  const anchor = selection.anchorIndex ?? from ?? index;
  const lo = Math.min(anchor, index);
  const hi = Math.max(anchor, index);
  const entries = await Promise.all(
    Array.from({ length: hi - lo + 1 }, (_, i) => model.load(lo + i)),
  );
  select({
    ids: entries.flatMap((e: ListEntry | undefined) => e?.rowIds ?? []),
    focusId: entry.row.id,
    focusIndex: index,
    anchorIndex: anchor,
    ...(selection.anchorId ? { anchorId: selection.anchorId } : {}),
  });
}

/** Where the focused message is now: near where it was, as new mail may have pushed it down. */
function focusedIndex(
  model: ListModel,
  focusId: string | undefined,
  hint: number | undefined,
): number | undefined {
  if (focusId === undefined || hint === undefined) return undefined;
  for (let distance = 0; distance <= 50; distance++) {
    for (const index of [hint + distance, hint - distance]) {
      if (model.at(index)?.rowIds.includes(focusId)) return index;
    }
  }
  return hint;
}

function inDialog(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest('[role="dialog"]') !== null;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.closest('[role="dialog"]')) return true;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}
