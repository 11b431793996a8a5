/**
 * Drafts the composer opens with: a new message, a reply (to the sender, or to everyone), a
 * forward (inline, with the original's attachments, or the original as an attachment), or a
 * refused message to fix. Recipients are text the user can edit; subjects and thread headers
 * come from the pure rules in src-shared/compose.ts. Drafts start rich (HTML in `html`, its
 * plain form in `body`); the identity's signature goes at the end of a new message and above the
 * quote of a reply or forward.
 */
import type { AccountSummary } from '#shared/accounts';
import { formatAddressList } from '#shared/addresses';
import {
  attribution,
  forwardHeaderBlock,
  forwardSubject,
  normalizeMessageId,
  quotePlain,
  replyRecipients,
  replySubject,
  threadHeaders,
} from '#shared/compose';
import { plainTextToHtml } from '#shared/plain-html';
import { identityFor, signatureHtml, signatureText } from '#shared/identities';
import type { MessageRow } from '#shared/mail';
import { localDraftOf } from '../../cache/local-drafts.ts';
import type { OutboxEntry } from '../../cache/outbox.ts';
import { db } from '../../state/cache.ts';
import { readerParts } from '../reader/reader-parts.ts';
import type { ComposerDraft } from '../../state/store.ts';
import { originalAsAttachment, originalAttachments, originalBody } from './original.ts';

const newId = () => crypto.randomUUID();

type SignatureSource = Pick<AccountSummary, 'id' | 'email' | 'identities'>;

/** The signature of the account's identity (its main one), as text and as HTML. */
function signatureOf(account: SignatureSource | undefined): { text: string; html: string } {
  const signature = account ? identityFor(account, undefined).signature : '';
  return { text: signatureText(signature), html: signatureHtml(signature) };
}

/**
 * A draft that starts with an empty line to write on, then the signature, then `rest` (a quote
 * or a forwarded message), in both forms.
 */
function opening(
  account: SignatureSource | undefined,
  rest: { text: string; html: string } = { text: '', html: '' },
): { body: string; html: string; format: 'rich' } {
  const signature = signatureOf(account);
  const text = [signature.text, rest.text].filter(Boolean).join('\n\n');
  return {
    format: 'rich',
    body: text ? `\n\n${text}` : '',
    html: `<p></p>${signature.html}${rest.html}`,
  };
}

/** A new message from the account, rich, with its signature at the end. */
export function newDraft(account: SignatureSource, text = ''): ComposerDraft {
  const start = opening(account);
  return {
    outboxId: newId(),
    accountId: account.id,
    to: '',
    cc: '',
    bcc: '',
    subject: '',
    ...start,
    // A text to start with (a mailto: link's body) takes the empty first line's place.
    ...(text
      ? {
          body: `${text}${start.body}`,
          html: `${plainTextToHtml(text)}${start.html.replace(/^<p><\/p>/, '')}`,
        }
      : {}),
  };
}

export type ReplyMode = 'reply' | 'replyAll' | 'forward' | 'forwardAsAttachment';

/**
 * A reply or forward of a cached message. A reply quotes the original under its attribution line
 * (a `<blockquote>` of the sanitized original; "> " lines in the plain form); an inline forward
 * puts the header block above the original and keeps its attachments; forwarding as an
 * attachment attaches the original's exact bytes as message/rfc822. Rejects (with a sentence)
 * when an attachment cannot be had.
 */
