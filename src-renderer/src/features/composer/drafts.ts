/**
 * Drafts the composer opens with: a new message, a reply (to the sender, or to everyone), a
 * forward, or a refused message to fix. Recipients are text the user can edit; subjects and
 * thread headers come from the pure rules in src-shared/compose.ts.
 */
import type { AccountSummary } from '#shared/accounts';
import { formatAddressList } from '#shared/addresses';
import {
  attribution,
  forwardHeaderBlock,
  forwardSubject,
  quotePlain,
  replyRecipients,
  replySubject,
  threadHeaders,
} from '#shared/compose';
import type { MessageRow } from '#shared/mail';
import { textPart } from '#shared/mime';
import type { OutboxEntry } from '../../cache/outbox.ts';
import { db } from '../../state/cache.ts';
import type { ComposerDraft } from '../../state/store.ts';

const newId = () => crypto.randomUUID();

export function newDraft(accountId: string): ComposerDraft {
  return { outboxId: newId(), accountId, to: '', cc: '', bcc: '', subject: '', body: '' };
}

export type ReplyMode = 'reply' | 'replyAll' | 'forward';

/** A reply or forward of a cached message, quoting its text (plain; HTML becomes its text). */
export async function draftFrom(
  row: MessageRow,
  mode: ReplyMode,
  accounts: AccountSummary[],
): Promise<ComposerDraft> {
  const text = await plainTextOf(row);
  const draft = newDraft(row.accountId);
  if (mode === 'forward') {
    return {
      ...draft,
      subject: forwardSubject(row.subject),
      body: `\n\n${forwardHeaderBlock(row)}\n\n${text}`,
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
  return {
    ...draft,
    to: formatAddressList(to),
    cc: formatAddressList(cc),
    subject: replySubject(row.subject),
    body: `\n\n${quotePlain(text, attribution(row))}`,
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
    messageId: m.messageId,
    ...(m.attachments?.length ? { attachments: m.attachments } : {}),
    ...(m.inReplyTo ? { inReplyTo: m.inReplyTo } : {}),
    ...(m.references ? { references: m.references } : {}),
  };
}

/**
 * The text to quote: the cached text/plain part, else the HTML part's text (parsed inertly, never
 * rendered), else a note that the body is not saved here.
 */
async function plainTextOf(row: MessageRow): Promise<string> {
  const part = row.structure ? textPart(row.structure) : { part: '1', type: 'text/plain' };
  if (!part) return '';
  const body = await db.bodies.get([row.id, part.part]);
  if (!body?.text) return '(The original text is not saved on this computer.)';
  if (part.type !== 'text/html') return body.text;
  // DOMParser documents never run scripts or load anything: only the text is read.
  return new DOMParser().parseFromString(body.text, 'text/html').body.textContent ?? '';
}
