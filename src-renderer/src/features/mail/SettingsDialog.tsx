/**
 * Settings of this profile: reading, sending (undo, the mailto: handler), notifications, and the
 * accounts (each opens its form).
 */
import { useEffect, useRef, useState } from 'react';
import type { AccountSummary } from '#shared/accounts';
import type { MailtoHandlerState } from '#shared/dto';
import { errorMessage } from '#shared/result';
import { petrel } from '../../bridge/index.ts';
import { useUiStore } from '../../state/store.ts';
import { Dialog } from '../common/Dialog.tsx';

export function SettingsDialog({ accounts }: { accounts: AccountSummary[] }) {
  const open = useUiStore((s) => s.settingsOpen);
  const setOpen = useUiStore((s) => s.setSettingsOpen);
  const markRead = useUiStore((s) => s.markReadOnOpen);
  const setMarkRead = useUiStore((s) => s.setMarkReadOnOpen);
  const threaded = useUiStore((s) => s.threaded);
  const setThreaded = useUiStore((s) => s.setThreaded);
  const editAccount = useUiStore((s) => s.editAccount);
  const undoSend = useUiStore((s) => s.undoSendSeconds);
  const setUndoSend = useUiStore((s) => s.setUndoSendSeconds);
  const close = useRef<HTMLButtonElement>(null);
  if (!open) return null;
  return (
    <Dialog
      title="Settings"
      className="settings"
      onClose={() => setOpen(false)}
      initialFocus={close}
    >
      <fieldset>
        <legend>Reading</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={markRead}
            onChange={(event) => setMarkRead(event.target.checked)}
          />
          Mark messages as read when opened
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={threaded}
            onChange={(event) => setThreaded(event.target.checked)}
          />
          Group messages into conversations
        </label>
      </fieldset>
      <fieldset>
        <legend>Sending</legend>
        <label className="check">
          Hold sent messages for
          <input
            type="number"
            min={0}
            max={30}
            value={undoSend}
            onChange={(event) =>
              setUndoSend(Math.max(0, Math.min(30, Number(event.target.value) || 0)))
            }
            aria-label="Seconds to hold a sent message for undo"
            className="seconds"
          />
          seconds, to undo
        </label>
        <MailtoSetting />
      </fieldset>
      <fieldset>
        <legend>Notifications</legend>
        <NotificationSetting />
      </fieldset>
      <fieldset>
        <legend>Accounts</legend>
        <ul className="settings-accounts">
          {accounts.map((account) => (
            <li key={account.id}>
              <span>
                {account.name} <span className="muted">{account.email}</span>
              </span>
              <button
                type="button"
                onClick={() => {
                  setOpen(false);
                  editAccount(account.id);
                }}
              >
                Edit {account.name}
              </button>
            </li>
          ))}
        </ul>
        <button
          type="button"
          onClick={() => {
            setOpen(false);
            editAccount('new');
          }}
        >
          Add account
        </button>
      </fieldset>
      <div className="actions">
        <button ref={close} type="button" className="primary" onClick={() => setOpen(false)}>
          Done
        </button>
      </div>
    </Dialog>
  );
}

function NotificationSetting() {
  const [permission, setPermission] = useState(() =>
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );
  if (permission === 'granted') return <p>New mail raises a notification.</p>;
  if (permission === 'denied' || permission === 'unsupported') {
    return (
      <p className="muted">
        Notifications are blocked for Petrel; allow them in your system or browser settings.
      </p>
    );
  }
  return (
    <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
      Turn on new-mail notifications
    </button>
  );
}

/**
 * Petrel as the system's mail program: mailto: links in other apps open its composer. Only the
 * desktop app can be that; browser mode says so.
 */
function MailtoSetting() {
  const [state, setState] = useState<MailtoHandlerState>();
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    let live = true;
    petrel()
      .mailtoHandler()
      .then((s) => live && setState(s))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  if (!state) return null;
  if (!state.supported) {
    return (
      <p className="muted">
        mailto: links in messages open Petrel&apos;s composer. Links in other apps can open it too
        in the desktop app.
      </p>
    );
  }
  return (
    <>
      <label className="check">
        <input
          type="checkbox"
          checked={state.isDefault}
          onChange={(event) =>
            void petrel()
              .setMailtoHandler(event.target.checked)
              .then((next) => {
                setState(next);
                setProblem(
                  next.isDefault === event.target.checked
                    ? undefined
                    : 'The system did not accept the change; set the mail app in its settings.',
                );
              })
              .catch((error: unknown) => setProblem(errorMessage(error)))
          }
        />
        Open mailto: links from other apps with Petrel
      </label>
      {problem && <p className="field-hint">{problem}</p>}
    </>
  );
}
