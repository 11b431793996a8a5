/**
 * Fetches the MIME parts a reader needs, decoded by imapflow (transfer encoding removed, text
 * converted to UTF-8), never the whole message: opening one line of a 30 MB mail costs one part.
 */
import type { ImapFlow } from 'imapflow';
import type { Readable } from 'node:stream';
import type { BodyPart } from '#shared/mail';

/** Text beyond this is cut (a reader shows far less; Mailspring cuts at 300,000 characters). */
export const MAX_TEXT_BYTES = 4 * 1024 * 1024;
/** Attachments up to the client's literal limit. */
export const MAX_PART_BYTES = 64 * 1024 * 1024;

export interface PartsOfMessage {
  rowId: string;
  uid: number;
  parts: string[];
}

/** Downloads the parts of each message on a client that has its folder selected. */
export async function downloadParts(
  client: ImapFlow,
  messages: PartsOfMessage[],
): Promise<BodyPart[]> {
  const out: BodyPart[] = [];
  for (const message of messages) {
    for (const part of message.parts) {
      const fetched = await downloadPart(client, message, part);
      if (fetched) out.push(fetched);
    }
  }
  return out;
}

async function downloadPart(
  client: ImapFlow,
  message: PartsOfMessage,
  part: string,
): Promise<BodyPart | undefined> {
  const download = await client.download(String(message.uid), part, {
    uid: true,
    maxBytes: MAX_PART_BYTES,
  });
  if (!('content' in download) || !download.content) return undefined;
  const { meta } = download;
  const contentType = (meta.contentType ?? 'application/octet-stream').toLowerCase();
  const isText =
    (contentType === 'text/plain' || contentType === 'text/html') &&
    meta.disposition !== 'attachment';
  const limit = isText ? MAX_TEXT_BYTES : MAX_PART_BYTES;
  const { bytes, truncated } = await readLimited(download.content, limit);
  const body: BodyPart = { rowId: message.rowId, part, contentType, size: bytes.length };
  if (isText) body.text = bytes.toString('utf8');
  else body.dataBase64 = bytes.toString('base64');
  if (truncated) body.truncated = true;
  return body;
}

async function readLimited(
  stream: Readable,
  limit: number,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    if (size + buffer.length > limit) {
      chunks.push(buffer.subarray(0, limit - size));
      stream.destroy();
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(buffer);
    size += buffer.length;
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}
