/**
 * Plain text as the rich editor's HTML, and whether HTML holds formatting plain text would lose.
 * Apart from `html-text.ts` (the converter the other way, a larger library) so that the app's
 * first load does not carry that library.
 */

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Plain text as the editor's HTML: each paragraph (separated by a blank line) a `<p>`, each
 * line break inside one a `<br>`; every character escaped, so text can never become markup.
 */
export function plainTextToHtml(text: string): string {
  const paragraphs = text.replace(/\r\n?/g, '\n').split(/\n{2,}/);
  return paragraphs.map((p) => `<p>${p.split('\n').map(escapeHtml).join('<br>')}</p>`).join('');
}

/** Whether converting this HTML to text loses formatting (anything but paragraphs and breaks). */
export function hasFormatting(html: string): boolean {
  return /<(?!\/?(?:p|br)\b)[a-z]/i.test(html);
}
