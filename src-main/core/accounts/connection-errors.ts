/**
 * Turns what imapflow and nodemailer throw while connecting into a ConnectionProblem: a kind the
 * UI can act on and a sentence that says what happened and what to check. Pure, no I/O.
 *
 * The error shapes are the ones the libraries really produce (imapflow 2.10, nodemailer 10.6),
 * recorded against the Dovecot/Postfix rig; connection-test.int.test.ts keeps them honest.
 * - imapflow passes Node's errors through (`code` ECONNREFUSED, ENOTFOUND,
 *   DEPTH_ZERO_SELF_SIGNED_CERT, ERR_SSL_WRONG_VERSION_NUMBER …), adds its own codes
 *   (GREETING_TIMEOUT, CONNECT_TIMEOUT, ParserError…), sets `authenticationFailed` on a refused
 *   login and `tlsFailed` on STARTTLS failures; a missing STARTTLS is a plain Error with
 *   `tlsFailed` and no code ("Server does not support STARTTLS").
 * - nodemailer replaces `code` with its own (ESOCKET, EDNS, ETIMEDOUT, EAUTH, ETLS, EPROTOCOL)
 *   and keeps Node's as `originalCode`; `responseCode` and `command` tell which SMTP step failed.
 */
import type { ConnectionProblem, ConnectionProblemKind, ServerSettings } from '#shared/accounts';

/** Which of the account's two servers a problem is about. */
export type ServerRole = 'imap' | 'smtp';

/** What the UI can tell about a server that answered in an unexpected language. */
export type HeardProtocol = 'imap' | 'smtp' | 'pop3' | 'http' | 'ssh';

/** The fields of a library error that classification reads. */
interface ErrorFacts {
  message: string;
  /** imapflow's or Node's code, or nodemailer's own (ESOCKET, EAUTH …). */
  code?: string;
  /** Node's/OpenSSL's code: `originalCode` under nodemailer, `code` under imapflow. */
  netCode?: string;
  authenticationFailed: boolean;
  tlsFailed: boolean;
  /** IMAP response code, e.g. AUTHENTICATIONFAILED. */
  serverResponseCode?: string;
  /** SMTP reply code. */
  responseCode?: number;
  /** The server's reply text, if any (SMTP: with the reply code). */
  response?: string;
  /** SMTP command in flight (CONN, EHLO, STARTTLS, AUTH PLAIN …). */
  command?: string;
  /** OpenSSL's reason ("wrong version number") or imapflow's BYE reason. */
  reason?: string;
}

interface Subject {
  role: ServerRole;
  server: ServerSettings;
  username?: string;
}

const PORTS: Record<ServerRole, { tls: number; starttls: number }> = {
  imap: { tls: 993, starttls: 143 },
  smtp: { tls: 465, starttls: 587 },
};

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN']);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ETIMEOUT',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
]);
/** X.509 verification failures as Node reports them (OpenSSL names, plus Node's own name check). */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
/** imapflow's codes for a server that does not speak IMAP the way it should. */
const IMAP_PROTOCOL_CODES = new Set([
  'InvalidResponse',
  'UnexpectedTag',
  'MissingTag',
  'ResponseProcessingFailed',
  'LineTooLarge',
  'ResponseTooLarge',
  'TooManyTokens',
  'MAX_IMAP_NESTING_REACHED',
]);
/** The error tls.ts raises when a pinned certificate is not the presented one (it has no code). */
const PIN_MISMATCH = /not the one you chose to trust/i;

/** Classifies an error from imapflow's `connect()` (or our own deadline) for this IMAP server. */
export function classifyImapError(
  err: unknown,
  server: ServerSettings,
  username?: string,
): ConnectionProblem {
  const facts = factsOf(err);
  const subject: Subject = { role: 'imap', server, username };
  return imapSpecific(facts, subject) ?? common(facts, subject) ?? imapLate(facts, subject);
}

