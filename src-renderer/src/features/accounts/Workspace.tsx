/**
 * The window once attached: the empty state until an account exists, then the accounts.
 */
import { useEffect, useState } from 'react';
import type { AccountSummary } from '#shared/dto';
import { petrel } from '../../bridge/index.ts';
import { EmptyState } from './EmptyState.tsx';

type Load =
  | { status: 'loading' }
  | { status: 'ready'; accounts: AccountSummary[] }
  | { status: 'failed'; message: string };

export function Workspace() {
  const [load, setLoad] = useState<Load>({ status: 'loading' });

  useEffect(() => {
    let live = true;
    const unsubscribe = petrel().on('accountsChanged', (accounts) => {
      setLoad({ status: 'ready', accounts });
    });
    petrel()
      .listAccounts()
      .then(
        (accounts) => live && setLoad({ status: 'ready', accounts }),
        (error: unknown) => live && setLoad({ status: 'failed', message: String(error) }),
      );
    return () => {
      live = false;
      unsubscribe();
    };
  }, []);

  if (load.status === 'loading') return <main className="centered" aria-busy="true" />;
  if (load.status === 'failed') {
    return (
      <main className="centered">
        <p role="alert">Petrel could not load your accounts: {load.message}</p>
      </main>
    );
  }
  if (load.accounts.length === 0) return <EmptyState />;
  return (
    <main className="workspace">
      <nav aria-label="Accounts">
        <ul>
          {load.accounts.map((account) => (
            <li key={account.id}>
              <strong>{account.name}</strong> <span className="muted">{account.email}</span>
            </li>
          ))}
        </ul>
      </nav>
    </main>
  );
}
