/**
 * What the rich editor can hold, in one place: the editor itself and the quote of a reply use
 * the same TipTap extensions, so a quote holds nothing the editor could not have made. Paragraphs,
 * line breaks, bold, italic, bulleted and numbered lists, quotes and links (http(s) and mailto
 * only); no images, headings, code or tables.
 */
import { getHTMLFromFragment, getSchema, type Extensions } from '@tiptap/core';
import { DOMParser as SchemaParser, type Schema } from '@tiptap/pm/model';
import StarterKit from '@tiptap/starter-kit';
import { linkTarget } from '../reader/links.ts';

export const editorExtensions: Extensions = [
  StarterKit.configure({
    heading: false,
    code: false,
    codeBlock: false,
    horizontalRule: false,
    strike: false,
    underline: false,
    link: {
      openOnClick: false,
      autolink: true,
      linkOnPaste: true,
      defaultProtocol: 'https',
      protocols: ['mailto'],
      // Mail links open outside Petrel; only schemes a mail link may use (see reader/links.ts).
      isAllowedUri: (url) => linkTarget(url) !== undefined,
      HTMLAttributes: { target: null, rel: null, class: null },
    },
  }),
];

let schema: Schema | undefined;
const editorSchema = (): Schema => (schema ??= getSchema(editorExtensions));

/**
 * The editor's HTML for a DOM tree (a sanitized mail body): read through the editor's schema, so
 * only what the editor can hold is kept and every text is escaped when written back out. Never
 * the tree's own markup: scripts, styles, images, attributes and unknown tags do not survive.
 */
export function editorHtmlOf(node: Node): string {
  const doc = SchemaParser.fromSchema(editorSchema()).parse(node);
  return getHTMLFromFragment(doc.content, editorSchema());
}
