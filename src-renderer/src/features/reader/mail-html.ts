/**
 * The one way mail HTML becomes DOM: DOMPurify, configured for mail, with every rewrite done in its
 * hooks. The result is a DOM tree from an inert document, to be imported into a mail frame as it
 * is; it is never serialized and parsed again, which is where mutation XSS lives (Mailspring's
 * reply/forward bug).
 */
import DOMPurify, { type Config } from 'dompurify';
import { linkTarget } from './links.ts';

/** A part of the message shown inline through `cid:` (RFC 2392). */
export interface InlinePart {
  contentType: string;
  data: Uint8Array;
}

/** Inline parts by Content-ID, without the angle brackets. */
export type InlineParts = ReadonlyMap<string, InlinePart>;

export interface SanitizedMail {
  /** The sanitized `<body>`, owned by an inert document: import it into the frame document. */
  body: HTMLElement;
  /**
   * Remote images and stylesheets referenced by elements. They load only once the user allows
   * remote content; remote URLs inside CSS are not counted (the frame reports those when its
   * policy blocks them).
   */
  remoteResources: number;
  /** Content-IDs the HTML shows inline, so the reader need not list those parts as attachments. */
  usedContentIds: Set<string>;
}

const CONFIG = {
  RETURN_DOM: true,
  WHOLE_DOCUMENT: false,
  // Styles and stylesheet links in <head> matter to mail: parsing everything into <body> keeps
  // them (DOMPurify would otherwise return the body alone).
  FORCE_BODY: true,
  // No SVG or MathML: mail does not need them, and most mutation XSS goes through them.
  USE_PROFILES: { html: true },
  // Kept only as an http(s) stylesheet (see the hooks), which loads once remote content is allowed.
  ADD_TAGS: ['link'],
  FORBID_TAGS: [
    'script',
    'noscript',
    'iframe',
    'frame',
    'frameset',
    'object',
    'embed',
    'applet',
    'portal',
    'fencedframe',
    'base',
    'meta',
    'form',
    'input',
    'button',
    'textarea',
    'select',
    'option',
    'optgroup',
    'datalist',
    'output',
    'audio',
    'video',
    'track',
  ],
  FORBID_ATTR: ['action', 'formaction', 'target', 'ping', 'srcdoc', 'http-equiv'],
  // DOMPurify's default minus the schemes a mail link may not use (ftp, tel, sms, xmpp…); the
  // hooks narrow it further per attribute.
  ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto|cid):|data:image\/|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
} satisfies Config;

/** Sanitizes mail HTML for a mail frame; `cid:` images become data: URIs of the message's parts. */
export function sanitizeMailHtml(html: string, inlineParts: InlineParts): SanitizedMail {
  const purify = DOMPurify(window);
  const cids = new CidResolver(inlineParts);
  let remoteResources = 0;

  purify.addHook('uponSanitizeElement', (node, event) => {
    if (event.tagName === 'link' && !isRemoteStylesheet(node as Element)) {
      (node as Element).remove();
    } else if (event.tagName === 'style' && node.textContent?.match(CSS_CID)) {
      node.textContent = cids.rewriteCss(node.textContent);
    }
  });

  purify.addHook('uponSanitizeAttribute', (_node, event) => {
    if (event.attrName === 'style') {
      event.attrValue = cids.rewriteCss(event.attrValue);
    } else if (RESOURCE_ATTRIBUTES.has(event.attrName) && /^cid:/i.test(event.attrValue)) {
      const dataUri = cids.resolve(event.attrValue);
      if (dataUri) event.attrValue = dataUri;
      else event.keepAttr = false;
    }
  });

  purify.addHook('afterSanitizeAttributes', (element) => {
    const tag = element.localName;
    if ((tag === 'a' || tag === 'area') && element.hasAttribute('href')) {
      if (!linkTarget(element.getAttribute('href') ?? '')) element.removeAttribute('href');
    }
    for (const name of RESOURCE_ATTRIBUTES) {
      const value = element.getAttribute(name);
      if (value === null) continue;
      if (isRemoteUrl(value)) remoteResources += 1;
      else if (!isDataImage(value)) element.removeAttribute(name);
    }
    const srcset = element.getAttribute('srcset');
    if (srcset !== null) {
      if (srcsetIsRemote(srcset)) remoteResources += 1;
      else element.removeAttribute('srcset');
    }
    if (tag === 'link' && element.hasAttribute('href')) remoteResources += 1;
  });

  const body = purify.sanitize(html, CONFIG) as HTMLElement;
  return { body, remoteResources, usedContentIds: cids.used };
}

