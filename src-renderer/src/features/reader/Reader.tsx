/**
 * The reader: headers, the body (HTML in a sandboxed frame, or plain text), attachments, and the
 * rest of the conversation. Everything comes from the cache; parts not cached yet are asked for
 * once (main fetches exactly those sections), and show as soon as they land.
 */
import { composeMailto } from '../composer/mailto-draft.ts';
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useState } from 'react';
import type { AccountSummary } from '#shared/accounts';
import type { Address, MessageRow, MimePart } from '#shared/mail';
import { hasFlag } from '#shared/tasks';
import { errorMessage } from '#shared/result';
import { petrel } from '../../bridge/index.ts';
import type { BodyRow } from '../../cache/db.ts';
import { isFlagged, isUnread } from '../../cache/list-queries.ts';
import { threadOf } from '../../cache/queries.ts';
import { db } from '../../state/cache.ts';
import { useUiStore } from '../../state/store.ts';
import {
  deleteSelected,
  markOpened,
  moveToRole,
  toggleFlagged,
  toggleRead,
} from '../mail/actions.ts';
import { formatSize, fullAddress, listDate, personName, readerDate } from '../mail/format.ts';
import { draftFrom, draftFromServerDraft, type ReplyMode } from '../composer/drafts.ts';
import { cleanAttachmentName } from './attachment-name.ts';
import { MailHtmlFrame } from './MailHtmlFrame.tsx';
import { PlainTextBody } from './PlainTextBody.tsx';
import { bareContentId, DISPLAY_LIMIT, readerParts } from './reader-parts.ts';

export function Reader({ accounts }: { accounts: AccountSummary[] }) {
  const focusId = useUiStore((s) => s.selection.focusId);
  const count = useUiStore((s) => s.selection.ids.length);
  const row = useLiveQuery(
    async () => (focusId ? ((await db.messages.get(focusId)) ?? null) : null),
    [focusId],
  );
  useEffect(() => {
    if (!focusId) return;
    // A short pause, so that arrowing through the list does not mark every message read.
    const timer = setTimeout(() => void markOpened(focusId), 600);
    return () => clearTimeout(timer);
  }, [focusId]);

  if (!focusId || row === null) {
    return (
      <section className="reader empty" aria-label="Message">
        <p className="muted">{count > 1 ? `${count} messages selected` : 'No message selected'}</p>
      </section>
    );
  }
  if (!row) return <section className="reader" aria-label="Message" aria-busy="true" />;
  const account = accounts.find((a) => a.id === row.accountId);
  return (
    <article id="reader" className="reader" aria-label="Message" tabIndex={-1}>
      <MessageHeader row={row} accountName={account?.name} />
      <MessageBody key={row.id} row={row} />
      <Conversation row={row} />
    </article>
  );
}