/** Classifies an error from nodemailer's `verify()` (or our own deadline) for this SMTP server. */
export function classifySmtpError(
  err: unknown,
  server: ServerSettings,
  username?: string,
): ConnectionProblem {
  const facts = factsOf(err);
  const subject: Subject = { role: 'smtp', server, username };
  return smtpSpecific(facts, subject) ?? common(facts, subject) ?? smtpLate(facts, subject);
}

/** The server did not answer in time (also used when Petrel's own deadline ends the attempt). */
export function timeoutProblem(role: ServerRole, server: ServerSettings): ConnectionProblem {
  return problem(
    role,
    'timeout',
    `${label(role, server)} did not answer in time. Check the server name and port, and that no firewall blocks the connection.`,
  );
}

/** Unencrypted connections go only to this computer; refused before any connection is made. */
export function plaintextRefusedProblem(
  role: ServerRole,
  server: ServerSettings,
): ConnectionProblem {
  return problem(
    role,
    'plaintext-refused',
    `Unencrypted connections are only allowed to this computer (localhost), and ${server.host} is another computer. Choose TLS or STARTTLS for the ${upper(role)} server.`,
  );
}

/** A port that starts with a TLS handshake was configured for STARTTLS or plaintext. */
export function implicitTlsPortProblem(
  role: ServerRole,
  server: ServerSettings,
): ConnectionProblem {
  const ports = PORTS[role];
  return problem(
    role,
    'tls-failed',
    `${label(role, server)} expects TLS from the start (implicit TLS), but the account is set to ${server.security === 'plain' ? 'no encryption' : 'STARTTLS'} on that port. Choose TLS for port ${server.port}, or use STARTTLS with port ${ports.starttls}.`,
  );
}

/** The server greeted in another protocol (e.g. SMTP on the port given for IMAP). */
export function protocolProblem(
  role: ServerRole,
  server: ServerSettings,
  heard?: HeardProtocol,
): ConnectionProblem {
  const answered = heard && heard !== role ? ` It answered like ${article(heard)} server.` : '';
  return problem(
    role,
    'protocol',
    `${label(role, server)} does not speak ${upper(role)}.${answered} Check the port: ${portHint(role)}.`,
  );
}

/** Which protocol a server's first line belongs to, if it is recognizable. */
export function greetingProtocol(line: string): HeardProtocol | undefined {
  if (/^\* (OK|PREAUTH|BYE)\b/i.test(line)) return 'imap';
  if (/^220[ -]/.test(line)) return 'smtp';
  if (/^\+OK\b/.test(line)) return 'pop3';
  if (/^HTTP\/\d/i.test(line)) return 'http';
  if (/^SSH-/.test(line)) return 'ssh';
  return undefined;
}

/** "host:port", with IPv6 literals in brackets. */
export function hostPort(server: Pick<ServerSettings, 'host' | 'port'>): string {
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  return `${host}:${server.port}`;
}

// ---- rules ---------------------------------------------------------------------------------

function imapSpecific(f: ErrorFacts, s: Subject): ConnectionProblem | undefined {
  if (f.authenticationFailed) return imapAuthProblem(f, s);
  if (f.code === 'STARTTLS_INJECTION') return injectionProblem(s);
  // imapflow's required-STARTTLS failures carry tlsFailed but no code; handshake errors have one.
  if (f.tlsFailed && !f.code && /STARTTLS/i.test(f.message)) return starttlsMissing(f, s);
  return undefined;
}

function imapLate(f: ErrorFacts, s: Subject): ConnectionProblem {
  if (f.tlsFailed) return tlsProblem(f, s);
  if (f.code && (IMAP_PROTOCOL_CODES.has(f.code) || f.code.startsWith('ParserError'))) {
    return protocolProblem(s.role, s.server);
  }
  if (f.code === 'ClosedAfterConnectText' || f.code === 'ClosedAfterConnectTLS') {
    return closedProblem(f, s);
  }
  return unknownProblem(f, s);
}

