/**
 * The original of a reply as the editor's HTML. Mail HTML goes through the reader's sanitizer
 * (the one path all mail HTML takes, `sanitizeMailHtml`), then through the editor's schema: the
 * quote can hold only what the editor makes (paragraphs, emphasis, lists, quotes, http(s) and
 * mailto links), so no script, handler, style, form or image survives — nothing in a quote can
 * load from the network — and none of the original's markup is ever inserted as it was.
 */
import { editorHtmlOf } from './editor-schema.ts';
import { sanitizeMailHtml } from '../reader/mail-html.ts';

export function quoteOfMailHtml(html: string): string {
  // No inline parts: a quote has no images, so `cid:` references resolve to nothing.
  return editorHtmlOf(sanitizeMailHtml(html, new Map()).body);
}
