/**
 * The plain-text form of a message written in the rich editor: the text/plain alternative main
 * sends next to the HTML, and what the composer shows when the user switches to plain text. One
 * converter for both (html-to-text, which parses without a DOM, so it runs on either side):
 * lists keep their bullets and numbers, links their URL, quotes their "> ".
 */
import { convert, type HtmlToTextOptions } from 'html-to-text';

const OPTIONS: HtmlToTextOptions = {
  // Lines as written: text/plain readers wrap for themselves (and format=flowed is not used).
  wordwrap: false,
  selectors: [
    // "text [https://…]"; a link whose text is its URL (or a mailto: of its text) shows once.
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, linkBrackets: ['<', '>'] } },
    { selector: 'img', format: 'skip' },
    { selector: 'ul', options: { itemPrefix: '- ' } },
    // The editor wraps every list item's text in a <p>: one line per item, not a paragraph each.
    { selector: 'li > p', format: 'inline' },
    // Headings in the editor are not shouted: as written, not upper case.
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable' },
  ],
};

/** The text of an HTML message (the editor's output, or a sanitized quote). */
export function htmlToPlainText(html: string): string {
  return (
    convert(html, OPTIONS)
      .replace(/\n{3,}/g, '\n\n')
      // The converter trims lines: the signature delimiter "-- " gets its space back (RFC 3676).
      .replace(/^--$/gm, '-- ')
  );
}

export { hasFormatting, plainTextToHtml } from './plain-html.ts';