function smtpSpecific(f: ErrorFacts, s: Subject): ConnectionProblem | undefined {
  if (f.code === 'EAUTH' || f.code === 'ENOAUTH') return smtpAuthProblem(f, s);
  // requireTLS sends STARTTLS even when EHLO does not list it; the server's refusal lands here.
  if (f.code === 'ETLS' && f.command === 'STARTTLS' && f.responseCode) return starttlsMissing(f, s);
  if (f.code === 'ECONNECTION' && f.command === 'EHLO' && /STARTTLS/.test(f.message)) {
    return starttlsMissing(f, s);
  }
  return undefined;
}

function smtpLate(f: ErrorFacts, s: Subject): ConnectionProblem {
  if (f.code === 'ETLS') return tlsProblem(f, s);
  if (f.code === 'EPROTOCOL') {
    return protocolProblem(s.role, s.server, greetingProtocol(f.response ?? ''));
  }
  if (f.code === 'ECONNECTION') return closedProblem(f, s);
  return unknownProblem(f, s);
}

/** Network, DNS, timeout and TLS failures: the same for both protocols. */
function common(f: ErrorFacts, s: Subject): ConnectionProblem | undefined {
  const code = f.netCode ?? f.code;
  if (code && DNS_CODES.has(code)) return hostNotFound(code, s);
  if (code === 'ECONNREFUSED') return refusedProblem(s);
  if (code && UNREACHABLE_CODES.has(code)) return unreachableProblem(s);
  if (code && TIMEOUT_CODES.has(code)) return timeoutProblem(s.role, s.server);
  if ((code && CERTIFICATE_CODES.has(code)) || PIN_MISMATCH.test(f.message)) {
    return certificateProblem(code, s);
  }
  if (isTlsHandshakeFailure(code, f.message)) return tlsProblem(f, s);
  return undefined;
}

function isTlsHandshakeFailure(code: string | undefined, message: string): boolean {
  if (code?.startsWith('ERR_SSL_') || code?.startsWith('ERR_TLS_') || code === 'EPROTO')
    return true;
  // The server hung up during the handshake, e.g. a plaintext server that disliked ClientHello.
  return code === 'ECONNRESET' && /before secure TLS connection/i.test(message);
}

// ---- problems ------------------------------------------------------------------------------

function imapAuthProblem(f: ErrorFacts, s: Subject): ConnectionProblem {
  const where = label(s.role, s.server);
  if (f.message === 'Login is disabled' || f.serverResponseCode === 'PRIVACYREQUIRED') {
    return problem(
      s.role,
      'plaintext-refused',
      `${where} refuses to log in over an unencrypted connection. Choose TLS or STARTTLS.`,
    );
  }
  if (f.serverResponseCode === 'UNAVAILABLE') return temporaryAuthProblem(f, s);
  if (f.serverResponseCode === 'EXPIRED') {
    return problem(
      s.role,
      'auth-failed',
      `${where} says the password for ${who(s)} has expired. Change it with your mail provider, then enter the new one here.`,
    );
  }
  if (f.message === 'No password configured' || f.message === 'Please configure the login') {
    return problem(
      s.role,
      'auth-failed',
      `No password was given for ${who(s)}. Enter the password.`,
    );
  }
  const generic = !f.serverResponseCode || f.serverResponseCode === 'AUTHENTICATIONFAILED';
  return wrongPassword(s, generic ? undefined : f.response);
}

function smtpAuthProblem(f: ErrorFacts, s: Subject): ConnectionProblem {
  const where = label(s.role, s.server);
  const code = f.responseCode;
  if (f.code === 'ENOAUTH' || (code === undefined && /credentials/i.test(f.message))) {
    return problem(
      s.role,
      'auth-failed',
      `No password was given for ${who(s)}. Enter the password.`,
    );
  }
  if (code === 502 || code === 503 || code === 504) {
    return problem(
      s.role,
      'protocol',
      `${where} does not accept a login on this port. Use your provider's submission port: ${portHint('smtp')}.`,
    );
  }
  if (code === 538 || (code === 530 && /TLS|encrypt/i.test(f.response ?? ''))) {
    return problem(
      s.role,
      'plaintext-refused',
      `${where} refuses to log in over an unencrypted connection. Choose TLS or STARTTLS.`,
    );
  }
  if (code !== undefined && code >= 400 && code < 500) return temporaryAuthProblem(f, s);
  // 535 is the plain "wrong credentials"; other replies (534 "app password required") say more.
  return wrongPassword(s, code === 535 ? undefined : f.response);
}

