/** The `?` dialog: every keyboard shortcut of the mail view. */
import { useRef } from 'react';
import { Dialog } from '../common/Dialog.tsx';
import { useUiStore } from '../../state/store.ts';

const SHORTCUTS: [string, string][] = [
  ['↓ or j', 'Next message'],
  ['↑ or k', 'Previous message'],
  ['Shift+↓ / Shift+↑', 'Extend the selection'],
  ['Enter', 'Move into the message'],
  ['Esc', 'Clear the selection (then end a search)'],
  ['/ or Ctrl+F / ⌘F or Ctrl+K / ⌘K', 'Search mail'],
  ['u', 'Mark read or unread'],
  ['s', 'Flag or unflag'],
  ['c', 'Write a message'],
  ['r / a / f', 'Reply, reply all, forward'],
  ['Shift+F', 'Forward as attachment'],
  ['e', 'Archive'],
  ['Delete or #', 'Move to Trash (in Trash: delete for good)'],
  ['!', 'Mark as junk'],
  ['v', 'Move to a folder'],
  ['Ctrl+Z / ⌘Z', 'Undo the last move'],
  ['?', 'Show or hide this help'],
];

export function ShortcutHelp() {
  const open = useUiStore((s) => s.helpOpen);
  const setOpen = useUiStore((s) => s.setHelpOpen);
  const close = useRef<HTMLButtonElement>(null);
  if (!open) return null;
  return (
    <Dialog title="Keyboard shortcuts" onClose={() => setOpen(false)} initialFocus={close}>
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
    </Dialog>
  );
}
