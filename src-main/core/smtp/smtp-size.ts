/**
 * The largest message an account's SMTP server takes: its SIZE extension (RFC 1870), read from
 * the EHLO reply, so the composer can warn before sending something the server would refuse
 * after the whole upload. Learned with a short connection (greeting, EHLO, STARTTLS and EHLO
 * again, QUIT; no login: servers list SIZE before AUTH) under the same TLS rules as sending, and
 * kept per server for an hour. Nothing is cached when the server cannot be reached.
 */
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { AccountSettings } from '#shared/accounts';
import type { SmtpSizeLimit } from '#shared/dto';
import { smtpTransportOptions } from './smtp-transport.ts';

/** How long a learned SIZE is trusted before the server is asked again. */
export const SIZE_TTL_MS = 60 * 60_000;
/** The whole look (connect, TLS, EHLO) may take this long. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * The SIZE an EHLO reply announces: a number of bytes; undefined when it has no SIZE line or
 * announces none ("SIZE" alone or "SIZE 0" mean no fixed limit).
 */
export function sizeFromEhlo(reply: string): number | undefined {
  const match = /^\d{3}[ -]SIZE(?:[ \t]+(\d+))?[ \t]*$/im.exec(reply);
  const size = Number(match?.[1] ?? 0);
  return size > 0 ? size : undefined;
}

/** Connects, reads the final EHLO reply and quits. Rejects on any connection failure. */
export function readEhlo(account: AccountSettings, password: string): Promise<string> {
  const options = smtpTransportOptions(account, password);
  const connection = new SMTPConnection({
    ...options,
    connectionTimeout: Math.min(options.connectionTimeout ?? PROBE_TIMEOUT_MS, PROBE_TIMEOUT_MS),
    greetingTimeout: Math.min(options.greetingTimeout ?? PROBE_TIMEOUT_MS, PROBE_TIMEOUT_MS),
    socketTimeout: PROBE_TIMEOUT_MS,
  });
  return new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => {
      connection.close();
      reject(new Error('the SMTP server did not answer EHLO in time'));
    }, PROBE_TIMEOUT_MS + 1_000);
    connection.once('error', (error) => {
      clearTimeout(deadline);
      connection.close();
      reject(error);
    });
    connection.connect((error) => {
      clearTimeout(deadline);
      if (error) {
        connection.close();
        return reject(error);
      }
      // Right after connect, the last reply is the EHLO that followed STARTTLS (if any).
      const reply = connection.lastServerResponse || '';
      connection.quit();
      resolve(reply);
    });
  });
}

type Probe = (account: AccountSettings, password: string) => Promise<string>;

/** SIZE per SMTP server, learned once and cached. */
export class SmtpSizeLimits {
  private readonly known = new Map<string, { maxBytes?: number; at: number }>();

  constructor(
    private readonly probe: Probe = readEhlo,
    private readonly now: () => number = Date.now,
  ) {}

  /** The account's server and, when known, its SIZE. */
  async of(account: AccountSettings, password: string): Promise<SmtpSizeLimit> {
    const key = `${account.smtp.host}:${account.smtp.port}:${account.smtp.security}`;
    const server = account.smtp.host;
    const cached = this.known.get(key);
    if (cached && this.now() - cached.at < SIZE_TTL_MS) return withSize(server, cached.maxBytes);
    let reply: string;
    try {
      reply = await this.probe(account, password);
    } catch {
      // Unknown: the composer falls back to the common 25 MB; sending will say what is wrong.
      return { server };
    }
    const maxBytes = sizeFromEhlo(reply);
    this.known.set(key, { ...(maxBytes ? { maxBytes } : {}), at: this.now() });
    return withSize(server, maxBytes);
  }
}

const withSize = (server: string, maxBytes: number | undefined): SmtpSizeLimit =>
  maxBytes ? { server, maxBytes } : { server };
