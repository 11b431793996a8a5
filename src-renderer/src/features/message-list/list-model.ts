/**
 * The message list's data, for either view: entries by position, read from the cache only for
 * what is on screen (flat) or as far as the user has scrolled (conversations).
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useRef, useState } from 'react';
import type { MessageRow } from '#shared/mail';
import {
  conversationsOf,
  countOf,
  isFlagged,
  isUnread,
  sliceOf,
  sourceKey,
  type ListSource,
} from '../../cache/list-queries.ts';
import { db } from '../../state/cache.ts';

/** One line of the list: a message, or a conversation shown by its newest message. */
export interface ListEntry {
  key: string;
  row: MessageRow;
  /** The messages this line stands for (one, or the conversation's), newest first. */
  rowIds: string[];
  unread: boolean;
  flagged: boolean;
  hasAttachments: boolean;
}

export interface ListModel {
  /** Lines the list has (in conversations, those walked so far). */
  count: number;
  /** The entry at a position, if read already. */
  at(index: number): ListEntry | undefined;
  /** Tell the model which positions are on screen (it reads around them). */
  show(first: number, last: number): void;
  /** Resolves the entry at a position, reading it if it is not loaded. */
  load(index: number): Promise<ListEntry | undefined>;
  /** The first read has not answered yet. */
  loading: boolean;
}

const PAGE = 100;
/** A jump in the flat list is read once the scroll position has been still this long. */
const SETTLE_MS = 90;
const CONVERSATION_STEP = 200;

export function useListModel(source: ListSource, threaded: boolean): ListModel {
  const flat = useFlatModel(source, !threaded);
  const conversations = useConversationModel(source, threaded);
  return threaded ? conversations : flat;
}

/** One message as a line of the list. */
export function messageEntry(row: MessageRow): ListEntry {
  return {
    key: row.id,
    row,
    rowIds: [row.id],
    unread: isUnread(row),
    flagged: isFlagged(row),
    hasAttachments: row.hasAttachments,
  };
}

function useFlatModel(source: ListSource, enabled: boolean): ListModel {
  const key = sourceKey(source);
  const [window, setWindow] = useState({ key, start: 0, end: PAGE });
  const current = window.key === key ? window : { key, start: 0, end: PAGE };
  const count = useLiveQuery(() => (enabled ? countOf(db, source) : 0), [key, enabled]);
  const slice = useLiveQuery(async () => {
    if (!enabled) return undefined;
    const rows = await sliceOf(db, source, current.start, current.end - current.start);
    return { key, start: current.start, end: current.end, entries: rows.map(messageEntry) };
  }, [key, current.start, current.end, enabled]);
  // While a new window is read, keep showing the last one of the same source.
  const shown = useLatest(slice, key);
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(pending.current), []);
  return {
    count: count ?? 0,
    loading: count === undefined || shown === undefined,
    at: (index) => shown?.entries[index - shown.start],
    show: (first, lastIndex) => {
      const start = Math.max(0, Math.floor(first / PAGE) * PAGE - PAGE);
      const end = Math.ceil((lastIndex + 1) / PAGE) * PAGE + PAGE;
      if (start === current.start && end === current.end && current.key === window.key) return;
      clearTimeout(pending.current);
      const next = { key, start, end };
      // Scrolling on from the window shown, with no read in flight: read the next one now.
      // Otherwise (a fling, the scrollbar dragged, a read still running) wait until the list
      // settles: a read walks the index from the top and cannot be cancelled, so reads for
      // positions already left behind would queue up (seconds of blank rows after a fling).
      const idle = shown?.start === current.start && shown.end === current.end;
      if (idle && Math.abs(start - shown.start) <= PAGE) setWindow(next);
      else pending.current = setTimeout(() => setWindow(next), SETTLE_MS);
    },
    load: async (index) => {
      const loaded = shown?.entries[index - shown.start];
      if (loaded) return loaded;
      const [row] = await sliceOf(db, source, index, 1);
      return row ? messageEntry(row) : undefined;
    },
  };
}

function useConversationModel(source: ListSource, enabled: boolean): ListModel {
  const key = sourceKey(source);
  const [limit, setLimit] = useState({ key, value: CONVERSATION_STEP });
  const current = limit.key === key ? limit.value : CONVERSATION_STEP;
  const page = useLiveQuery(
    async () => (enabled ? { key, ...(await conversationsOf(db, source, current)) } : undefined),
    [key, current, enabled],
  );
  const shown = useLatest(page, key);
  const entries = (shown?.conversations ?? []).map((c): ListEntry => ({
    key: c.key,
    row: c.latest,
    rowIds: c.rows.map((row) => row.id),
    unread: c.unread,
    flagged: c.flagged,
    hasAttachments: c.hasAttachments,
  }));
  return {
    count: entries.length,
    loading: shown === undefined,
    at: (index) => entries[index],
    show: (_first, lastIndex) => {
      if (shown && !shown.complete && lastIndex >= entries.length - 40) {
        setLimit({ key, value: entries.length + CONVERSATION_STEP });
      }
    },
    load: async (index) => entries[index],
  };
}

/**
 * The latest answer of a live query for this source: a query with new arguments answers
 * `undefined` until it has read, and the list should not blink meanwhile.
 */
function useLatest<T extends { key: string }>(value: T | undefined, key: string): T | undefined {
  const [kept, setKept] = useState(value);
  // Adjusting state while rendering (React's pattern for "previous value"), not in an effect:
  // the list never renders once with the stale value.
  if (value !== undefined && value !== kept) setKept(value);
  const latest = value ?? kept;
  return latest?.key === key ? latest : undefined;
}