function MessageHeader({ row, accountName }: { row: MessageRow; accountName?: string }) {
  const unread = isUnread(row);
  const flagged = isFlagged(row);
  // The buttons act on what is selected (a whole conversation in that view), which always
  // includes the message shown.
  const selected = useUiStore((s) => s.selection.ids);
  const ids = selected.includes(row.id) ? selected : [row.id];
  const role = useLiveQuery(async () => (await db.folders.get(row.folderId))?.role, [row.folderId]);
  return (
    <header className="reader-header">
      <h1 className="reader-subject">{row.subject || '(no subject)'}</h1>
      <div className="reader-actions" role="toolbar" aria-label="Message actions">
        {(role === 'drafts' || hasFlag(row.flags, '\\Draft')) && (
          <button type="button" className="primary" onClick={() => void editDraft(row)}>
            Edit draft
          </button>
        )}
        <button type="button" onClick={() => void reply(row, 'reply')} title="Reply (r)">
          Reply
        </button>
        <button type="button" onClick={() => void reply(row, 'replyAll')} title="Reply all (a)">
          Reply all
        </button>
        <button type="button" onClick={() => void reply(row, 'forward')} title="Forward (f)">
          Forward
        </button>
        <button
          type="button"
          onClick={() => void reply(row, 'forwardAsAttachment')}
          title="Forward as attachment (Shift+F)"
        >
          Forward as attachment
        </button>
        <button type="button" onClick={() => void moveToRole(ids, 'archive')} title="Archive (e)">
          Archive
        </button>
        <button type="button" onClick={() => void deleteSelected(ids)} title="Delete (Delete, #)">
          Delete
        </button>
        {role === 'junk' ? (
          <button type="button" onClick={() => void moveToRole(ids, 'notJunk')}>
            Not junk
          </button>
        ) : (
          <button type="button" onClick={() => void moveToRole(ids, 'junk')} title="Junk (!)">
            Junk
          </button>
        )}
        <button
          type="button"
          onClick={() => useUiStore.getState().openFolderDialog({ kind: 'move', rowIds: ids })}
          title="Move to folder (v)"
        >
          Move…
        </button>
        <button type="button" onClick={() => void toggleRead(ids)} title="u">
          {unread ? 'Mark as read' : 'Mark as unread'}
        </button>
        <button
          type="button"
          aria-pressed={flagged}
          onClick={() => void toggleFlagged(ids)}
          title="s"
        >
          {flagged ? 'Unflag' : 'Flag'}
        </button>
      </div>
      <dl className="reader-fields">
        <AddressField label="From" list={row.from} />
        <AddressField label="To" list={row.to} />
        <AddressField label="Cc" list={row.cc} />
        <dt>Date</dt>
        <dd>
          <time dateTime={new Date(row.date).toISOString()}>{readerDate(row.date)}</time>
          {accountName && <span className="muted"> · {accountName}</span>}
        </dd>
      </dl>
    </header>
  );
}

/** Opens the composer with a draft of the Drafts folder, to go on writing it. */
export async function editDraft(row: MessageRow): Promise<void> {
  try {
    useUiStore.getState().openComposer(await draftFromServerDraft(row));
  } catch (error) {
    useUiStore.getState().setNotice(`The draft could not be opened: ${errorMessage(error)}`);
  }
}

/** Opens the composer with a reply or forward of `row`. */
export async function reply(row: MessageRow, mode: ReplyMode): Promise<void> {
  try {
    const accounts = await petrel().listAccounts();
    useUiStore.getState().openComposer(await draftFrom(row, mode, accounts));
  } catch (error) {
    const what = mode.startsWith('forward') ? 'forward' : 'reply to';
    useUiStore.getState().setNotice(`Could not ${what} this message: ${errorMessage(error)}.`);
  }
}

function AddressField({ label, list }: { label: string; list: Address[] }) {
  if (list.length === 0) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>{list.map(fullAddress).join(', ')}</dd>
    </>
  );
}

type LoadState = { state: 'loading' } | { state: 'ready' } | { state: 'failed'; reason: string };