function wrongPassword(s: Subject, serverText?: string): ConnectionProblem {
  const said = serverText ? ` The server said: "${serverSaid(serverText)}".` : '';
  return problem(
    s.role,
    'auth-failed',
    `The password for ${who(s)} was not accepted by ${label(s.role, s.server)}.${said} Check the user name and password.`,
  );
}

function temporaryAuthProblem(f: ErrorFacts, s: Subject): ConnectionProblem {
  const said = f.response ? ` (it said: "${serverSaid(f.response)}")` : '';
  return problem(
    s.role,
    'unknown',
    `${label(s.role, s.server)} could not check the password right now${said}. Try again later.`,
  );
}

function starttlsMissing(f: ErrorFacts, s: Subject): ConnectionProblem {
  const where = label(s.role, s.server);
  const tlsPort = PORTS[s.role].tls;
  if (/PREAUTH/.test(f.message)) {
    return problem(
      s.role,
      'starttls-unavailable',
      `${where} logged in before encryption could start (PREAUTH), so STARTTLS is impossible. Choose TLS (usually port ${tlsPort}).`,
    );
  }
  const said = f.response ? ` (it answered: "${serverSaid(f.response)}")` : '';
  return problem(
    s.role,
    'starttls-unavailable',
    `${where} does not offer STARTTLS${said}, so the connection cannot be encrypted and Petrel will not send your password over it. Choose TLS (usually port ${tlsPort}) if the server supports it.`,
  );
}

function injectionProblem(s: Subject): ConnectionProblem {
  return problem(
    s.role,
    'tls-failed',
    `${label(s.role, s.server)} sent data it must not send when STARTTLS begins, which is how such connections are attacked, so Petrel stopped. Try again later, or choose TLS (usually port ${PORTS[s.role].tls}).`,
  );
}

function hostNotFound(code: string, s: Subject): ConnectionProblem {
  const name = `"${s.server.host}"`;
  const text =
    code === 'EAI_AGAIN'
      ? `The server name ${name} could not be looked up right now. Check your internet connection and the ${upper(s.role)} server name.`
      : `The server name ${name} does not exist. Check the spelling of the ${upper(s.role)} server name.`;
  return problem(s.role, 'host-not-found', text);
}

function refusedProblem(s: Subject): ConnectionProblem {
  return problem(
    s.role,
    'connection-refused',
    `${label(s.role, s.server)} refused the connection: nothing accepts connections on port ${s.server.port}. Check the port (${portHint(s.role)}) and that the server is running.`,
  );
}

function unreachableProblem(s: Subject): ConnectionProblem {
  return problem(
    s.role,
    'connection-refused',
    `${label(s.role, s.server)} cannot be reached from this network. Check your internet connection and the server name.`,
  );
}

function certificateProblem(code: string | undefined, s: Subject): ConnectionProblem {
  return problem(
    s.role,
    'certificate-untrusted',
    `The certificate of ${label(s.role, s.server)} ${certificateFault(code, s.server)} Check its details and trust it only if you expected this certificate.`,
  );
}

function certificateFault(code: string | undefined, server: ServerSettings): string {
  if (code === 'CERT_HAS_EXPIRED') return 'has expired.';
  if (code === 'CERT_NOT_YET_VALID') {
    return "is not valid yet (check this computer's date and time).";
  }
  // With a pin, any other failure means the server now shows a different certificate.
  if (server.trustedCertificate) {
    return 'is not the one you chose to trust: it has been replaced, or someone is intercepting the connection.';
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    return `is made out for another name than ${server.host}.`;
  }
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return 'is self-signed: no certificate authority vouches for it.';
  }
  if (code === 'SELF_SIGNED_CERT_IN_CHAIN' || code?.startsWith('UNABLE_TO_')) {
    return 'is not issued by an authority this computer trusts (or the server sends an incomplete chain).';
  }
  return `could not be verified${code ? ` (${code})` : ''}.`;
}

