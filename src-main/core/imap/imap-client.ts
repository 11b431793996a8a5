/**
 * Builds imapflow clients for an account. TLS is implicit or STARTTLS is mandatory
 * (`doSTARTTLS: true` fails rather than falling back); plaintext only by explicit choice, to a
 * loopback host. Literal sizes are capped for a desktop client (imapflow's default is 1 GiB).
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { AccountSettings } from '#shared/accounts';
import { assertSecurityAllowed, tlsOptionsFor } from './tls.ts';

export type ConnectionPurpose = 'watch' | 'work' | 'test';

const MAX_LITERAL_BYTES = 64 * 1024 * 1024;

export function imapOptions(
  account: AccountSettings,
  password: string,
  purpose: ConnectionPurpose,
): ImapFlowOptions {
  const { imap } = account;
  assertSecurityAllowed('IMAP', imap);
  return {
    host: imap.host,
    port: imap.port,
    secure: imap.security === 'tls',
    doSTARTTLS: imap.security === 'starttls' ? true : imap.security === 'plain' ? false : undefined,
    tls: tlsOptionsFor(imap),
    auth: { user: account.username, pass: password },
    logger: false,
    qresync: true,
    maxLiteralSize: MAX_LITERAL_BYTES,
    connectionTimeout: 15_000,
    greetingTimeout: 10_000,
    socketTimeout: 5 * 60_000,
    // The watch connection idles on INBOX; enter IDLE almost at once (imapflow waits 15 s by
    // default, and new mail arriving meanwhile showed up that late). The work connection
    // never idles: it always has something to do or nothing selected worth watching.
    disableAutoIdle: purpose !== 'watch',
    autoIdleDelay: 50,
    clientInfo: { name: 'Petrel' },
  };
}

export function createImapClient(
  account: AccountSettings,
  password: string,
  purpose: ConnectionPurpose,
): ImapFlow {
  return new ImapFlow(imapOptions(account, password, purpose));
}
