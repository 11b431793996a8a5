/** The outbox: messages waiting to be sent (and why, when they wait), and refused ones to fix. */
import { useLiveQuery } from 'dexie-react-hooks';
import { formatAddressList } from '#shared/addresses';
import { outboxEntries, type OutboxEntry } from '../../cache/outbox.ts';
import { db } from '../../state/cache.ts';
import { useUiStore } from '../../state/store.ts';
import { Dialog } from '../common/Dialog.tsx';
import { draftFromOutbox } from './drafts.ts';

export function OutboxDialog({ accountIds }: { accountIds: string[] }) {
  const open = useUiStore((s) => s.outboxOpen);
  return open ? <OutboxList accountIds={accountIds} /> : null;
}

/** Mounted only while the dialog is open: the outbox is read only then. */
function OutboxList({ accountIds }: { accountIds: string[] }) {
  // Undefined until read: "nothing is waiting" is said only once it is known.
  const entries = useLiveQuery(() => outboxEntries(db, accountIds), [accountIds.join()]);
  const close = () => useUiStore.getState().setOutboxOpen(false);
  return (
    <Dialog title="Outbox" onClose={close}>
      {entries === undefined ? null : entries.length === 0 ? (
        <p className="muted">Nothing is waiting to be sent.</p>
      ) : (
        <ul className="outbox-list" aria-label="Outbox messages">
          {entries.map((entry) => (
            <OutboxItem key={entry.id} entry={entry} onEdit={close} />
          ))}
        </ul>
      )}
      <div className="actions">
        <button type="button" className="primary" onClick={close}>
          Close
        </button>
      </div>
    </Dialog>
  );
}

function OutboxItem({ entry, onEdit }: { entry: OutboxEntry; onEdit(): void }) {
  const subject = entry.message.subject || '(no subject)';
  return (
    <li aria-label={subject}>
      <strong>{subject}</strong>
      <span className="muted">
        {' '}
        to {formatAddressList([...entry.message.to, ...entry.message.cc])}
      </span>
      <p className={entry.state === 'refused' ? 'field-hint' : 'muted'}>
        {entry.state === 'refused'
          ? `Not sent: ${entry.reason}`
          : entry.reason
            ? `Waiting: ${entry.reason}`
            : 'Sending…'}
      </p>
      {entry.state === 'refused' && (
        <div className="outbox-actions">
          <button
            type="button"
            onClick={() => {
              onEdit();
              useUiStore.getState().openComposer(draftFromOutbox(entry));
            }}
          >
            Edit
          </button>
          <button type="button" onClick={() => void db.outbox.delete(entry.id)}>
            Delete
          </button>
        </div>
      )}
    </li>
  );
}