export async function draftFrom(
  row: MessageRow,
  mode: ReplyMode,
  accounts: AccountSummary[],
): Promise<ComposerDraft> {
  const account = accounts.find((a) => a.id === row.accountId);
  const draft = { outboxId: newId(), accountId: row.accountId, to: '', cc: '', bcc: '' };
  if (mode === 'forwardAsAttachment') {
    return {
      ...draft,
      subject: forwardSubject(row.subject),
      ...opening(account),
      attachments: [await originalAsAttachment(row)],
    };
  }
  const original = await originalBody(row);
  if (mode === 'forward') {
    const header = forwardHeaderBlock(row);
    const attachments = await originalAttachments(row);
    return {
      ...draft,
      subject: forwardSubject(row.subject),
      ...opening(account, {
        text: `${header}\n${original.text}`,
        html: `${plainTextToHtml(header.trimEnd())}${original.html}`,
      }),
      ...(attachments.length ? { attachments } : {}),
    };
  }
  // The replying account's own address: other accounts of this app are other people here.
  const own = accounts.filter((a) => a.id === row.accountId).map((a) => a.email);
  const { to, cc } = replyRecipients(row, own, mode);
  const thread = threadHeaders({
    ...(row.messageId ? { messageId: row.messageId } : {}),
    references: [row.threadId, row.inReplyTo],
    ...(row.inReplyTo ? { inReplyTo: row.inReplyTo } : {}),
  });
  const said = attribution(row);
  return {
    ...draft,
    to: formatAddressList(to),
    cc: formatAddressList(cc),
    subject: replySubject(row.subject),
    ...opening(account, {
      text: quotePlain(original.text, said),
      html: `${plainTextToHtml(said)}<blockquote>${original.html}</blockquote>`,
    }),
    ...(thread.inReplyTo ? { inReplyTo: thread.inReplyTo } : {}),
    references: thread.references,
  };
}

/** A message from the outbox, back in the composer (same id and Message-ID: it was never sent). */
export function draftFromOutbox(entry: OutboxEntry): ComposerDraft {
  const m = entry.message;
  return {
    outboxId: entry.id,
    accountId: entry.accountId,
    to: formatAddressList(m.to),
    cc: formatAddressList(m.cc),
    bcc: formatAddressList(m.bcc),
    subject: m.subject,
    body: m.text ?? '',
    ...(m.html !== undefined
      ? { html: m.html, format: 'rich' as const }
      : { format: 'plain' as const }),
    messageId: m.messageId,
    ...(m.attachments?.length ? { attachments: m.attachments } : {}),
    ...(m.inReplyTo ? { inReplyTo: m.inReplyTo } : {}),
    ...(m.references ? { references: m.references } : {}),
  };
}

/**
 * A message of the Drafts folder, back in the composer: recipients, subject, the body (fetched
 * when not cached; a rich draft's HTML through the same sanitizer and editor schema as a quote),
 * attachments, threading headers and its Message-ID, so that later saves replace that same server
 * draft. A local draft of the same Message-ID that is as new or newer wins (it has what the server
 * copy may lack: Bcc, addresses still being typed). The cached row has no Bcc, so a draft from
 * another device comes back without it.
 */
export async function draftFromServerDraft(row: MessageRow): Promise<ComposerDraft> {
  // The cache keeps it without its angle brackets.
  const stored = normalizeMessageId(row.messageId);
  const messageId = stored && OWN_MESSAGE_ID.test(stored) ? stored : undefined;
  const local = messageId ? await localDraftOf(db, row.accountId, messageId) : undefined;
  // The server copy's INTERNALDATE is its save's time (to the second): same version or older.
  if (local && local.updatedAt >= row.date) return local.draft;
  const [body, attachments] = await Promise.all([originalBody(row), originalAttachments(row)]);
  const rich = readerParts(row.structure).body?.type === 'text/html';
  const references = [row.threadId, row.inReplyTo]
    .map(normalizeMessageId)
    .filter((id): id is string => id !== undefined && id !== messageId)
    .filter((id, i, all) => all.indexOf(id) === i);
  const from = row.from[0];
  return {
    outboxId: local?.id ?? newId(),
    accountId: row.accountId,
    ...(from?.address ? { from } : {}),
    to: formatAddressList(row.to),
    cc: formatAddressList(row.cc),
    bcc: local?.draft.bcc ?? '',
    subject: row.subject,
    // A single-part body ends with the line break MIME puts before its end: not the user's.
    body: body.text.replace(/\r?\n$/, ''),
    ...(rich ? { format: 'rich' as const, html: body.html } : { format: 'plain' as const }),
    ...(messageId ? { messageId } : {}),
    ...(attachments.length ? { attachments } : {}),
    ...(row.inReplyTo && normalizeMessageId(row.inReplyTo)
      ? { inReplyTo: normalizeMessageId(row.inReplyTo), references }
      : {}),
  };
}

/** Message-IDs the composer can keep (as main's validation wants them). */
const OWN_MESSAGE_ID = /^<[^<>\s@]+@[^<>\s@]+>$/;
