/**
 * The composer, as a panel over the reader (a window of its own in the desktop app: windows.ts):
 * From (any identity), To, Cc and Bcc as chips, Subject, and the message, rich or plain
 * (BodyEditor). Invalid addresses are named next to their field, and sending says why it cannot
 * go yet; a message larger than the server's SIZE asks first. Send queues the message in the outbox; main sends it once, keeping its
 * Message-ID on every retry, and saves the Sent copy. What is written is kept as a draft as it is
 * typed (`useDraftAutosave`): Close keeps it, Discard deletes it here and on the server.
 */
import { useEffect, useRef, useState } from 'react';
import type { AccountSummary } from '#shared/accounts';
import { addressKey, parseAddressList } from '#shared/addresses';
import type { SmtpSizeLimit } from '#shared/dto';
import { errorMessage } from '#shared/result';
import { petrel } from '../../bridge/index.ts';
import { discardDraft, saveLocalDraft } from '../../cache/local-drafts.ts';
import { queueSend } from '../../cache/outbox.ts';
import { db } from '../../state/cache.ts';
import { useUiStore, type ComposerDraft } from '../../state/store.ts';
import { offerUndo } from '../mail/actions.ts';
import { formatSize } from '../mail/format.ts';
import { AddressField } from './AddressField.tsx';
import { FromField, identityChoices } from './FromField.tsx';
import { Attachments } from './Attachments.tsx';
import { BodyEditor } from './BodyEditor.tsx';
import { estimatedSize, outgoing, type AddressFieldName } from './outgoing.ts';
import { useDraftAutosave, useResumeDrafts } from './useDraftAutosave.ts';

type Field = AddressFieldName;

/** What most servers take when this one does not say (its EHLO has no SIZE, or it was not asked). */
const COMMON_SIZE_LIMIT = 25 * 1024 * 1024;

export function Composer({
  accounts,
  standalone = false,
}: {
  accounts: AccountSummary[];
  /** This is a composer window (desktop app), not the main window. */
  standalone?: boolean;
}) {
  const draft = useUiStore((s) => s.composer);
  const hostMode = useUiStore((s) => s.hostMode);
  // The main window brings back the draft open at a crash; a composer window only shows its own.
  useResumeDrafts(standalone ? [] : accounts);
  if (!draft) return null;
  // The desktop app's main window hands every composer to a window of its own (windows.ts).
  if (hostMode === 'electron' && !standalone) return null;
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
  const autosave = useDraftAutosave(draft, accounts, update);
  const discard = () => {
    autosave.finish();
    void discardDraft(db, draft).catch((error: unknown) =>
      useUiStore.getState().setNotice(`The draft could not be discarded: ${errorMessage(error)}`),
    );
    close();
  };
  const sizeLimit = useSmtpSizeLimit(account?.id);
  const [sizeWarning, setSizeWarning] = useState<string>();
  // The user's own addresses are never suggested as recipients.
  const own = identityChoices(accounts).map((choice) => addressKey(choice.identity.address));

  const send = async (anySize = false) => {
    setSizeWarning(undefined);
    setTouched({ to: true, cc: true, bcc: true });
    const invalid = [...parsed.to.invalid, ...parsed.cc.invalid, ...parsed.bcc.invalid];
    if (!account) return setProblem('Add an account to send from.');
    if (invalid.length) return setProblem(`Not an address: ${invalid.join(', ')}. Fix it to send.`);
    const recipients =
      parsed.to.addresses.length + parsed.cc.addresses.length + parsed.bcc.addresses.length;
    if (recipients === 0) return setProblem('Add at least one recipient.');
    const message = outgoing(draft, account, parsed);
    const size = estimatedSize(message);
    const max = sizeLimit?.maxBytes ?? COMMON_SIZE_LIMIT;
    if (!anySize && size > max) {
      const server = sizeLimit?.maxBytes ? sizeLimit.server : 'most servers';
      const accepts = sizeLimit?.maxBytes ? 'accepts' : 'accept';
      return setSizeWarning(
        `This message is about ${formatSize(size)}; ${server} ${accepts} at most ${formatSize(max)}.`,
      );
    }
    autosave.finish();
    try {
      const delay = useUiStore.getState().undoSendSeconds * 1000;
      const taskId = await queueSend(db, account.id, draft.outboxId, message, delay);
      close();
      if (delay > 0) {
        // Undo within the delay: nothing went out; the message comes back as it was.
        offerUndo([taskId], `Sending “${message.subject || '(no subject)'}”`, {
          forMs: delay,
          whenCancelled: () => {
            const back = { ...draft, messageId: message.messageId };
            // A draft again: saved here (sending removed it), then back in the composer.
            void saveLocalDraft(db, back, { open: true })
              .catch(() => {})
              .then(() => useUiStore.getState().openComposer(back));
          },
        });
      }
    } catch (error) {
      autosave.resume();
      setProblem(`It could not be queued: ${errorMessage(error)}`);
    }
  };

  const addressField = (field: Field, label: string) => (
    <AddressField
      field={field}
      label={label}
      ref={field === 'to' ? first : undefined}
      value={draft[field]}
      autoFocus={field === 'to' && !draft.to}
      onChange={(value) => update({ [field]: value })}
      onBlur={() => setTouched((t) => ({ ...t, [field]: true }))}
      invalid={touched[field] ? parsed[field].invalid : []}
      exclude={own}
    />
  );

  return (
    <section className="composer" role="dialog" aria-label={initial.subject || 'New message'}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void send();
        }}
      >
        <header className="composer-header">
          <h2>{draft.inReplyTo ? 'Reply' : 'New message'}</h2>
          <span>
            <button type="button" className="link" onClick={close} title="Close (kept in Drafts)">
              Close
            </button>
            <button type="button" className="link" onClick={discard}>
              Discard
            </button>
          </span>
        </header>
        <FromField accounts={accounts} draft={draft} onChange={update} />
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
        <BodyEditor draft={draft} onChange={update} />
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
        {sizeWarning && (
          <div className="composer-size-warning" role="alertdialog" aria-label="Message size">
            <p>{sizeWarning}</p>
            <button type="button" onClick={() => void send(true)}>
              Send anyway
            </button>
            <button type="button" onClick={() => setSizeWarning(undefined)}>
              Cancel
            </button>
          </div>
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

/** The account's SMTP SIZE limit, asked of main once per account the composer sends from. */
function useSmtpSizeLimit(accountId: string | undefined): SmtpSizeLimit | undefined {
  const [limit, setLimit] = useState<{ accountId: string; limit: SmtpSizeLimit }>();
  useEffect(() => {
    if (!accountId) return;
    let current = true;
    petrel()
      .smtpSizeLimit(accountId)
      .then((found) => current && setLimit({ accountId, limit: found }))
      // Unknown: the common limit applies.
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [accountId]);
  return limit && limit.accountId === accountId ? limit.limit : undefined;
}
