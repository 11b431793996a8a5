/**
 * "Test connection" for account settings: logs in to the IMAP server (connect + logout) and the
 * SMTP server (EHLO, STARTTLS, AUTH, QUIT) in parallel, with the exact client settings the app
 * uses, and explains every failure in a sentence (see connection-errors.ts).
 */
import nodemailer from 'nodemailer';
import type {
  AccountSettings,
  ConnectionProblem,
  ConnectionTestResult,
  ServerSettings,
} from '#shared/accounts';
import { createImapClient } from '../imap/imap-client.ts';
import { isPlaintextToAnotherHost } from '../imap/tls.ts';
import { SMTP_TIMEOUTS, smtpTransportOptions } from '../smtp/smtp-transport.ts';
import {
  PROBE_TIMEOUT_MS,
  readServerCertificate,
  readServerGreeting,
} from './certificate-probe.ts';
import {
  classifyImapError,
  classifySmtpError,
  greetingProtocol,
  implicitTlsPortProblem,
  plaintextRefusedProblem,
  protocolProblem,
  type ServerRole,
} from './connection-errors.ts';

/** Longer than imapflow's 10 s greeting timeout, so its more specific errors normally win. */
export const DEFAULT_TEST_TIMEOUT_MS = 20_000;

/** After a successful login, how long LOGOUT/QUIT may take before the socket is just closed. */
const GOODBYE_MS = 2_000;

export interface TestConnectionOptions {
  /**
   * Limit for each server's attempt (both run in parallel). Explaining a failure may add up to
   * PROBE_TIMEOUT_MS (or timeoutMs, if shorter) for reading the certificate or the greeting.
   */
  timeoutMs?: number;
}

/**
 * Tests both servers of an account with this password. Never throws: every failure becomes a
 * ConnectionProblem; a certificate that is not trusted comes with its details, so the user
 * can decide to pin it.
 */
export async function testConnection(
  account: AccountSettings,
  password: string,
  opts: TestConnectionOptions = {},
): Promise<ConnectionTestResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TEST_TIMEOUT_MS;
  const results = await Promise.all([
    testImap(account, password, timeoutMs),
    testSmtp(account, password, timeoutMs),
  ]);
  const problems = results.filter((p): p is ConnectionProblem => p !== undefined);
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

async function testImap(
  account: AccountSettings,
  password: string,
  timeoutMs: number,
): Promise<ConnectionProblem | undefined> {
  const server = account.imap;
  // Checked here too (imapOptions throws for it): no socket may be opened at all.
  if (isPlaintextToAnotherHost(server)) return plaintextRefusedProblem('imap', server);
  let client: ReturnType<typeof createImapClient> | undefined;
  try {
    client = createImapClient(account, password, 'test');
    // Failures surface through connect(); an unhandled 'error' event would crash the process.
    client.on('error', () => undefined);
    const connecting = client;
    await withDeadline(connecting.connect(), timeoutMs, () => connecting.close());
  } catch (err) {
    client?.close();
    return explain(classifyImapError(err, server, account.username), server, timeoutMs);
  }
  const connected = client;
  await withDeadline(connected.logout(), GOODBYE_MS).catch(() => connected.close());
  return undefined;
}

async function testSmtp(
  account: AccountSettings,
  password: string,
  timeoutMs: number,
): Promise<ConnectionProblem | undefined> {
  const server = account.smtp;
  if (isPlaintextToAnotherHost(server)) return plaintextRefusedProblem('smtp', server);
  let transport: ReturnType<typeof nodemailer.createTransport> | undefined;
  try {
    // verify() cannot be cancelled, so its own timers are cut to the deadline (then its specific
    // errors win, and no socket outlives the test by more than that).
    transport = nodemailer.createTransport({
      ...smtpTransportOptions(account, password),
      connectionTimeout: Math.min(SMTP_TIMEOUTS.connectionMs, timeoutMs),
      greetingTimeout: Math.min(SMTP_TIMEOUTS.greetingMs, timeoutMs),
      socketTimeout: Math.min(SMTP_TIMEOUTS.socketMs, timeoutMs),
    });
    // The margin lets nodemailer's own (more specific) timeout errors arrive first.
    await withDeadline(transport.verify(), timeoutMs + GOODBYE_MS);
    return undefined;
  } catch (err) {
    return explain(classifySmtpError(err, server, account.username), server, timeoutMs);
  } finally {
    transport?.close();
  }
}

/**
 * Adds what only another look at the server can tell: the certificate behind
 * 'certificate-untrusted', and for a server that stayed silent, whether the port speaks
 * another protocol or expects implicit TLS.
 */
async function explain(
  found: ConnectionProblem,
  server: ServerSettings,
  timeoutMs: number,
): Promise<ConnectionProblem> {
  const probeMs = Math.min(PROBE_TIMEOUT_MS, timeoutMs);
  if (found.kind === 'certificate-untrusted') {
    const certificate = await readServerCertificate(server, found.server, { timeoutMs: probeMs });
    return certificate ? { ...found, certificate } : found;
  }
  if (found.kind === 'timeout') {
    return (await diagnoseSilence(found.server, server, probeMs)) ?? found;
  }
  return found;
}

/**
 * A server that never greeted may wait for a TLS handshake (STARTTLS configured on an
 * implicit-TLS port) or speak another protocol (imapflow ignores an SMTP "220" greeting). Both
 * looks run in parallel and send nothing but, for the first, a TLS ClientHello.
 */
async function diagnoseSilence(
  role: ServerRole,
  server: ServerSettings,
  timeoutMs: number,
): Promise<ConnectionProblem | undefined> {
  const listening = new AbortController();
  const greeting = readServerGreeting(server, { timeoutMs, signal: listening.signal });
  if (server.security !== 'tls') {
    const tlsSettings: ServerSettings = { ...server, security: 'tls' };
    if (await readServerCertificate(tlsSettings, role, { timeoutMs })) {
      // A port that completes a TLS handshake will not greet in plaintext: stop waiting.
      listening.abort();
      return implicitTlsPortProblem(role, server);
    }
  }
  const line = await greeting;
  const heard = line === undefined ? undefined : greetingProtocol(line);
  return heard && heard !== role ? protocolProblem(role, server, heard) : undefined;
}

/** Settles like `work`, or rejects with a timeout error (code ETIMEDOUT) after `ms`. */
function withDeadline<T>(work: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(Object.assign(new Error(`No answer within ${ms} ms`), { code: 'ETIMEDOUT' }));
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
