/**
 * Shows an untrusted HTML mail. The mail goes through DOMPurify (mail-html.ts) and its DOM is put
 * into an empty document of ours, framed with `sandbox="allow-same-origin"`: nothing inside can run
 * script, and the document's own Content-Security-Policy lets nothing load from the network unless
 * the user allowed remote content. Everything active (links, the status line, the frame's height,
 * noticing blocked remote content) is done by this component's script from outside the frame.
 */
import { useEffect, useRef, useState } from 'react';
import { MAIL_FRAME_PATH, MAIL_FRAME_REMOTE_PATH } from '#shared/csp';
import { displayUrl, linkTarget, mismatchMessage, textDomainMismatch } from './links.ts';
import { mountSanitizedMail, sanitizeMailHtml, type InlineParts } from './mail-html.ts';
import './reader.css';

export interface MailHtmlFrameProps {
  html: string;
  /**
   * The message's parts by Content-ID (without <>), for `cid:` images. A new Map with the same
   * parts is fine; different parts render the mail again.
   */
  inlineParts: InlineParts;
  /** Loads remote images, stylesheets and fonts (a different frame policy). */
  allowRemote: boolean;
  /** The mail tried to load remote content that was blocked; may be called once per rendering. */
  onRemoteBlocked(): void;
  /** A click on an http(s) or mailto link; the URL is parsed and normalized. */
  onOpenLink(url: string): void;
  /** Asks before opening a link whose text names another domain; `window.confirm` by default. */
  onConfirm?(message: string): boolean;
}

interface LinkStatus {
  url: string;
  mismatch?: string;
}

/** The frame grows with its content up to this height, then scrolls inside. */
const MAX_HEIGHT = 50_000;

export function MailHtmlFrame(props: MailHtmlFrameProps) {
  const { html, allowRemote } = props;
  const inlineParts = useSameParts(props.inlineParts);
  const wrapperRef = useRef<HTMLDivElement>(null);
  const frameRef = useRef<HTMLIFrameElement>(null);
  const [status, setStatus] = useState<LinkStatus>();
  // Listeners in the frame outlive renders: they read the latest callbacks from here.
  const latest = useRef(props);
  useEffect(() => {
    latest.current = props;
  });
  const src = allowRemote ? MAIL_FRAME_REMOTE_PATH : MAIL_FRAME_PATH;

  useEffect(() => {
    const wrapper = wrapperRef.current;
    const frame = frameRef.current;
    if (!wrapper || !frame) return;
    let detach: (() => void) | undefined;
    const fill = () => {
      detach?.();
      detach = undefined;
      const doc = frame.contentDocument;
      // Until our document has loaded, the frame holds about:blank or the previous policy's one.
      if (!doc || doc.readyState !== 'complete' || new URL(doc.URL).pathname !== src) return;
      detach = showMail(wrapper, frame, doc, html, inlineParts, {
        allowRemote,
        onRemoteBlocked: () => latest.current.onRemoteBlocked(),
        onOpenLink: (url) => latest.current.onOpenLink(url),
        confirm: (message) => {
          const { onConfirm } = latest.current;
          return onConfirm ? onConfirm(message) : window.confirm(message);
        },
        onStatus: (next) => setStatus((current) => (sameStatus(current, next) ? current : next)),
      });
    };
    frame.addEventListener('load', fill);
    fill();
    return () => {
      frame.removeEventListener('load', fill);
      detach?.();
    };
  }, [html, inlineParts, allowRemote, src]);

  return (
    <div className="mail-html-frame" ref={wrapperRef}>
      <iframe
        ref={frameRef}
        sandbox="allow-same-origin"
        src={src}
        title="Message content"
        referrerPolicy="no-referrer"
      />
      {status && (
        <div className="mail-link-status" role="status">
          {status.mismatch && <span className="mismatch">⚠ {status.mismatch}</span>}
          <span className="url">{status.url}</span>
        </div>
      )}
    </div>
  );
}

/**
 * The previous Map while the parts are the same, so that a parent building a new Map on every
 * render does not make the mail render again (losing scroll position and open <details>).
 */
function useSameParts(parts: InlineParts): InlineParts {
  const [kept, setKept] = useState(parts);
  const same = kept === parts || sameParts(kept, parts);
  // Adjusting state while rendering: React renders again at once, before committing.
  if (!same) setKept(parts);
  return same ? kept : parts;
}

