/**
 * A text/plain body: React text nodes only (nothing is parsed as HTML), web and mail addresses made
 * clickable through the same door as HTML mail, and quoted replies folded away.
 */
import { useMemo, type MouseEvent } from 'react';
import { linkParts, splitQuotes } from './plain-text.ts';
import './reader.css';

export interface PlainTextBodyProps {
  text: string;
  /** Called with an http(s) or mailto URL; the host opens it outside the app. */
  onOpenLink(url: string): void;
}

export function PlainTextBody({ text, onOpenLink }: PlainTextBodyProps) {
  const blocks = useMemo(() => splitQuotes(text), [text]);
  return (
    <div className="plain-text-body">
      {blocks.map((block, index) =>
        block.quoted ? (
          <details key={index} className="quoted-text">
            <summary>Show quoted text</summary>
            <Linkified text={block.text} onOpenLink={onOpenLink} />
          </details>
        ) : (
          <Linkified key={index} text={block.text} onOpenLink={onOpenLink} />
        ),
      )}
    </div>
  );
}

function Linkified({ text, onOpenLink }: PlainTextBodyProps) {
  const parts = useMemo(() => linkParts(text), [text]);
  return (
    <div className="plain-text-block">
      {parts.map((part, index) => {
        if (typeof part === 'string') return part;
        const open = (event: MouseEvent) => {
          event.preventDefault();
          onOpenLink(part.url);
        };
        return (
          <a key={index} href={part.url} title={part.title} rel="noreferrer" onClick={open}>
            {part.text}
          </a>
        );
      })}
    </div>
  );
}
