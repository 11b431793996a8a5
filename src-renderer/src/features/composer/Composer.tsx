/**
 * The composer, as a panel over the reader: From, To, Cc, Bcc, Subject and a plain-text message.
 * Addresses are checked as typed (invalid ones are named next to their field, and sending says
 * why it cannot go yet). Send queues the message in the outbox; main sends it once, keeping its
 * Message-ID on every retry, and saves the Sent copy.
 */
import { useRef, useState, type FormEvent } from 'react';
import type { AccountSummary } from '#shared/accounts';
import { parseAddressList } from '#shared/addresses';
import { newMessageId, stripHeaderBreaks } from '#shared/compose';
import { errorMessage } from '#shared/result';
import type { OutgoingAttachment, OutgoingMessage } from '#shared/tasks';
import { queueSend } from '../../cache/outbox.ts';
import { db } from '../../state/cache.ts';
import { useUiStore, type ComposerDraft } from '../../state/store.ts';
import { offerUndo } from '../mail/actions.ts';
import { formatSize } from '../mail/format.ts';
import { cleanAttachmentName } from '../reader/attachment-name.ts';

type Field = 'to' | 'cc' | 'bcc';

export function Composer({ accounts }: { accounts: AccountSummary[] }) {
  const draft = useUiStore((s) => s.composer);
  if (!draft) return null;
  return <ComposerPanel key={draft.outboxId} initial={draft} accounts={accounts} />;
}

function ComposerPanel({
  initial,
  accounts,
}: {
  initial: ComposerDraft;
  accounts: AccountSummary[];
}) {
  const [draft, setDraft] = useState(initial);
  const [problem, setProblem] = useState<string>();
  const [touched, setTouched] = useState<Record<Field, boolean>>({
    to: false,
    cc: false,
    bcc: false,
  });
  const first = useRef<HTMLInputElement>(null);
  const close = () => useUiStore.getState().openComposer(undefined);
  const update = (patch: Partial<ComposerDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const parsed = {
    to: parseAddressList(draft.to),
    cc: parseAddressList(draft.cc),
    bcc: parseAddressList(draft.bcc),
  };
  const account = accounts.find((a) => a.id === draft.accountId) ?? accounts[0];

  const send = async (event: FormEvent) => {
    event.preventDefault();
    setTouched({ to: true, cc: true, bcc: true });
    const invalid = [...parsed.to.invalid, ...parsed.cc.invalid, ...parsed.bcc.invalid];
    if (!account) return setProblem('Add an account to send from.');
    if (invalid.length) return setProblem(`Not an address: ${invalid.join(', ')}. Fix it to send.`);
    const recipients =
      parsed.to.addresses.length + parsed.cc.addresses.length + parsed.bcc.addresses.length;
    if (recipients === 0) return setProblem('Add at least one recipient.');
    const message = outgoing(draft, account, parsed);
    try {
      const delay = useUiStore.getState().undoSendSeconds * 1000;
      const taskId = await queueSend(db, account.id, draft.outboxId, message, delay);
      close();
      if (delay > 0) {
        // Undo within the delay: nothing went out; the message comes back as it was.
        offerUndo([taskId], `Sending “${message.subject || '(no subject)'}”`, {
          forMs: delay,
          whenCancelled: () =>
            useUiStore.getState().openComposer({ ...draft, messageId: message.messageId }),
        });
      }
    } catch (error) {
      setProblem(`It could not be queued: ${errorMessage(error)}`);
    }
  };

  const addressField = (field: Field, label: string) => {
    const invalid = touched[field] ? parsed[field].invalid : [];
    const hintId = `composer-${field}-hint`;
    return (
      <div className="composer-row">
        <label htmlFor={`composer-${field}`}>{label}</label>
        <input
          id={`composer-${field}`}
          ref={field === 'to' ? first : undefined}
          value={draft[field]}
          autoFocus={field === 'to' && !draft.to}
          onChange={(e) => update({ [field]: e.target.value })}
          onBlur={() => setTouched((t) => ({ ...t, [field]: true }))}
          aria-invalid={invalid.length ? true : undefined}
          aria-describedby={invalid.length ? hintId : undefined}
          placeholder={field === 'to' ? 'name@example.org, …' : ''}
        />
        {invalid.length > 0 && (
          <span id={hintId} className="field-hint">
            Not an address: {invalid.join(', ')}
          </span>
        )}
      </div>
    );
  };

  return (
    <section className="composer" role="dialog" aria-label={initial.subject || 'New message'}>
      <form onSubmit={(event) => void send(event)}>
        <header className="composer-header">
          <h2>{draft.inReplyTo ? 'Reply' : 'New message'}</h2>
          <button type="button" className="link" onClick={close}>
            Discard
          </button>
        </header>
        <div className="composer-row">
          <label htmlFor="composer-from">From</label>
          <select
            id="composer-from"
            value={account?.id}
            onChange={(e) => update({ accountId: e.target.value })}
          >
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} &lt;{a.email}&gt;
              </option>
            ))}
          </select>
        </div>
        {addressField('to', 'To')}
        {addressField('cc', 'Cc')}
        {addressField('bcc', 'Bcc')}
        <div className="composer-row">
          <label htmlFor="composer-subject">Subject</label>
          <input
            id="composer-subject"
            value={draft.subject}
            onChange={(e) => update({ subject: e.target.value })}
          />
        </div>
        <label htmlFor="composer-body" className="visually-hidden">
          Message
        </label>
        <textarea
          id="composer-body"
          className="composer-body"
          value={draft.body}
          onChange={(e) => update({ body: e.target.value })}
        />
        <Attachments
          list={draft.attachments ?? []}
          onChange={(attachments) => update({ attachments })}
          onProblem={setProblem}
        />
        {problem && (
          <p role="alert" className="composer-problem">
            {problem}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary">
            Send
          </button>
        </div>
      </form>
    </section>
  );
}

