import { useState } from 'react';
import { AccountForm } from './AccountForm.tsx';

export function EmptyState({
  secretStorageWarning,
}: {
  secretStorageWarning?: string | undefined;
}) {
  const [adding, setAdding] = useState(false);
  if (adding) {
    return (
      <main className="centered scroll">
        <section className="card wide">
          <AccountForm
            {...(secretStorageWarning ? { secretStorageWarning } : {})}
            onDone={() => setAdding(false)}
            onCancel={() => setAdding(false)}
          />
        </section>
      </main>
    );
  }
  return (
    <main className="centered" aria-labelledby="empty-title">
      <section className="card welcome">
        <img src="/icon.svg" alt="" width={72} height={72} />
        <h1 id="empty-title">Add your first account</h1>
        <p>
          Petrel keeps a copy of your mail on this computer, so it opens instantly and reads
          everything offline. Connect an IMAP account to begin.
        </p>
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          Add account
        </button>
      </section>
    </main>
  );
}
