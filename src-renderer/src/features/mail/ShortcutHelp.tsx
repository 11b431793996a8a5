/** The `?` dialog: every keyboard shortcut of the mail view. */
import { useEffect, useRef } from 'react';
import { useUiStore } from '../../state/store.ts';

const SHORTCUTS: [string, string][] = [
  ['↓ or j', 'Next message'],
  ['↑ or k', 'Previous message'],
  ['Shift+↓ / Shift+↑', 'Extend the selection'],
  ['Enter', 'Move into the message'],
  ['Esc', 'Clear the selection'],
  ['u', 'Mark read or unread'],
  ['s', 'Flag or unflag'],
  ['?', 'Show or hide this help'],
];

export function ShortcutHelp() {
  const open = useUiStore((s) => s.helpOpen);
  const setOpen = useUiStore((s) => s.setHelpOpen);
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) close.current?.focus();
  }, [open]);
  if (!open) return null;
  return (
    <div className="dialog-backdrop" onClick={() => setOpen(false)}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcut-title"
        className="dialog"
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => {
          if (event.key === 'Escape' || event.key === '?') setOpen(false);
        }}
      >
        <h2 id="shortcut-title">Keyboard shortcuts</h2>
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map(([keys, action]) => (
              <tr key={keys}>
                <th scope="row">
                  <kbd>{keys}</kbd>
                </th>
                <td>{action}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="actions">
          <button ref={close} type="button" className="primary" onClick={() => setOpen(false)}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