function tlsProblem(f: ErrorFacts, s: Subject): ConnectionProblem {
  const where = label(s.role, s.server);
  const ports = PORTS[s.role];
  const code = f.netCode ?? f.code;
  const plaintextAnswer =
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
    code === 'ECONNRESET';
  if (s.server.security === 'tls' && plaintextAnswer) {
    return problem(
      s.role,
      'tls-failed',
      `${where} did not answer the TLS handshake: this port probably expects STARTTLS or no encryption. Use TLS with port ${ports.tls}, or STARTTLS with port ${ports.starttls}.`,
    );
  }
  const detail = serverSaid(f.reason ?? f.message);
  return problem(
    s.role,
    'tls-failed',
    `The encrypted connection to ${where} could not be set up (${detail}). Check that port and security match: ${portHint(s.role)}.`,
  );
}

function closedProblem(f: ErrorFacts, s: Subject): ConnectionProblem {
  const why = f.reason ?? f.response;
  const said = why ? ` (it said: "${serverSaid(why)}")` : '';
  return problem(
    s.role,
    'unknown',
    `${label(s.role, s.server)} closed the connection unexpectedly${said}. Check the port (${portHint(s.role)}), or try again later.`,
  );
}

function unknownProblem(f: ErrorFacts, s: Subject): ConnectionProblem {
  const code = f.netCode ?? f.code;
  const raw = serverSaid(f.message || 'no details') + (code ? ` [${code}]` : '');
  return problem(s.role, 'unknown', `Connecting to ${label(s.role, s.server)} failed: ${raw}.`);
}

// ---- helpers -------------------------------------------------------------------------------

function problem(
  role: ServerRole,
  kind: ConnectionProblemKind,
  message: string,
): ConnectionProblem {
  return { server: role, kind, message };
}

function label(role: ServerRole, server: ServerSettings): string {
  return `the ${upper(role)} server ${hostPort(server)}`;
}

function upper(role: ServerRole): string {
  return role.toUpperCase();
}

function who(s: Subject): string {
  return s.username ? s.username : 'this account';
}

function portHint(role: ServerRole): string {
  const p = PORTS[role];
  return `${upper(role)} usually uses port ${p.tls} with TLS and ${p.starttls} with STARTTLS`;
}

function article(heard: HeardProtocol): string {
  // IMAP, SMTP, HTTP and SSH are read letter by letter, each starting with a vowel sound.
  return heard === 'pop3' ? 'a POP3' : `an ${heard.toUpperCase()}`;
}

/**
 * Server-supplied text, fit for a sentence: reply codes and enhanced status codes dropped, control
 * and bidi characters removed (a hostile server must not reorder what the user reads), shortened.
 */
function serverSaid(text: string): string {
  const cleaned = text
    .replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]+/gu, ' ')
    .replace(/^\d{3}[ -](\d\.\d{1,3}\.\d{1,3} )?/, '')
    .replace(/^\S+ (NO|BAD) (\[[^\]]*\] )?/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > 200 ? `${cleaned.slice(0, 199)}…` : cleaned;
}

function factsOf(err: unknown): ErrorFacts {
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const message = typeof e['message'] === 'string' ? e['message'] : String(err);
  const code = str(e['code']);
  return {
    message,
    code,
    netCode: str(e['originalCode']) ?? code,
    authenticationFailed: e['authenticationFailed'] === true,
    tlsFailed: e['tlsFailed'] === true,
    serverResponseCode: str(e['serverResponseCode']),
    responseCode: typeof e['responseCode'] === 'number' ? e['responseCode'] : undefined,
    // imapflow: responseText is the bare text, response the whole tagged line.
    response: str(e['responseText']) ?? str(e['response']),
    command: str(e['command']),
    reason: str(e['reason']),
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
