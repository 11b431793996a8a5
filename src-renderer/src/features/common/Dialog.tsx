/**
 * A modal dialog: a backdrop that closes it when clicked, Escape to close, focus on the element
 * given (or the dialog) when it opens.
 */
import { useEffect, useId, useRef, type ReactNode, type RefObject } from 'react';

export function Dialog(props: {
  title: string;
  className?: string;
  onClose(): void;
  /** Focused when the dialog opens, e.g. its main button. */
  initialFocus?: RefObject<HTMLElement | null>;
  children: ReactNode;
}) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  const { initialFocus } = props;
  useEffect(() => {
    (initialFocus?.current ?? box.current)?.focus();
  }, [initialFocus]);
  return (
    <div className="dialog-backdrop" onClick={props.onClose}>
      <div
        ref={box}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        className={`dialog${props.className ? ` ${props.className}` : ''}`}
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => {
          if (event.key === 'Escape') props.onClose();
        }}
      >
        <h2 id={titleId}>{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}
