/**
 * `mailto:` URLs (RFC 6068), as the OS hands them to Petrel or a link in a message holds them.
 * Only the fields a person can see in the composer are taken: to, cc, bcc, subject, body and
 * in-reply-to. Everything else (attach, attachment, file, from, reply-to, x-…) is ignored and listed
 * in `ignored`, so a link can never attach a local file or forge a header.
 */
import { addressKey, parseAddressList } from './addresses.ts';
import { normalizeMessageId, stripHeaderBreaks } from './compose.ts';
import type { Address } from './mail.ts';

export interface MailtoDraft {
  /** Each address appears once across to, cc and bcc (the first of those fields wins). */
  to: Address[];
  cc: Address[];
  bcc: Address[];
  subject?: string;
  /** Line breaks as "\n"; other control characters except TAB removed. */
  body?: string;
  /** A Message-ID as `<…>`; dropped when the value is not one. */
  inReplyTo?: string;
  /** Address entries that are not valid, as written (decoded). */
  invalid: string[];
  /** Names of the parameters that were ignored (lowercase, once each). */
  ignored: string[];
}

/** The fields of a `mailto:` URL, or undefined when the URL is not one. */
export function parseMailto(url: string): MailtoDraft | undefined {
  const trimmed = url.trim();
  if (!/^mailto:/i.test(trimmed)) return undefined;
  const rest = trimmed.slice('mailto:'.length);
  const question = rest.indexOf('?');
  const path = question < 0 ? rest : rest.slice(0, question);
  const query = question < 0 ? '' : rest.slice(question + 1);

  const draft: MailtoDraft = { to: [], cc: [], bcc: [], invalid: [], ignored: [] };
  const addTo = (field: 'to' | 'cc' | 'bcc', value: string): void => {
    const { addresses, invalid } = parseAddressList(value);
    draft[field].push(...addresses);
    draft.invalid.push(...invalid);
  };
  addTo('to', percentDecode(path));

  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = percentDecode(equals < 0 ? pair : pair.slice(0, equals)).toLowerCase();
    const value = equals < 0 ? '' : percentDecode(pair.slice(equals + 1));
    switch (name) {
      case 'to':
      case 'cc':
      case 'bcc':
        addTo(name, value);
        break;
      case 'subject':
        draft.subject ??= stripHeaderBreaks(value);
        break;
      case 'body':
        // eslint-disable-next-line no-control-regex -- finding control characters is the point
        draft.body ??= value.replace(/\r\n?/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
        break;
      case 'in-reply-to':
        draft.inReplyTo ??= normalizeMessageId(value);
        if (draft.inReplyTo === undefined) delete draft.inReplyTo;
        break;
      default: {
        const shown = stripHeaderBreaks(name);
        if (!draft.ignored.includes(shown)) draft.ignored.push(shown);
      }
    }
  }
  const seen = new Set<string>();
  for (const field of ['to', 'cc', 'bcc'] as const) {
    draft[field] = draft[field].filter((a) => {
      const key = addressKey(a.address ?? '');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  return draft;
}

/**
 * Percent-decoding that never throws: an escape that is malformed or not part of a UTF-8 sequence
 * stays as written. "+" is a plus sign in mailto (RFC 6068 section 5), not a space.
 */
function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, decodeRun);
  }
}

/** Decodes a run of escapes one UTF-8 sequence (1 to 4 escapes) at a time. */
function decodeRun(run: string): string {
  let out = '';
  let i = 0;
  while (i < run.length) {
    const at = i;
    const length = [3, 6, 9, 12].find(
      (l) => at + l <= run.length && tryDecode(run.slice(at, at + l)) !== undefined,
    );
    const step = length ?? 3;
    out += tryDecode(run.slice(i, i + step)) ?? run.slice(i, i + step);
    i += step;
  }
  return out;
}

function tryDecode(escapes: string): string | undefined {
  try {
    return decodeURIComponent(escapes);
  } catch {
    return undefined;
  }
}
