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

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The same signature as HTML (escaped text, one line per line); '' for none. */
export function signatureHtml(signature: string): string {
  const text = signatureText(signature);
  if (!text) return '';
  return `<p>${text.split('\n').map(escapeHtml).join('<br>')}</p>`;
}