/**
 * Puts a sanitized body into a mail frame's document in place of its own <body> (so the mail's
 * body attributes, such as its background, come along), and returns the new body.
 */
export function mountSanitizedMail(doc: Document, sanitized: SanitizedMail): HTMLElement {
  const body = doc.importNode(sanitized.body, true);
  const root = doc.documentElement;
  const current = root.querySelector(':scope > body');
  if (current) root.replaceChild(body, current);
  else root.append(body);
  return body;
}

/** Attributes whose URL the frame fetches as an image. */
const RESOURCE_ATTRIBUTES = new Set(['src', 'background']);

const CSS_CID = /url\(\s*(['"]?)cid:([^'")\s]+)\1\s*\)/gi;

function isRemoteUrl(value: string): boolean {
  return /^https?:\/\/[^/]/i.test(value.trim());
}

function isDataImage(value: string): boolean {
  return /^data:image\//i.test(value.trim());
}

/** Every candidate must be an absolute http(s) URL; data: and cid: candidates are not worth it. */
function srcsetIsRemote(srcset: string): boolean {
  const candidates = srcset.split(/,\s+/).map((candidate) => candidate.trim().split(/\s+/)[0]);
  return candidates.length > 0 && candidates.every((url) => url !== undefined && isRemoteUrl(url));
}

function isRemoteStylesheet(link: Element): boolean {
  const rel = (link.getAttribute('rel') ?? '').trim().toLowerCase();
  return rel === 'stylesheet' && isRemoteUrl(link.getAttribute('href') ?? '');
}

/** Turns `cid:` references into data: URIs of the message's own image parts, once per part. */
class CidResolver {
  readonly used = new Set<string>();
  private readonly uris = new Map<string, string>();

  constructor(private readonly parts: InlineParts) {}

  /** The data: URI for a `cid:` URL, or undefined for an unknown part or one that is no image. */
  resolve(url: string): string | undefined {
    const id = contentIdOf(url);
    const key = this.parts.has(id) ? id : this.findIgnoringCase(id);
    const part = key === undefined ? undefined : this.parts.get(key);
    const type = part?.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    if (key === undefined || !part || !IMAGE_TYPE.test(type)) return undefined;
    this.used.add(key);
    let uri = this.uris.get(key);
    if (!uri) {
      uri = `data:${type};base64,${toBase64(part.data)}`;
      this.uris.set(key, uri);
    }
    return uri;
  }

  /** Rewrites `url(cid:…)` in CSS; an unknown part becomes `url()`, which loads nothing. */
  rewriteCss(css: string): string {
    return css.replace(CSS_CID, (_match, _quote, id: string) => {
      const uri = this.resolve(`cid:${id}`);
      return uri ? `url("${uri}")` : 'url()';
    });
  }

  private findIgnoringCase(id: string): string | undefined {
    const wanted = id.toLowerCase();
    for (const key of this.parts.keys()) if (key.toLowerCase() === wanted) return key;
    return undefined;
  }
}

const IMAGE_TYPE = /^image\/[a-z0-9.+-]+$/;

function contentIdOf(url: string): string {
  let id = url.trim().slice('cid:'.length);
  try {
    id = decodeURIComponent(id);
  } catch {
    // Not %-encoded after all: use it as written.
  }
  return id.replace(/^<(.*)>$/, '$1');
}

function toBase64(data: Uint8Array): string {
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < data.length; i += CHUNK) {
    binary += String.fromCharCode(...data.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}
