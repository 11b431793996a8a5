/**
 * What a link in a mail really points at, in pure functions: which links may leave the app, how
 * their target is shown, and whether their text pretends to go somewhere else.
 */
import { find } from 'linkifyjs';

/** A link Petrel will open: only the web and mail addresses (never file:, smb:, javascript:…). */
export interface LinkTarget {
  /** The parsed, normalized URL: what is opened, so it is also what is shown. */
  url: string;
  kind: 'web' | 'mail';
  /** The host (punycode for IDN hosts) or, for mailto:, the first address's domain. */
  domain: string;
}

/** Parses an href; undefined unless it is an absolute http(s) or mailto URL. */
export function linkTarget(href: string): LinkTarget | undefined {
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return undefined;
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    return url.hostname ? { url: url.href, kind: 'web', domain: url.hostname } : undefined;
  }
  if (url.protocol === 'mailto:') {
    return { url: url.href, kind: 'mail', domain: mailDomain(url.pathname) ?? '' };
  }
  return undefined;
}

/**
 * The target as a status line shows it: host in punycode, no user:password part (in
 * `https://bank.example@evil.test/` the host is evil.test), path as the browser would send it.
 */
export function displayUrl(target: LinkTarget): string {
  const url = new URL(target.url);
  if (target.kind === 'mail') return url.href;
  return `${url.protocol}//${url.host}${url.pathname}${url.search}${url.hash}`;
}

export interface DomainMismatch {
  /** The domain the link text names, as written. */
  shown: string;
  /** Where the link goes (punycode). */
  actual: string;
}

/**
 * A link whose text names a domain (`https://bank.example`, `www.bank.example`,
 * `help@bank.example`) other than the one it goes to. Compared by registrable-ish domain, so
 * `www.bank.example` → `login.bank.example` is fine.
 */
export function textDomainMismatch(text: string, href: string): DomainMismatch | undefined {
  const target = linkTarget(href);
  if (!target?.domain) return undefined;
  const actual = registrableDomain(target.domain);
  for (const named of domainsNamedIn(text)) {
    const ascii = toAsciiHost(named);
    if (ascii && registrableDomain(ascii) !== actual) {
      return { shown: named.toLowerCase(), actual: target.domain };
    }
  }
  return undefined;
}

/** The message a status line and a confirmation show for a mismatching link. */
export function mismatchMessage(mismatch: DomainMismatch): string {
  return `Link text shows ${mismatch.shown}, but it goes to ${mismatch.actual}`;
}

/**
 * The domains a text names: linkify decides what is a URL or an address, then the whole dotted
 * name is read from the text (linkify stops at the last label it knows as a top-level domain, so
 * "www.bank.example" would otherwise name "www.bank").
 */
function domainsNamedIn(text: string): string[] {
  const domains: string[] = [];
  for (const match of find(text)) {
    if (match.type !== 'url' && match.type !== 'email') continue;
    const domain = domainAt(text.slice(match.start), match.type);
    if (domain) domains.push(domain);
  }
  return domains;
}

/** The domain at the start of a URL or an address, as written (Unicode stays Unicode). */
function domainAt(text: string, type: 'url' | 'email'): string | undefined {
  let rest = text;
  if (type === 'email') {
    rest = rest.slice(rest.indexOf('@') + 1);
  } else {
    rest = rest.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
    const authority = /^[^/?#\s]*/.exec(rest)?.[0] ?? '';
    rest = rest.slice(authority.lastIndexOf('@') + 1);
  }
  const name = /^[\p{L}\p{N}\p{M}.-]+/u.exec(rest)?.[0].replace(/[.-]+$/, '');
  return name || undefined;
}

function mailDomain(address: string): string | undefined {
  const first = address.split(',')[0] ?? '';
  const at = first.lastIndexOf('@');
  if (at < 0) return undefined;
  let domain = first.slice(at + 1).trim();
  try {
    domain = decodeURIComponent(domain);
  } catch {
    // A malformed escape: compare the text as it is.
  }
  return toAsciiHost(domain);
}

/** Punycode, lower case, through the same parser that decides where a link goes. */
function toAsciiHost(host: string): string | undefined {
  try {
    return new URL(`http://${host}/`).hostname || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Second-level labels under which country codes register names (bank.co.uk). Without the Public
 * Suffix List this is approximate, which is enough to tell "same site" from "other site".
 */
const SECOND_LEVEL = new Set(['ac', 'co', 'com', 'edu', 'gov', 'ltd', 'ne', 'net', 'or', 'org']);

function registrableDomain(host: string): string {
  const labels = host.replace(/\.$/, '').split('.');
  if (labels.length <= 2 || /^[\d.]+$/.test(host) || host.startsWith('[')) return host;
  const [second, top] = labels.slice(-2) as [string, string];
  const keep = top.length === 2 && SECOND_LEVEL.has(second) ? 3 : 2;
  return labels.slice(-keep).join('.');
}
