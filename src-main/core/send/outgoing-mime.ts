/**
 * The MIME of an outgoing message, built once by nodemailer's MailComposer: one tree, serialized
 * twice — without Bcc for SMTP (recipients must not see it), with Bcc for the Sent copy (the sender
 * sees who got it). Same boundaries, same Message-ID and Date in both. Nothing is ever read from a
 * file or a URL: attachments arrive as bytes, and both kinds of access are switched off anyway.
 *
 * A rich message (HTML) always goes as multipart/alternative with a text/plain part made here from
 * that very HTML (`htmlToPlainText`), so the two alternatives cannot drift apart whatever the
 * renderer sent; a plain one is text/plain alone.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import { htmlToPlainText } from '#shared/html-text';
import type { Address } from '#shared/mail';
import type { OutgoingMessage } from '#shared/tasks';

export interface BuiltMessage {
  /** For SMTP: no Bcc header. */
  forSmtp: Buffer;
  /** For the Sent folder: Bcc kept. */
  forSent: Buffer;
  /** MAIL FROM and every RCPT TO (To, Cc and Bcc). */
  envelope: { from: string; to: string[] };
  date: Date;
}

type Node = ReturnType<MailComposer['compile']>;

export async function buildMessage(
  message: OutgoingMessage,
  now: () => number = Date.now,
): Promise<BuiltMessage> {
  const date = new Date(message.date ?? now());
  const text = message.html !== undefined ? htmlToPlainText(message.html) : message.text;
  const node = new MailComposer({
    from: mailbox(message.from),
    to: message.to.map(mailbox),
    cc: message.cc.map(mailbox),
    bcc: message.bcc.map(mailbox),
    subject: message.subject,
    messageId: message.messageId,
    date,
    ...(text !== undefined ? { text } : {}),
    ...(message.html !== undefined ? { html: message.html } : {}),
    ...(message.inReplyTo ? { inReplyTo: message.inReplyTo } : {}),
    ...(message.references?.length ? { references: message.references } : {}),
    attachments: (message.attachments ?? []).map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: Buffer.from(a.dataBase64, 'base64'),
    })),
    disableFileAccess: true,
    disableUrlAccess: true,
  }).compile();
  node.keepBcc = false;
  const forSmtp = await build(node);
  node.keepBcc = true;
  const forSent = await build(node);
  const envelope = node.getEnvelope();
  return {
    forSmtp,
    forSent,
    envelope: { from: envelope.from || message.from.address || '', to: envelope.to },
    date,
  };
}

function mailbox(address: Address): { name: string; address: string } {
  return { name: address.name ?? '', address: address.address ?? '' };
}

function build(node: Node): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    node.build((error, raw) => (error ? reject(error) : resolve(raw)));
  });
}
