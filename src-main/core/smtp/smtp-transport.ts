/**
 * Builds nodemailer SMTP transports for an account. Same policy as IMAP (see ../imap/tls.ts):
 * implicit TLS or mandatory STARTTLS, certificates always verified, plaintext only by explicit
 * choice to a loopback host. Messages can never pull in local files or URLs (nodemailer
 * advisories: content pointing at a path or an href is read by the transport unless disabled).
 */
import nodemailer, {
  type SMTPSentMessageInfo,
  type SMTPTransportOptions,
  type Transporter,
} from 'nodemailer';
import type { AccountSettings } from '#shared/accounts';
import { assertSecurityAllowed, tlsOptionsFor } from '../imap/tls.ts';

/** Time limits, in milliseconds, for every SMTP connection Petrel opens. */
export const SMTP_TIMEOUTS = {
  /** TCP connect, DNS included. */
  connectionMs: 15_000,
  /** From connected to the server's 220 greeting (and for a STARTTLS upgrade). */
  greetingMs: 10_000,
  /** Silence on an open connection, e.g. while a large message is accepted. */
  socketMs: 2 * 60_000,
} as const;

/**
 * EHLO argument. nodemailer defaults to the machine's host name, which leaks it to every
 * server; an address literal is what Thunderbird sends, and submission servers accept it.
 */
const EHLO_NAME = '[127.0.0.1]';

/**
 * nodemailer options for the account's SMTP server.
 * @throws PetrelError 'invalid-argument' for unencrypted SMTP to anything but this computer.
 */
export function smtpTransportOptions(
  account: AccountSettings,
  password: string,
): SMTPTransportOptions {
  const { smtp } = account;
  return {
    host: smtp.host,
    port: smtp.port,
    ...securityOptions(account),
    tls: tlsOptionsFor(smtp),
    auth: { user: account.username, pass: password },
    name: EHLO_NAME,
    connectionTimeout: SMTP_TIMEOUTS.connectionMs,
    greetingTimeout: SMTP_TIMEOUTS.greetingMs,
    socketTimeout: SMTP_TIMEOUTS.socketMs,
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
    debug: false,
  };
}

/**
 * A nodemailer transport for the account (one connection per message; `close()` when done).
 * @throws PetrelError 'invalid-argument' as smtpTransportOptions.
 */
export function createSmtpTransport(
  account: AccountSettings,
  password: string,
): Transporter<SMTPSentMessageInfo, SMTPTransportOptions> {
  return nodemailer.createTransport(smtpTransportOptions(account, password));
}

function securityOptions(
  account: AccountSettings,
): Pick<SMTPTransportOptions, 'secure' | 'requireTLS' | 'ignoreTLS'> {
  const { smtp } = account;
  if (smtp.security === 'tls') return { secure: true };
  // requireTLS: fail when STARTTLS is missing or refused instead of going on in plaintext.
  if (smtp.security === 'starttls') return { secure: false, requireTLS: true };
  assertSecurityAllowed('SMTP', smtp);
  // The user chose no encryption to this computer: do not start STARTTLS behind their back (a
  // local bridge's self-signed certificate would then fail a connection they configured).
  return { secure: false, ignoreTLS: true };
}
