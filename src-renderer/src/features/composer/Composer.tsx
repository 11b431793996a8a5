/**
 * The composer, as a panel over the reader: From, To, Cc, Bcc, Subject and a plain-text message.
 * Addresses are checked as typed (invalid ones are named next to their field, and sending says
 * why it cannot go yet). Send queues the message in the outbox; main sends it once, keeping its
 * Message-ID on every retry, and saves the Sent copy.
 */
import { useRef, useState, type FormEvent } from 'react';
import type { AccountSummary } from '#shared/accounts';
import { addressKey, parseAddressList } from '#shared/addresses';
import { errorMessage } from '#shared/result';
import { queueSend } from '../../cache/outbox.ts';
import { db } from '../../state/cache.ts';
import { useUiStore, type ComposerDraft } from '../../state/store.ts';
import { offerUndo } from '../mail/actions.ts';
import { AddressField } from './AddressField.tsx';
import { FromField, identityChoices } from './FromField.tsx';
import { Attachments } from './Attachments.tsx';
import { BodyEditor } from './BodyEditor.tsx';
import { outgoing, type AddressFieldName } from './outgoing.ts';

type Field = AddressFieldName;

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
  // The user's own addresses are never suggested as recipients.
  const own = identityChoices(accounts).map((choice) => addressKey(choice.identity.address));

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
      <form onSubmit={(event) => void send(event)}>
        <header className="composer-header">
          <h2>{draft.inReplyTo ? 'Reply' : 'New message'}</h2>
          <button type="button" className="link" onClick={close}>
            Discard
          </button>
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
        <div className="actions">
          <button type="submit" className="primary">
            Send
          </button>
        </div>
      </form>
    </section>
  );
}
