/**
 * The window once attached: the empty state (with the account form) until an account exists, then
 * the mailbox. Starts the cache writer and follows account changes and statuses pushed by main.
 */
import { useEffect, useState } from 'react';
import type { AccountSummary } from '#shared/accounts';
import type { AppInfo } from '#shared/dto';
import { petrel } from '../../bridge/index.ts';
import { useCacheWriter } from '../../state/cache.ts';
import { useUiStore } from '../../state/store.ts';
import { MailView } from '../mail/MailView.tsx';
import { AccountForm } from './AccountForm.tsx';
import { EmptyState } from './EmptyState.tsx';

type Load =
  | { status: 'loading' }
  | { status: 'ready'; accounts: AccountSummary[]; info: AppInfo }
  | { status: 'failed'; message: string };

export function Workspace() {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const editing = useUiStore((s) => s.editingAccount);
  const editAccount = useUiStore((s) => s.editAccount);
  useCacheWriter();

  useEffect(() => {
    let live = true;
    const offAccounts = petrel().on('accountsChanged', (accounts) =>
      setLoad((l) => (l.status === 'ready' ? { ...l, accounts } : l)),
    );
    const offStatus = petrel().on('accountStatus', (s) =>
      useUiStore.getState().setAccountStatus(s),
    );
    Promise.all([petrel().listAccounts(), petrel().getAppInfo()]).then(
      ([accounts, info]) => {
        if (!live) return;
        useUiStore.getState().setHostMode(info.mode);
        setLoad({ status: 'ready', accounts, info });
      },
      (error: unknown) => live && setLoad({ status: 'failed', message: String(error) }),
    );
    return () => {
      live = false;
      offAccounts();
      offStatus();
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
  const warning = secretWarning(load.info);
  if (load.accounts.length === 0) return <EmptyState secretStorageWarning={warning} />;
  const editingAccount = load.accounts.find((a) => a.id === editing);
  return (
    <>
      <MailView accounts={load.accounts} />
      {editing && (
        <div className="dialog-backdrop">
          <div
            role="dialog"
            aria-modal="true"
            aria-labelledby="account-form-title"
            className="dialog"
          >
            <AccountForm
              {...(editingAccount ? { account: editingAccount } : {})}
              {...(warning ? { secretStorageWarning: warning } : {})}
              onDone={() => editAccount(undefined)}
              onCancel={() => editAccount(undefined)}
            />
          </div>
        </div>
      )}
    </>
  );
}

function secretWarning(info: AppInfo): string | undefined {
  if (info.secretStorage === 'profile-file') {
    return 'In browser mode, passwords are kept unencrypted in a file of your Petrel profile (readable only by you).';
  }
  if (info.secretStorage === 'basic-text') {
    return 'No system keyring was found: passwords are stored with a fixed key, not protected by your login.';
  }
  return undefined;
}
