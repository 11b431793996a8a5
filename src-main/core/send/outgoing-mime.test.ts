/**
 * The MIME tree of rich and plain messages, and attached messages kept byte for byte.
 */
import libqp from 'libqp';
import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '#shared/tasks';
import { buildMessage } from './outgoing-mime.ts';

const base: OutgoingMessage = {
  messageId: '<m2@example.test>',
  from: { address: 'alice@example.test' },
  to: [{ address: 'bob@example.test' }],
  cc: [],
  bcc: [],
  subject: 'Rich',
  date: Date.UTC(2026, 0, 2, 3, 4, 5),
};

/** The decoded body of the first part with this Content-Type. */
function partBody(raw: string, type: string): string | undefined {
  const at = raw.search(new RegExp(`^Content-Type: ${type.replace('/', '\\/')}`, 'im'));
  if (at < 0) return undefined;
  const rest = raw.slice(at);
  const headerEnd = rest.indexOf('\r\n\r\n');
  const headers = rest.slice(0, headerEnd);
  const body = rest.slice(headerEnd + 4).split(/\r\n--/)[0] ?? '';
  if (/quoted-printable/i.test(headers)) return libqp.decode(body).toString('utf8');
  if (/base64/i.test(headers)) return Buffer.from(body, 'base64').toString('utf8');
  return body;
}

describe('buildMessage', () => {
  it('sends HTML as multipart/alternative with a text part made from that HTML', async () => {
    const html =
      '<p>Hi <strong>Bob</strong></p><ul><li><p>apples</p></li><li><p>pears</p></li></ul>' +
      '<p>Menu: <a href="https://example.org/menu">here</a></p>';
    const built = await buildMessage({ ...base, html, text: 'stale text the renderer sent' });
    const raw = built.forSmtp.toString();
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/im);
    const text = partBody(raw, 'text/plain');
    expect(text).toMatch(/- apples\r?\n- pears/);
    expect(text).toContain('here <https://example.org/menu>');
    expect(text).not.toContain('stale text');
    expect(partBody(raw, 'text/html')).toContain('<strong>Bob</strong>');
    // text/plain comes first: the last alternative is the preferred one (RFC 2046 5.1.4).
    expect(raw.indexOf('Content-Type: text/plain')).toBeLessThan(
      raw.indexOf('Content-Type: text/html'),
    );
  });

  it('sends a plain message as text/plain alone', async () => {
    const raw = (await buildMessage({ ...base, text: 'Just text' })).forSmtp.toString();
    expect(raw).toMatch(/^Content-Type: text\/plain/im);
    expect(raw).not.toMatch(/multipart|text\/html/i);
  });

  it('attaches a message/rfc822 part with its bytes unchanged', async () => {
    const original = Buffer.from(
      'From: carol@example.test\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' +
        'Grüße\r\n.leading dot\r\n',
    );
    const built = await buildMessage({
      ...base,
      text: 'See attached',
      attachments: [
        {
          filename: 'Greetings.eml',
          contentType: 'message/rfc822',
          dataBase64: original.toString('base64'),
        },
      ],
    });
    const raw = built.forSmtp;
    expect(raw.toString()).toMatch(/^Content-Type: message\/rfc822/im);
    expect(raw.includes(original)).toBe(true);
  });
});