/** Reads the given parts from the cache, asking main once for those missing. */
function useParts(rowId: string, parts: MimePart[]) {
  const sections = parts.map((p) => p.part);
  const key = sections.join(',');
  const rows = useLiveQuery(
    () => db.bodies.bulkGet(sections.map((part): [string, string] => [rowId, part])),
    [rowId, key],
  );
  const [load, setLoad] = useState<LoadState>({ state: 'loading' });
  const missing = rows ? sections.filter((_, i) => !rows[i]) : [];
  const missingKey = missing.join(',');
  useEffect(() => {
    if (!rows || missingKey === '') return;
    let live = true;
    petrel()
      .loadParts([{ rowId, parts: missingKey.split(',') }])
      .then(
        () => live && setLoad({ state: 'ready' }),
        (error: unknown) => live && setLoad({ state: 'failed', reason: errorMessage(error) }),
      );
    return () => {
      live = false;
    };
    // Ask again only when what is missing changes, not on every cache write.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rowId, missingKey, rows === undefined]);
  const byPart = new Map<string, BodyRow>();
  rows?.forEach((body, i) => body && byPart.set(sections[i] as string, body));
  return { byPart, complete: rows !== undefined && missing.length === 0, load };
}

function MessageBody({ row }: { row: MessageRow }) {
  const parts = readerParts(row.structure);
  const wanted = parts.body ? [parts.body, ...parts.inline] : parts.inline;
  const { byPart, load } = useParts(row.id, wanted);
  const body = parts.body ? byPart.get(parts.body.part) : undefined;
  return (
    <div className="reader-body">
      {parts.body && !body && <BodyPending load={load} />}
      {body && <BodyContent row={row} body={body} inline={parts.inline} byPart={byPart} />}
      {!parts.body && <p className="muted">This message has no text.</p>}
      <Attachments row={row} parts={parts.attachments} />
    </div>
  );
}

function BodyPending({ load }: { load: LoadState }) {
  if (load.state === 'failed') {
    return (
      <p className="body-missing" role="status">
        This message is not saved for offline reading, and it cannot be fetched now: {load.reason}
      </p>
    );
  }
  return (
    <p className="muted" role="status" aria-busy="true">
      Loading message…
    </p>
  );
}

function BodyContent(props: {
  row: MessageRow;
  body: BodyRow;
  inline: MimePart[];
  byPart: Map<string, BodyRow>;
}) {
  const { row, body } = props;
  const [showAll, setShowAll] = useState(false);
  const remoteAllowed = useUiStore((s) => s.remoteAllowed[row.id] === true);
  const allowRemote = useUiStore((s) => s.allowRemote);
  const sender = row.from[0]?.address?.toLowerCase();
  const trusted = useLiveQuery(
    async () => (sender ? (await db.trustedSenders.get(sender)) !== undefined : false),
    [sender],
    false,
  );
  const [blocked, setBlocked] = useState(false);
  const text = body.text ?? '';
  const long = text.length > DISPLAY_LIMIT && !showAll;
  const shown = long ? text.slice(0, DISPLAY_LIMIT) : text;
  const inlineParts = new Map<string, { contentType: string; data: Uint8Array }>();
  for (const part of props.inline) {
    const cached = props.byPart.get(part.part);
    if (part.contentId && cached?.data) {
      inlineParts.set(bareContentId(part.contentId), { contentType: part.type, data: cached.data });
    }
  }
  const remote = remoteAllowed || trusted;
  return (
    <>
      {blocked && !remote && (
        <div className="remote-bar" role="region" aria-label="Remote content">
          <span>Remote content blocked</span>
          <button type="button" onClick={() => allowRemote(row.id)}>
            Load for this message
          </button>
          {sender && (
            <button
              type="button"
              onClick={() => void db.trustedSenders.put({ address: sender, since: Date.now() })}
            >
              Always for {sender}
            </button>
          )}
        </div>
      )}
      {body.contentType === 'text/html' ? (
        <MailHtmlFrame
          html={shown}
          inlineParts={inlineParts}
          allowRemote={remote}
          onRemoteBlocked={() => setBlocked(true)}
          onOpenLink={(url) => openLink(url, row.accountId)}
        />
      ) : (
        <PlainTextBody text={shown} onOpenLink={(url) => openLink(url, row.accountId)} />
      )}
      {(long || body.truncated) && (
        <p className="muted truncated">
          {body.truncated
            ? `This part is larger than Petrel keeps (${formatSize(body.size)} shown).`
            : `Showing the first ${DISPLAY_LIMIT.toLocaleString()} characters. `}
          {long && (
            <button type="button" className="link" onClick={() => setShowAll(true)}>
              Show all
            </button>
          )}
        </p>
      )}
    </>
  );
}

function Attachments({ row, parts }: { row: MessageRow; parts: MimePart[] }) {
  if (parts.length === 0) return null;
  return (
    <section className="attachments" aria-label="Attachments">
      <h2>
        {parts.length} attachment{parts.length > 1 ? 's' : ''}
      </h2>
      <ul>
        {parts.map((part) => (
          <AttachmentItem key={part.part} row={row} part={part} />
        ))}
      </ul>
    </section>
  );
}

function AttachmentItem({ row, part }: { row: MessageRow; part: MimePart }) {
  const name = cleanAttachmentName(part.filename ?? '') || 'attachment';
  const [state, setState] = useState<string | undefined>();
  const fetchData = async (): Promise<Uint8Array | undefined> => {
    let cached = await db.bodies.get([row.id, part.part]);
    if (!cached) {
      setState('Downloading…');
      try {
        await petrel().loadParts([{ rowId: row.id, parts: [part.part] }]);
      } catch (error) {
        setState(`Could not download it: ${errorMessage(error)}`);
        return undefined;
      }
      cached = await db.bodies.get([row.id, part.part]);
    }
    setState(undefined);
    return (
      cached?.data ??
      (cached?.text !== undefined ? new TextEncoder().encode(cached.text) : undefined)
    );
  };
  const save = async () => {
    const data = await fetchData();
    if (data) download(data, name);
  };
  const open = async () => {
    const data = await fetchData();
    if (!data) return;
    // Only types the browser shows without running anything of theirs open in a tab; the rest
    // (HTML and SVG included: they would run in Petrel's origin) are saved instead. The desktop
    // app opens no windows of its own (blob: stays inside), so there Open saves too.
    const inBrowser = useUiStore.getState().hostMode === 'browser';
    if (!inBrowser || !VIEWABLE.has(part.type)) return download(data, name);
    const url = URL.createObjectURL(new Blob([data as BlobPart], { type: part.type }));
    window.open(url, '_blank', 'noopener');
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };
  return (
    <li className="attachment">
      <span className="attachment-name">{name}</span>
      <span className="muted">
        {part.size !== undefined ? formatSize(approxDecoded(part)) : ''}
      </span>
      <button type="button" aria-label={`Open ${name}`} onClick={() => void open()}>
        Open
      </button>
      <button type="button" aria-label={`Save ${name}`} onClick={() => void save()}>
        Save
      </button>
      {state && (
        <span className="muted" role="status">
          {state}
        </span>
      )}
    </li>
  );
}

const VIEWABLE = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
]);

