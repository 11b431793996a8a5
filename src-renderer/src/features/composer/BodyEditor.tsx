/**
 * The message body: a rich-text editor (TipTap over ProseMirror: bold, italic, lists, quotes,
 * links) or, with the "Plain text" switch, a textarea. The draft keeps both forms: `html` is the
 * editor's HTML, `body` its text. Switching to plain text converts the HTML (and says so when
 * formatting goes); switching back makes each paragraph of the text a paragraph again.
 */
import { EditorContent, useEditor, useEditorState, type Editor } from '@tiptap/react';
import { useEffect, useRef, useState } from 'react';
import { hasFormatting, htmlToPlainText, plainTextToHtml } from '#shared/html-text';
import type { ComposerDraft } from '../../state/store.ts';
import { linkTarget } from '../reader/links.ts';
import { editorExtensions } from './editor-schema.ts';

export function BodyEditor({
  draft,
  onChange,
}: {
  draft: ComposerDraft;
  onChange(patch: Partial<ComposerDraft>): void;
}) {
  const [note, setNote] = useState<string>();
  const plain = draft.format === 'plain';
  const switchFormat = (toPlain: boolean) => {
    if (toPlain) {
      const html = draft.html ?? '';
      setNote(
        hasFormatting(html)
          ? 'Formatting (bold, italic, lists, links, quotes) became plain text.'
          : undefined,
      );
      onChange({ format: 'plain', body: htmlToPlainText(html) });
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
        <RichEditor
          html={draft.html ?? plainTextToHtml(draft.body)}
          onChange={(html, text) => onChange({ html, body: text })}
        />
      )}
    </div>
  );
}

function RichEditor(props: { html: string; onChange(html: string, text: string): void }) {
  const [linking, setLinking] = useState(false);
  /** The HTML the editor holds as far as the draft knows: its start, then each of its updates. */
  const known = useRef(props.html);
  const editor = useEditor({
    extensions: editorExtensions,
    // The app's CSP allows no inline style: ProseMirror's base rules are in styles.css instead.
    injectCSS: false,
    content: props.html,
    editorProps: {
      attributes: {
        id: 'composer-body',
        class: 'composer-body composer-rich',
        role: 'textbox',
        'aria-multiline': 'true',
        'aria-label': 'Message',
      },
      handleKeyDown: (_view, event) => {
        if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
          setLinking(true);
          return true;
        }
        return false;
      },
    },
    onUpdate: ({ editor: e }) => {
      known.current = e.getHTML();
      props.onChange(known.current, e.getText({ blockSeparator: '\n' }));
    },
  });
  // The HTML changed from outside the editor (another identity's signature swapped in): shown.
  // Typing comes back as the editor's own HTML (`known`) and changes nothing here.
  useEffect(() => {
    if (props.html === known.current) return;
    known.current = props.html;
    editor.commands.setContent(props.html);
  }, [editor, props.html]);
  return (
    <div className="composer-rich-field">
      <Toolbar editor={editor} onLink={() => setLinking(true)} />
      {linking && <LinkForm editor={editor} onDone={() => setLinking(false)} />}
      <EditorContent editor={editor} />
    </div>
  );
}

function Toolbar({ editor, onLink }: { editor: Editor; onLink(): void }) {
  const active = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      bulletList: e.isActive('bulletList'),
      orderedList: e.isActive('orderedList'),
      link: e.isActive('link'),
      blockquote: e.isActive('blockquote'),
    }),
  });
  const chain = () => editor.chain().focus();
  const button = (
    label: string,
    pressed: boolean,
    keys: string,
    run: () => void,
    text: string = label,
  ) => (
    <button
      type="button"
      aria-pressed={pressed}
      aria-label={label}
      title={`${label} (${keys})`}
      // Keeps the editor's selection: a mousedown on the button would take focus first.
      onMouseDown={(e) => e.preventDefault()}
      onClick={run}
    >
      {text}
    </button>
  );
  return (
    <div className="composer-toolbar" role="toolbar" aria-label="Formatting">
      {button('Bold', active.bold, 'Ctrl+B', () => chain().toggleBold().run(), 'B')}
      {button('Italic', active.italic, 'Ctrl+I', () => chain().toggleItalic().run(), 'I')}
      {button('Bulleted list', active.bulletList, 'Ctrl+Shift+8', () =>
        chain().toggleBulletList().run(),
      )}
      {button('Numbered list', active.orderedList, 'Ctrl+Shift+7', () =>
        chain().toggleOrderedList().run(),
      )}
      {button('Link', active.link, 'Ctrl+K', onLink)}
      {button('Quote', active.blockquote, 'Ctrl+Shift+B', () => chain().toggleBlockquote().run())}
    </div>
  );
}

/** Asks for a link's address (http, https or mailto; a bare host gets https://). */
function LinkForm({ editor, onDone }: { editor: Editor; onDone(): void }) {
  const current = (editor.getAttributes('link').href as string | undefined) ?? '';
  const [value, setValue] = useState(current);
  const [problem, setProblem] = useState<string>();
  const apply = (event: { preventDefault(): void; stopPropagation(): void }) => {
    event.preventDefault();
    event.stopPropagation();
    const typed = value.trim();
    if (!typed) return remove();
    const href = /^[a-z][a-z0-9+.-]*:/i.test(typed) ? typed : `https://${typed}`;
    const target = linkTarget(href);
    if (!target) return setProblem('A link goes to an http, https or mailto address.');
    const chain = editor.chain().focus().extendMarkRange('link');
    // With nothing selected, the address itself becomes the link's text.
    if (editor.state.selection.empty && !editor.isActive('link')) {
      chain
        .insertContent({
          type: 'text',
          text: target.url,
          marks: [{ type: 'link', attrs: { href: target.url } }],
        })
        .run();
    } else chain.setLink({ href: target.url }).run();
    onDone();
  };
  const remove = () => {
    editor.chain().focus().extendMarkRange('link').unsetLink().run();
    onDone();
  };
  return (
    // Not a <form>: the composer is one already, and Enter here must not send the message.
    <div className="composer-link" role="group" aria-label="Link">
      <label htmlFor="composer-link-address">Link address</label>
      <input
        id="composer-link-address"
        autoFocus
        value={value}
        placeholder="https://…"
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') apply(e);
          if (e.key === 'Escape') {
            e.preventDefault();
            onDone();
            editor.commands.focus();
          }
        }}
      />
      <button type="button" onClick={apply}>
        Apply
      </button>
      {current && (
        <button type="button" onClick={remove}>
          Remove link
        </button>
      )}
      <button type="button" onClick={onDone}>
        Cancel
      </button>
      {problem && (
        <span role="alert" className="composer-problem">
          {problem}
        </span>
      )}
    </div>
  );
}
