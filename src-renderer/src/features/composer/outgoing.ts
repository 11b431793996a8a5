/** The message as main will send it, made from what the composer holds. */
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
    text: draft.body,
    date: Date.now(),
    ...(draft.attachments?.length ? { attachments: draft.attachments } : {}),
    ...(draft.inReplyTo ? { inReplyTo: draft.inReplyTo } : {}),
    ...(draft.references?.length ? { references: draft.references } : {}),
  };
}
