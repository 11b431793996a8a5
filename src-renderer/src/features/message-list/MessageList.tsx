/**
 * The message list: a virtualized listbox (only the rows on screen exist in the DOM, so 100k
 * messages scroll like 100), newest first, with multi-select by click, Ctrl/Cmd-click,
 * Shift-click and the keyboard (see `useListKeys`).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef, type MouseEvent } from 'react';
import type { AccountSummary } from '#shared/accounts';
import { useUiStore } from '../../state/store.ts';
import { accountColor, listDate, personName } from '../mail/format.ts';
import { useListModel, type ListEntry, type ListModel } from './list-model.ts';
import { DRAG_TYPE } from '../folders/Sidebar.tsx';
import { useListKeys } from './list-keys.ts';
import type { Highlight } from '../search/highlight.ts';
import { Marked } from '../search/Marked.tsx';

/** A search's results shown in place of the folder (`features/search/use-search.ts`). */
export interface ListSearch {
  key: string;
  model: ListModel;
  highlight: Highlight;
  /** Rows only the server step found: marked as such. */
  fromServer: ReadonlySet<string>;
}

export const ROW_HEIGHT = 72;

export function MessageList({
  accounts,
  search,
}: {
  accounts: AccountSummary[];
  search?: ListSearch | undefined;
}) {
  const source = useUiStore((s) => s.source);
  const threaded = useUiStore((s) => s.threaded);
  const selection = useUiStore((s) => s.selection);
  const folderModel = useListModel(source, threaded);
  const model = search?.model ?? folderModel;
  const scroller = useRef<HTMLDivElement>(null);
  // TanStack Virtual returns a mutable instance, which the React Compiler cannot memoize; this
  // app does not use the compiler, so the rule's warning does not apply.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: model.count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => model.show(first, last));
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [source, threaded, search?.key]);
  useListKeys(model, (index) => virtualizer.scrollToIndex(index, { align: 'auto' }));
  useEffect(() => focusNextAfterMove(model));

  const colors = new Map(accounts.map((a, i) => [a.id, { color: accountColor(i), name: a.name }]));
  const selected = new Set(selection.ids);
  const unified = source.kind === 'unified' || search !== undefined;

  if (!model.loading && model.count === 0) {
    return (
      <p className="muted pad empty-list">{search ? 'No messages match.' : 'No messages here.'}</p>
    );
  }
  return (
    <div
      ref={scroller}
      className="message-list"
      role="listbox"
      aria-label="Messages"
      aria-multiselectable="true"
      aria-busy={model.loading}
      tabIndex={0}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {items.map((item) => {
          const entry = model.at(item.index);
          const account = entry && unified ? colors.get(entry.row.accountId) : undefined;
          return (
            <div
              key={entry?.key ?? `pending-${item.index}`}
              className="row-slot"
              style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
            >
              {entry ? (
                <Row
                  entry={entry}
                  index={item.index}
                  count={model.count}
                  selected={entry.rowIds.some((id) => selected.has(id))}
                  focused={
                    selection.focusId !== undefined && entry.rowIds.includes(selection.focusId)
                  }
                  account={account}
                  model={model}
                  highlight={search?.highlight}
                  fromServer={search?.fromServer.has(entry.row.id) ?? false}
                />
              ) : (
                <div className="row placeholder" aria-hidden="true" />
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

interface RowProps {
  entry: ListEntry;
  index: number;
  count: number;
  selected: boolean;
  focused: boolean;
  account: { color: string; name: string } | undefined;
  model: ListModel;
  highlight?: Highlight | undefined;
  fromServer: boolean;
}

const Row = memo(function Row({
  entry,
  index,
  count,
  selected,
  focused,
  account,
  model,
  highlight,
  fromServer,
}: RowProps) {
  const { row } = entry;
  const sender = personName(row.from[0]);
  const size = entry.rowIds.length;
  const label = [
    entry.unread ? 'Unread' : undefined,
    entry.flagged ? 'Flagged' : undefined,
    `From ${sender}`,
    row.subject || '(no subject)',
    listDate(row.date),
    entry.hasAttachments ? 'has attachments' : undefined,
    size > 1 ? `${size} messages` : undefined,
    account ? `account ${account.name}` : undefined,
    fromServer ? 'from the server' : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const onClick = (event: MouseEvent) => void clickRow(event, entry, index, model);
  return (
    <div
      role="option"
      id={`row-${entry.key}`}
      aria-selected={selected}
      aria-current={focused || undefined}
      aria-label={label}
      aria-posinset={index + 1}
      aria-setsize={count}
      className={`row${entry.unread ? ' unread' : ''}${selected ? ' selected' : ''}${focused ? ' focused' : ''}`}
      onClick={onClick}
      draggable
      onDragStart={(event) => {
        // Dragging a selected line takes the whole selection along; any other line, itself.
        const { ids } = useUiStore.getState().selection;
        const dragged = entry.rowIds.some((id) => ids.includes(id)) ? ids : entry.rowIds;
        event.dataTransfer.setData(DRAG_TYPE, JSON.stringify(dragged));
        event.dataTransfer.effectAllowed = 'move';
      }}
    >
      {account && <span className="account-stripe" style={{ background: account.color }} />}
      <div className="row-line">
        <span className="from">
          <Marked text={sender} needles={highlight?.sender} />
        </span>
        {fromServer && <span className="from-server">from the server</span>}
        {size > 1 && <span className="thread-count">{size}</span>}
        <span className="markers" aria-hidden="true">
          {entry.hasAttachments && <span title="Has attachments">📎</span>}
          {entry.flagged && (
            <span className="flag" title="Flagged">
              ★
            </span>
          )}
        </span>
        <time dateTime={new Date(row.date).toISOString()}>{listDate(row.date)}</time>
      </div>
      <div className="subject">
        <Marked text={row.subject || '(no subject)'} needles={highlight?.subject} />
      </div>
      <div className="preview">
        <Marked text={row.preview} needles={highlight?.preview} />
      </div>
    </div>
  );
});

/** Click selects one; Ctrl/Cmd-click toggles one; Shift-click selects the range from the anchor. */
async function clickRow(event: MouseEvent, entry: ListEntry, index: number, model: ListModel) {
  const store = useUiStore.getState();
  const { selection } = store;
  if (event.metaKey || event.ctrlKey) {
    const on = entry.rowIds.some((id) => selection.ids.includes(id));
    const ids = on
      ? selection.ids.filter((id) => !entry.rowIds.includes(id))
      : [...selection.ids, ...entry.rowIds];
    store.select({
      ids,
      focusId: entry.row.id,
      focusIndex: index,
      anchorId: entry.row.id,
      anchorIndex: index,
    });
    return;
  }
  if (event.shiftKey && selection.anchorIndex !== undefined) {
    const from = Math.min(selection.anchorIndex, index);
    const to = Math.max(selection.anchorIndex, index);
    const entries = await Promise.all(
      Array.from({ length: to - from + 1 }, (_, i) => model.load(from + i)),
    );
    const ids = entries.flatMap((e) => e?.rowIds ?? []);
    store.select({ ...selection, ids, focusId: entry.row.id, focusIndex: index });
    return;
  }
  store.select({
    ids: entry.rowIds,
    focusId: entry.row.id,
    focusIndex: index,
    anchorId: entry.row.id,
    anchorIndex: index,
  });
}

/**
 * When the focused message was moved away (archive, delete, move), the next one takes its place,
 * as in every desktop client: the line now at its position, or the one before at the end.
 */
function focusNextAfterMove(model: ListModel): void {
  const { selection, leaving, select, setLeaving } = useUiStore.getState();
  const { focusId, focusIndex } = selection;
  if (!focusId || focusIndex === undefined || !leaving.includes(focusId)) return;
  const here = model.at(focusIndex);
  if (here?.rowIds.includes(focusId) || model.loading) return;
  const next = [here, model.at(focusIndex - 1)].find(
    (entry) => entry && !entry.rowIds.some((id) => leaving.includes(id)),
  );
  setLeaving([]);
  if (!next) return select({ ids: [], focusId: undefined });
  const index = next === here ? focusIndex : focusIndex - 1;
  select({
    ids: next.rowIds,
    focusId: next.row.id,
    focusIndex: index,
    anchorId: next.row.id,
    anchorIndex: index,
  });
}
