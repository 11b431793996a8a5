/**
 * Whether a failed SMTP send is worth trying again. Pure. A reply code decides when there is one:
 * 5xx never works (except 503, "bad sequence", which a new session fixes), 4xx may work later.
 * Without a reply (connection refused, dropped, timed out) it is "not now" — except problems the
 * user has to fix in the account (an untrusted certificate, no STARTTLS, plaintext refused).
 *
 * A connection lost after the message's final "." is ambiguous: the server may have taken it.
 * That is a transient failure too; the retry looks in Sent for the Message-ID before it sends
 * (see send-message.ts), which is what keeps it from going out twice where the server keeps a
 * copy of what it sent.
 */
import type { ServerSettings } from '#shared/accounts';
import { permanentFailure, transientFailure, type TaskFailure } from '#shared/tasks';
import { classifySmtpError } from '../accounts/connection-errors.ts';

export const SMTP_UNREACHABLE = 'the mail server for sending cannot be reached right now';

interface SmtpErrorFields {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
}

/** Connection problems no retry can fix: the account's settings or the server must change. */
const LASTING_PROBLEMS = new Set([
  'certificate-untrusted',
  'starttls-unavailable',
  'plaintext-refused',
  'tls-failed',
]);

export function smtpFailureOf(error: unknown, server: ServerSettings): TaskFailure {
  const fields: SmtpErrorFields = typeof error === 'object' && error !== null ? error : {};
  const response = typeof fields.response === 'string' ? oneLine(fields.response) : '';
  const code = replyCode(fields.responseCode, response);
  if (code !== undefined && code >= 500 && code !== 503) {
    return permanentFailure(`the server refused: ${response || String(code)}`);
  }
  if (code !== undefined && code >= 400) {
    return transientFailure(`the server said to try later: ${response || String(code)}`);
  }
  const problem = classifySmtpError(error, server);
  if (LASTING_PROBLEMS.has(problem.kind)) return permanentFailure(lowerFirst(problem.message));
  return transientFailure(SMTP_UNREACHABLE);
}

function replyCode(responseCode: unknown, response: string): number | undefined {
  if (typeof responseCode === 'number' && responseCode >= 200 && responseCode < 600) {
    return responseCode;
  }
  const match = /^([2-5]\d\d)\b/.exec(response);
  return match ? Number(match[1]) : undefined;
}

/** Server replies can span lines; a reason is one line, and never unbounded. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}

function lowerFirst(text: string): string {
  const sentence = text.replace(/\.$/, '');
  return sentence.charAt(0).toLowerCase() + sentence.slice(1);
}
