/**
 * Identities: the addresses an account sends as, and their signatures. Pure rules, shared by the
 * settings (editing them), the composer (From and the signature) and main (nothing else).
 */
import type { AccountSummary, Identity } from './accounts.ts';
import { addressKey } from './addresses.ts';
import type { Address } from './mail.ts';

/**
 * The account's identities, its main one first. Settings from before identities existed (or a
 * list that lost the main address) get the main identity back, with no name and no signature.
 */
export function identitiesOf(account: Pick<AccountSummary, 'email' | 'identities'>): Identity[] {
  const listed = account.identities ?? [];
  const main = listed.find((i) => addressKey(i.address) === addressKey(account.email));
  const rest = listed.filter((i) => i !== main);
  return [main ?? { address: account.email, name: '', signature: '' }, ...rest];
}

/** The identity of `account` that sends as `from` (its main identity when none matches). */
export function identityFor(
  account: Pick<AccountSummary, 'email' | 'identities'>,
  from: Address | undefined,
): Identity {
  const all = identitiesOf(account);
  const key = from?.address ? addressKey(from.address) : undefined;
  return all.find((i) => addressKey(i.address) === key) ?? (all[0] as Identity);
}

/** The From address of an identity (the name left out when empty). */
export function senderOf(identity: Identity): Address {
  const name = identity.name.trim();
  return name ? { name, address: identity.address } : { address: identity.address };
}

/** The signature delimiter of RFC 3676 (4.3): dash, dash, space, on a line of its own. */
export const SIGNATURE_DELIMITER = '-- ';

/** A signature as plain text under a message: "-- " and the signature; '' for none. */
export function signatureText(signature: string): string {
  const body = signature.replace(/\r\n?/g, '\n').replace(/\s+$/, '');
  return body ? `${SIGNATURE_DELIMITER}\n${body}` : '';
}

/**
 * Text as element content, escaped the way a browser serializes it (`innerHTML`): the rich editor
 * writes its HTML so, and the signature swap finds a signature by its exact markup.
 */
const HTML_TEXT_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\u00a0': '&nbsp;',
};
const escapeHtml = (text: string): string =>
  text.replace(/[&<>\u00a0]/g, (c) => HTML_TEXT_ESCAPES[c] ?? c);

/** The same signature as HTML (escaped text, one line per line); '' for none. */
export function signatureHtml(signature: string): string {
  const text = signatureText(signature);
  if (!text) return '';
  return `<p>${text.split('\n').map(escapeHtml).join('<br>')}</p>`;
}

/** Where quoted or forwarded text starts in a plain body (compose.ts's attribution and block). */
const PLAIN_QUOTE_START = /^(?:On .+ wrote:|---------- Forwarded message ---------)$/m;
/** Where quoted or forwarded HTML starts. */
const HTML_QUOTE_START = /<blockquote\b|<div[^>]*\bclass="?[^">]*\bquote\b/i;

/**
 * A plain body with the signature of the identity sent as swapped on a change of identity: the
 * old signature's block (as `signatureText` wrote it, on lines of its own) is replaced with the
 * new one, or removed when the new identity has none. A block the user edited is left alone (and
 * no second signature is added). With no old signature, the new one goes under the user's text,
 * above a quote or a forwarded message.
 */
export function swapSignature(text: string, oldSignature: string, newSignature: string): string {
  const oldBlock = signatureText(oldSignature);
  const newBlock = signatureText(newSignature);
  if (oldBlock === newBlock) return text;
  if (oldBlock) {
    const at = blockIndex(text, oldBlock);
    if (at < 0) return text;
    return text.slice(0, at) + newBlock + text.slice(at + oldBlock.length);
  }
  return insertAbove(text, `${newBlock}\n`, PLAIN_QUOTE_START.exec(text)?.index, '\n\n');
}

/** The same for a rich body, with `signatureHtml`'s markup. */
export function swapSignatureHtml(
  html: string,
  oldSignature: string,
  newSignature: string,
): string {
  const oldBlock = signatureHtml(oldSignature);
  const newBlock = signatureHtml(newSignature);
  if (oldBlock === newBlock) return html;
  if (oldBlock) {
    const at = html.lastIndexOf(oldBlock, HTML_QUOTE_START.exec(html)?.index ?? html.length);
    if (at < 0) return html;
    return html.slice(0, at) + newBlock + html.slice(at + oldBlock.length);
  }
  return insertAbove(html, newBlock, HTML_QUOTE_START.exec(html)?.index, '');
}

/** Where `block` stands on lines of its own (before any quote), else -1. */
function blockIndex(text: string, block: string): number {
  const end = PLAIN_QUOTE_START.exec(text)?.index ?? text.length;
  for (let at = text.lastIndexOf(block, end); at >= 0; at = text.lastIndexOf(block, at - 1)) {
    const after = at + block.length;
    const ownLines =
      (at === 0 || text[at - 1] === '\n') && (after === text.length || text[after] === '\n');
    if (ownLines) return at;
    if (at === 0) break;
  }
  return -1;
}

/** `block` above `quoteAt` (or at the end), after the user's text and `gap`. */
function insertAbove(
  body: string,
  block: string,
  quoteAt: number | undefined,
  gap: string,
): string {
  const end = quoteAt ?? body.length;
  const mine = body.slice(0, end).replace(/\s+$/, '');
  const rest = body.slice(end);
  const lead = mine ? `${mine}${gap}` : gap;
  return `${lead}${block}${rest ? `\n${rest}` : ''}`;
}
