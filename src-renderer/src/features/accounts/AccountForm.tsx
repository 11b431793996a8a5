/**
 * Adding or editing an account. "Add account" tests the connection first and adds only what
 * works; every problem is shown in words, and an untrusted certificate can be trusted (pinned)
 * after its fingerprint has been shown.
 */
import { cloneElement, useId, useState, type FormEvent } from 'react';
import type {
  AccountInput,
  AccountSummary,
  ConnectionProblem,
  Security,
  ServerSettings,
} from '#shared/accounts';
import { errorMessage } from '#shared/result';
import { petrel } from '../../bridge/index.ts';
import { UNIFIED } from '../../cache/list-queries.ts';
import { useUiStore } from '../../state/store.ts';
import { IdentitiesFields } from './IdentitiesFields.tsx';

type ServerKey = 'imap' | 'smtp';

const DEFAULT_PORTS: Record<ServerKey, Record<Security, number>> = {
  imap: { tls: 993, starttls: 143, plain: 143 },
  smtp: { tls: 465, starttls: 587, plain: 25 },
};

interface Props {
  account?: AccountSummary;
  secretStorageWarning?: string;
  onDone(): void;
  onCancel?: () => void;
}

export function AccountForm({ account, secretStorageWarning, onDone, onCancel }: Props) {
  const [form, setForm] = useState<AccountInput>(() => account ?? emptyInput());
  const [hostsTouched, setHostsTouched] = useState(Boolean(account));
  const [busy, setBusy] = useState<'testing' | 'saving' | undefined>();
  const [problems, setProblems] = useState<ConnectionProblem[]>([]);
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();

  const update = (patch: Partial<AccountInput>) => setForm((f) => ({ ...f, ...patch }));
  const updateServer = (key: ServerKey, patch: Partial<ServerSettings>) =>
    setForm((f) => ({ ...f, [key]: { ...f[key], ...patch } }));

  const onEmail = (email: string) => {
    const domain = email.split('@')[1] ?? '';
    setForm((f) => ({
      ...f,
      email,
      username: f.username === f.email ? email : f.username,
      ...(hostsTouched || !domain
        ? {}
        : {
            imap: { ...f.imap, host: `imap.${domain}` },
            smtp: { ...f.smtp, host: `smtp.${domain}` },
          }),
    }));
  };

  const run = async (save: boolean) => {
    setBusy(save ? 'saving' : 'testing');
    setError(undefined);
    setNotice(undefined);
    try {
      // Names, signatures and aliases alone save without asking the servers.
      if (save && account && sameConnection(account, form)) {
        await petrel().updateAccount(account.id, inputToSend(form));
        return onDone();
      }
      const result = await petrel().testConnection(inputToSend(form), account?.id);
      setProblems(result.ok ? [] : result.problems);
      if (!result.ok) return;
      if (!save) return setNotice('Both servers answered and accepted the password.');
      if (account) await petrel().updateAccount(account.id, inputToSend(form));
      else await petrel().addAccount(inputToSend(form));
      onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(undefined);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(true);
  };

  const trust = (problem: ConnectionProblem) => {
    if (!problem.certificate) return;
    const { sha256, pem } = problem.certificate;
    updateServer(problem.server, { trustedCertificate: { sha256, pem } });
    setProblems((list) => list.filter((p) => p !== problem));
  };

  return (
    <form className="account-form" onSubmit={submit} aria-labelledby="account-form-title">
      <h2 id="account-form-title">{account ? `Edit ${account.name}` : 'Add an account'}</h2>
      {secretStorageWarning && <p className="warning">{secretStorageWarning}</p>}
      <div className="field-grid">
        <Field label="Account name">
          <input
            required
            value={form.name}
            onChange={(e) => update({ name: e.target.value })}
            placeholder="Work"
          />
        </Field>
        <Field label="Email address">
          <input
            required
            type="email"
            value={form.email}
            onChange={(e) => onEmail(e.target.value)}
            autoComplete="email"
          />
        </Field>
        <Field label="User name">
          <input
            required
            value={form.username}
            onChange={(e) => update({ username: e.target.value })}
            autoComplete="username"
          />
        </Field>
        <Field
          label="Password"
          hint={fieldHint(problems, 'imap', 'password') ?? fieldHint(problems, 'smtp', 'password')}
        >
          <input
            type="password"
            required={!account}
            value={form.password ?? ''}
            placeholder={account ? 'Unchanged' : ''}
            onChange={(e) => update({ password: e.target.value })}
            autoComplete="current-password"
          />
        </Field>
      </div>
      {account && (
        <IdentitiesFields
          email={form.email}
          identities={form.identities}
          onChange={(identities) => update({ identities })}
        />
      )}
      {(['imap', 'smtp'] as const).map((key) => (
        <ServerFields
          key={key}
          which={key}
          server={form[key]}
          problems={problems}
          onChange={(patch) => {
            setHostsTouched(true);
            updateServer(key, patch);
          }}
        />
      ))}
      {problems.length > 0 && (
        <ul className="problems" role="alert" aria-label="Connection problems">
          {problems.map((problem, i) => (
            <li key={i}>
              <strong>{problem.server === 'imap' ? 'Incoming (IMAP)' : 'Outgoing (SMTP)'}:</strong>{' '}
              {problem.message}
              {problem.certificate && (
                <div className="certificate">
                  <div>
                    Issued to {problem.certificate.subject} by {problem.certificate.issuer}, valid
                    until {problem.certificate.validTo}
                  </div>
                  <div>
                    SHA-256 fingerprint: <code>{problem.certificate.sha256}</code>
                  </div>
                  <button type="button" onClick={() => trust(problem)}>
                    Trust this certificate
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {notice && <p role="status">{notice}</p>}
      {error && <p role="alert">{error}</p>}
      {account && <RemoveAccount account={account} onRemoved={onDone} />}
      <div className="actions">
        {onCancel && (
          <button type="button" onClick={onCancel} disabled={Boolean(busy)}>
            Cancel
          </button>
        )}
        <button type="button" onClick={() => void run(false)} disabled={Boolean(busy)}>
          {busy === 'testing' ? 'Testing…' : 'Test connection'}
        </button>
        <button type="submit" className="primary" disabled={Boolean(busy)}>
          {busy === 'saving' ? 'Checking…' : account ? 'Save' : 'Add account'}
        </button>
      </div>
    </form>
  );
}

/** Removing asks once more, in place: it drops the account's offline mail too. */
function RemoveAccount({ account, onRemoved }: { account: AccountSummary; onRemoved(): void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();
  const remove = async () => {
    try {
      await petrel().removeAccount(account.id);
      const ui = useUiStore.getState();
      if (ui.source.kind === 'folder' && ui.source.folderId.startsWith(`${account.id}:`)) {
        ui.selectSource(UNIFIED);
      }
      onRemoved();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  if (!confirming) {
    return (
      <div className="remove-account">
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Remove account
        </button>
      </div>
    );
  }
  return (
    <div className="remove-account" role="group" aria-label="Remove account">
      <p>
        Remove {account.name} from Petrel? Its mail stays on the server; the copy saved on this
        computer is deleted.
      </p>
      <button type="button" className="danger" onClick={() => void remove()}>
        Remove {account.name}
      </button>
      <button type="button" onClick={() => setConfirming(false)}>
        Keep it
      </button>
      {error && <p role="alert">{error}</p>}
    </div>
  );
}

function ServerFields(props: {
  which: ServerKey;
  server: ServerSettings;
  problems: ConnectionProblem[];
  onChange(p: Partial<ServerSettings>): void;
}) {
  const { which, server, onChange, problems } = props;
  const title = which === 'imap' ? 'Incoming mail (IMAP)' : 'Outgoing mail (SMTP)';
  return (
    <fieldset>
      <legend>{title}</legend>
      <div className="field-grid server">
        <Field label={`${which.toUpperCase()} server`} hint={fieldHint(problems, which, 'host')}>
          <input
            required
            value={server.host}
            onChange={(e) => onChange({ host: e.target.value, trustedCertificate: undefined })}
          />
        </Field>
        <Field label={`${which.toUpperCase()} port`} hint={fieldHint(problems, which, 'port')}>
          <input
            required
            type="number"
            min={1}
            max={65535}
            value={server.port}
            onChange={(e) =>
              onChange({ port: Number(e.target.value), trustedCertificate: undefined })
            }
          />
        </Field>
        <Field label={`${which.toUpperCase()} security`}>
          <select
            value={server.security}
            onChange={(e) => {
              const security = e.target.value as Security;
              onChange({ security, port: DEFAULT_PORTS[which][security] });
            }}
          >
            <option value="tls">TLS</option>
            <option value="starttls">STARTTLS</option>
            <option value="plain">None (this computer only)</option>
          </select>
        </Field>
      </div>
      {server.trustedCertificate && (
        <p className="muted">
          Trusting the certificate {server.trustedCertificate.sha256.slice(0, 23)}…
        </p>
      )}
    </fieldset>
  );
}

/**
 * A labelled control. With a hint (a problem found by the connection test), the control is marked
 * invalid and described by the hint, shown right under it.
 */
function Field(props: { label: string; hint?: string | undefined; children: React.ReactElement }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const control = cloneElement(props.children as React.ReactElement<Record<string, unknown>>, {
    id,
    ...(props.hint ? { 'aria-invalid': true, 'aria-describedby': hintId } : {}),
  });
  // The hint sits outside the label: it describes the control, it is not part of its name.
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {control}
      {props.hint && (
        <span id={hintId} className="field-hint">
          {props.hint}
        </span>
      )}
    </div>
  );
}

type FieldName = 'password' | 'host' | 'port';

/** Which field a problem concerns, and what to say there (the full story is in the list below). */
const FIELD_HINTS: Partial<Record<ConnectionProblem['kind'], [FieldName, string]>> = {
  'auth-failed': ['password', 'The server refused this user name or password.'],
  'host-not-found': ['host', 'No server by this name was found.'],
  'connection-refused': ['port', 'Nothing answers on this port.'],
  timeout: ['port', 'No answer on this port: check the port and the security.'],
  'tls-failed': ['port', 'This port and security do not match.'],
  'starttls-unavailable': ['port', 'This server offers no STARTTLS here: try TLS.'],
  'plaintext-refused': ['port', 'Without encryption only this computer is allowed.'],
  'certificate-untrusted': ['host', 'Its certificate is not trusted yet (see below).'],
};

function fieldHint(
  problems: ConnectionProblem[],
  server: ServerKey,
  field: FieldName,
): string | undefined {
  for (const problem of problems) {
    const hint = FIELD_HINTS[problem.kind];
    if (problem.server === server && hint?.[0] === field) return hint[1];
  }
  return undefined;
}

function emptyInput(): AccountInput {
  return {
    name: '',
    email: '',
    username: '',
    password: '',
    imap: { host: '', port: 993, security: 'tls' },
    smtp: { host: '', port: 465, security: 'tls' },
  };
}

/** Whether an edit leaves everything the servers see as it was (no new password either). */
function sameConnection(account: AccountSummary, form: AccountInput): boolean {
  const { imap, smtp, username, email, password } = form;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return (
    !password &&
    same(
      [imap, smtp, username, email],
      [account.imap, account.smtp, account.username, account.email],
    )
  );
}

/** Empty password on edit means "keep the stored one". */
function inputToSend(form: AccountInput): AccountInput {
  const { password, ...rest } = form;
  const clean = { ...rest, imap: stripUndefined(rest.imap), smtp: stripUndefined(rest.smtp) };
  return password ? { ...clean, password } : clean;
}

function stripUndefined(server: ServerSettings): ServerSettings {
  const { trustedCertificate, ...rest } = server;
  return trustedCertificate ? { ...rest, trustedCertificate } : rest;
}
