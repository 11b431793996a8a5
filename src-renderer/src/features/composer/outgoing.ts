/**
 * The message as main will send it, made from what the composer holds. A rich draft goes as its
 * HTML (main adds the text/plain alternative made from that HTML, so the two always match); a
 * plain one as its text alone.
 */
import type { AccountSummary } from '#shared/accounts';
import type { parseAddressList } from '#shared/addresses';
import { newMessageId, stripHeaderBreaks } from '#shared/compose';
import { identityFor, senderOf } from '#shared/identities';
import type { OutgoingMessage } from '#shared/tasks';
import type { ComposerDraft } from '../../state/store.ts';

export type AddressFieldName = 'to' | 'cc' | 'bcc';

/** The message as main sends it; its Message-ID is made once and kept on every retry. */
export function outgoing(
  draft: ComposerDraft,
  account: AccountSummary,
  parsed: Record<AddressFieldName, ReturnType<typeof parseAddressList>>,
): OutgoingMessage {
  const domain = account.email.split('@')[1] ?? 'localhost.localdomain';
  return {
    messageId: draft.messageId ?? newMessageId(domain, () => crypto.randomUUID()),
    from: senderOf(identityFor(account, draft.from)),
    to: parsed.to.addresses,
    cc: parsed.cc.addresses,
    bcc: parsed.bcc.addresses,
    // A line break in a header field could start another header: never one in the subject.
    subject: stripHeaderBreaks(draft.subject),
    ...(draft.format === 'plain' ? { text: draft.body } : { html: draft.html ?? '' }),
    date: Date.now(),
    ...(draft.attachments?.length ? { attachments: draft.attachments } : {}),
    ...(draft.inReplyTo ? { inReplyTo: draft.inReplyTo } : {}),
    ...(draft.references?.length ? { references: draft.references } : {}),
  };
}

/** Per attachment: MIME headers and base64's line breaks (76 characters and CRLF). */
const PART_OVERHEAD = 300;

/**
 * About how many bytes the message will be on the wire: headers, the body (HTML plus its text
 * part, or the text; quoted-printable adds a little), and every attachment in base64 (4/3 of its
 * bytes, plus line breaks). What a server's SIZE limit is compared with.
 */
export function estimatedSize(message: OutgoingMessage): number {
  const utf8 = (text: string | undefined) => new TextEncoder().encode(text ?? '').length;
  const body = message.html !== undefined ? utf8(message.html) * 1.6 : utf8(message.text);
  const attachments = (message.attachments ?? []).reduce(
    (sum, a) => sum + a.dataBase64.length * (78 / 76) + PART_OVERHEAD,
    0,
  );
  return Math.ceil(2048 + body * 1.05 + attachments);
}