/** The message as main sends it; its Message-ID is made once and kept on every retry. */
function outgoing(
  draft: ComposerDraft,
  account: AccountSummary,
  parsed: Record<Field, ReturnType<typeof parseAddressList>>,
): OutgoingMessage {
  const domain = account.email.split('@')[1] ?? 'localhost.localdomain';
  return {
    messageId: draft.messageId ?? newMessageId(domain, () => crypto.randomUUID()),
    from: { address: account.email },
    to: parsed.to.addresses,
    cc: parsed.cc.addresses,
    bcc: parsed.bcc.addresses,
    // A line break in a header field could start another header: never one in the subject.
    subject: stripHeaderBreaks(draft.subject),
    text: draft.body,
    date: Date.now(),
    ...(draft.attachments?.length ? { attachments: draft.attachments } : {}),
    ...(draft.inReplyTo ? { inReplyTo: draft.inReplyTo } : {}),
    ...(draft.references?.length ? { references: draft.references } : {}),
  };
}

/** What the server is likely to take in one message (the common SIZE limit is 25 MB). */
const ATTACHMENTS_MAX = 25 * 1024 * 1024;

/**
 * Files picked (or dropped) are read here, in the page, into the draft: the message carries
 * their bytes, never a path another process would open.
 */
function Attachments(props: {
  list: OutgoingAttachment[];
  onChange(list: OutgoingAttachment[]): void;
  onProblem(problem: string | undefined): void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const total = props.list.reduce((sum, a) => sum + decodedSize(a), 0);
  const add = async (files: FileList | null) => {
    if (!files?.length) return;
    const added = await Promise.all([...files].map(readAttachment));
    const next = [...props.list, ...added];
    const size = next.reduce((sum, a) => sum + decodedSize(a), 0);
    props.onProblem(
      size > ATTACHMENTS_MAX
        ? `The attachments come to ${formatSize(size)}; most servers refuse messages over 25 MB.`
        : undefined,
    );
    props.onChange(next);
  };
  return (
    <div
      className="composer-attachments"
      onDragOver={(event) => {
        if (event.dataTransfer.types.includes('Files')) event.preventDefault();
      }}
      onDrop={(event) => {
        if (!event.dataTransfer.files.length) return;
        event.preventDefault();
        void add(event.dataTransfer.files);
      }}
    >
      <ul aria-label="Attachments">
        {props.list.map((a, i) => (
          <li key={`${a.filename}-${i}`}>
            <span>{a.filename}</span> <span className="muted">{formatSize(decodedSize(a))}</span>
            <button
              type="button"
              className="link"
              aria-label={`Remove ${a.filename}`}
              onClick={() => props.onChange(props.list.filter((_, j) => j !== i))}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-label="Attach files"
        onChange={(event) => {
          void add(event.target.files);
          event.target.value = '';
        }}
      />
      <button type="button" className="link" onClick={() => input.current?.click()}>
        Attach files…
      </button>
      {props.list.length > 0 && <span className="muted"> {formatSize(total)} in all</span>}
    </div>
  );
}

async function readAttachment(file: File): Promise<OutgoingAttachment> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return {
    filename: cleanAttachmentName(file.name),
    contentType: file.type || 'application/octet-stream',
    dataBase64: btoa(binary),
  };
}

function decodedSize(a: OutgoingAttachment): number {
  return Math.floor((a.dataBase64.length * 3) / 4);
}
