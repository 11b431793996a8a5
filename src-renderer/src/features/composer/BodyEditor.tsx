/**
 * The message body: a rich-text editor (TipTap over ProseMirror: bold, italic, lists, quotes,
 * links) or, with the "Plain text" switch, a textarea. The draft keeps both forms: `html` is the
 * editor's HTML, `body` its text. Switching to plain text converts the HTML (and says so when
 * formatting goes); switching back makes each paragraph of the text a paragraph again.
 */
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import type { htmlToPlainText as HtmlToPlainText } from '#shared/html-text';
import { hasFormatting, plainTextToHtml } from '#shared/plain-html';
import type { ComposerDraft } from '../../state/store.ts';

// The editor (TipTap and ProseMirror) loads when a composer first opens, not with the app.
const RichEditor = lazy(() => import('./RichEditor.tsx'));

export function BodyEditor({
  draft,
  onChange,
}: {
  draft: ComposerDraft;
  onChange(patch: Partial<ComposerDraft>): void;
}) {
  const [note, setNote] = useState<string>();
  const plain = draft.format === 'plain';
  // The HTML-to-text converter loads with the composer, just after it: few people switch.
  const converter = useRef<{ htmlToPlainText: typeof HtmlToPlainText }>(undefined);
  useEffect(() => {
    void import('#shared/html-text').then((module) => (converter.current = module));
  }, []);
  const switchFormat = (toPlain: boolean) => {
    if (toPlain) {
      const html = draft.html ?? '';
      setNote(
        hasFormatting(html)
          ? 'Formatting (bold, italic, lists, links, quotes) became plain text.'
          : undefined,
      );
      // Not loaded yet (a switch in the first moments): the editor's own text, kept in `body`.
      const text = converter.current?.htmlToPlainText(html) ?? draft.body;
      onChange({ format: 'plain', body: text });
    } else {
      setNote(undefined);
      onChange({ format: 'rich', html: plainTextToHtml(draft.body) });
    }
  };
  return (
    <div className="composer-body-field">
      <label className="composer-format">
        <input
          type="checkbox"
          role="switch"
          checked={plain}
          onChange={(e) => switchFormat(e.target.checked)}
        />{' '}
        Plain text
      </label>
      {note && (
        <p className="muted composer-format-note" role="status">
          {note}
        </p>
      )}
      {plain ? (
        <>
          <label htmlFor="composer-body" className="visually-hidden">
            Message
          </label>
          <textarea
            id="composer-body"
            className="composer-body"
            value={draft.body}
            onChange={(e) => onChange({ body: e.target.value })}
          />
        </>
      ) : (
        <Suspense fallback={<p className="muted composer-body">Loading the editor…</p>}>
          <RichEditor
            html={draft.html ?? plainTextToHtml(draft.body)}
            onChange={(html, text) => onChange({ html, body: text })}
          />
        </Suspense>
      )}
    </div>
  );
}