/** BODYSTRUCTURE sizes are of the encoded part: base64 is 4/3 of the content. */
function approxDecoded(part: MimePart): number {
  const size = part.size ?? 0;
  return part.encoding?.toLowerCase() === 'base64' ? Math.round((size * 3) / 4) : size;
}

function download(data: Uint8Array, name: string): void {
  const url = URL.createObjectURL(
    new Blob([data as BlobPart], { type: 'application/octet-stream' }),
  );
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * http(s) links leave Petrel, for the system's browser; a mailto: link opens the composer here,
 * from the account the message was read in. Nothing else is followed.
 */
function openLink(url: string, accountId: string): void {
  if (/^mailto:/i.test(url)) {
    composeMailto(url, accountId).catch((error: unknown) =>
      useUiStore.getState().setNotice(`The link could not be opened: ${errorMessage(error)}`),
    );
    return;
  }
  if (!/^https?:/i.test(url)) return;
  window.open(url, '_blank', 'noopener,noreferrer');
}

/** The other cached messages of this conversation, to switch to. */
function Conversation({ row }: { row: MessageRow }) {
  const rows = useLiveQuery(() => threadOf(db, row.threadId), [row.threadId], []);
  const select = useUiStore((s) => s.select);
  const selection = useUiStore((s) => s.selection);
  if (rows.length < 2) return null;
  return (
    <section className="conversation" aria-label="Conversation">
      <h2>{rows.length} messages in this conversation</h2>
      <ul>
        {rows.map((other) => (
          <li key={other.id}>
            <button
              type="button"
              aria-current={other.id === row.id || undefined}
              className={isUnread(other) ? 'unread' : undefined}
              onClick={() => select({ ...selection, focusId: other.id })}
            >
              <span>{personName(other.from[0])}</span>
              <span className="muted">{listDate(other.date)}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
