import { useUiStore } from '../../state/store.ts';
import { undoLast } from './actions.ts';

/** "3 messages archived — Undo", for a few seconds after a move. */
export function UndoBar() {
  const undo = useUiStore((s) => s.undo);
  if (!undo) return null;
  return (
    <div className="undo-bar" role="status" aria-label="Undo">
      <span>{undo.label}</span>
      <button type="button" onClick={() => void undoLast()}>
        Undo
      </button>
    </div>
  );
}