function sameParts(a: InlineParts, b: InlineParts): boolean {
  if (a.size !== b.size) return false;
  for (const [id, part] of a) {
    const other = b.get(id);
    if (!other || other.contentType !== part.contentType || !sameBytes(other.data, part.data)) {
      return false;
    }
  }
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface FrameEvents {
  allowRemote: boolean;
  onRemoteBlocked(): void;
  onOpenLink(url: string): void;
  confirm(message: string): boolean;
  onStatus(status: LinkStatus | undefined): void;
}

/** Puts the sanitized mail into the frame document and listens to it; returns the undo. */
function showMail(
  wrapper: HTMLElement,
  frame: HTMLIFrameElement,
  doc: Document,
  html: string,
  inlineParts: InlineParts,
  events: FrameEvents,
): () => void {
  const sanitized = sanitizeMailHtml(html, inlineParts);
  const body = mountSanitizedMail(doc, sanitized);
  const removers: (() => void)[] = [];
  const listen = <K extends keyof DocumentEventMap>(
    type: K,
    listener: (event: DocumentEventMap[K]) => void,
  ) => {
    // Capture phase: the mail's own markup cannot get in between.
    doc.addEventListener(type, listener, true);
    removers.push(() => doc.removeEventListener(type, listener, true));
  };

  let reported = false;
  const reportRemote = () => {
    if (reported || events.allowRemote) return;
    reported = true;
    events.onRemoteBlocked();
  };
  // The browser says what its policy blocked; the sanitizer's count only makes the bar show sooner.
  listen('securitypolicyviolation', (event) => {
    if (/^https?:/i.test(event.blockedURI)) reportRemote();
  });
  if (sanitized.remoteResources > 0) reportRemote();

  listen('click', (event) => {
    const anchor = anchorOf(event.target);
    if (!anchor) return;
    event.preventDefault();
    const href = anchor.getAttribute('href');
    const target = href === null ? undefined : linkTarget(href);
    if (!href || !target) return;
    const mismatch = textDomainMismatch(anchor.textContent ?? '', href);
    if (mismatch) {
      const question = `${mismatchMessage(mismatch)}.\n\nOpen ${displayUrl(target)}?`;
      if (!events.confirm(question)) return;
    }
    events.onOpenLink(target.url);
  });
  // Middle clicks would open a new window (the sandbox refuses it, but say no first).
  listen('auxclick', (event) => {
    if (anchorOf(event.target)) event.preventDefault();
  });
  listen('mouseover', (event) => events.onStatus(statusOf(anchorOf(event.target))));
  listen('mouseout', (event) => {
    if (!event.relatedTarget) events.onStatus(undefined);
  });
  listen('focusin', (event) => events.onStatus(statusOf(anchorOf(event.target))));
  listen('focusout', () => events.onStatus(undefined));

  // Images arrive, fonts swap, the reader gets narrower: the frame follows its content's height.
  // Resizing from inside the observer's callback would be a ResizeObserver loop (an error event
  // for mail sized by the viewport), so it waits for the next frame.
  let pending = 0;
  const refit = () => {
    pending ||= requestAnimationFrame(() => {
      pending = 0;
      fitHeight(wrapper, frame, doc);
    });
  };
  const observer = new ResizeObserver(refit);
  // With `html, body { height: 100% }` those two keep the frame's size whatever the content
  // does: the body's children show it, and a loaded image or stylesheet says when to look again.
  for (const element of [doc.documentElement, body, ...body.children]) observer.observe(element);
  listen('load', refit);
  listen('error', refit);
  fitHeight(wrapper, frame, doc);

  return () => {
    observer.disconnect();
    cancelAnimationFrame(pending);
    for (const remove of removers) remove();
    events.onStatus(undefined);
  };
}

/** The link an event happened in. Nodes of the frame fail `instanceof` here (another realm). */
function anchorOf(target: EventTarget | null): Element | null {
  const node = target as Node | null;
  if (node?.nodeType !== Node.ELEMENT_NODE) return null;
  return (node as Element).closest('a, area');
}

function statusOf(anchor: Element | null): LinkStatus | undefined {
  const href = anchor?.getAttribute('href');
  const target = href ? linkTarget(href) : undefined;
  if (!anchor || !href || !target) return undefined;
  const mismatch = textDomainMismatch(anchor.textContent ?? '', href);
  return { url: displayUrl(target), ...(mismatch && { mismatch: mismatchMessage(mismatch) }) };
}

function sameStatus(a: LinkStatus | undefined, b: LinkStatus | undefined): boolean {
  return a?.url === b?.url && a?.mismatch === b?.mismatch;
}

/**
 * Sizes the frame to its content. The content is measured in a frame of height 0, so that mail
 * sized by the viewport (`height: 100%`, `100vh`) cannot make the frame grow for ever; the wrapper
 * keeps its height meanwhile, so the reader's layout and scroll position do not move.
 */
function fitHeight(wrapper: HTMLElement, frame: HTMLIFrameElement, doc: Document): void {
  const root = doc.documentElement;
  wrapper.style.minHeight = `${frame.offsetHeight}px`;
  frame.style.height = '0px';
  const content = Math.min(Math.max(root.scrollHeight, 1), MAX_HEIGHT);
  frame.style.height = `${content}px`;
  // Mail wider than the reader gets a horizontal scrollbar, which takes room from the content.
  const scrollbar = (doc.defaultView?.innerHeight ?? 0) - root.clientHeight;
  if (scrollbar > 0) frame.style.height = `${Math.min(content + scrollbar, MAX_HEIGHT)}px`;
  wrapper.style.minHeight = '';
}
