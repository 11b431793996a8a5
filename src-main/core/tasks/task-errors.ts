/**
 * Whether a task that failed with an error is worth trying again. Pure: the caller says whether
 * its connection still stands, which is what separates "not now" from "never".
 */
import { permanentFailure, transientFailure, type TaskFailure } from '#shared/tasks';

export const SERVER_UNREACHABLE = 'the server cannot be reached right now';
export const SERVER_BUSY = 'the server was busy for too long';

/** Response codes (RFC 5530) of a NO that may well go away by itself. */
const PASSING_CODES = new Set(['UNAVAILABLE', 'INUSE', 'LIMIT', 'SERVERBUG', 'CONTACTADMIN']);

interface ImapErrorFields {
  code?: unknown;
  responseStatus?: unknown;
  serverResponseCode?: unknown;
  responseText?: unknown;
}

/**
 * A server's NO or BAD on a live connection is permanent unless its response code says the
 * condition passes; anything else (connection dropped, timeout, socket error) is transient.
 */
export function taskFailureOf(error: unknown, connected: boolean): TaskFailure {
  const fields: ImapErrorFields = typeof error === 'object' && error !== null ? error : {};
  if (fields.code === 'LockTimeout') return transientFailure(SERVER_BUSY);
  const status = fields.responseStatus;
  if (!connected || (status !== 'NO' && status !== 'BAD')) {
    return transientFailure(SERVER_UNREACHABLE);
  }
  const code = typeof fields.serverResponseCode === 'string' ? fields.serverResponseCode : '';
  if (PASSING_CODES.has(code.toUpperCase())) return transientFailure(SERVER_BUSY);
  if (code.toUpperCase() === 'NONEXISTENT') {
    return permanentFailure('the folder no longer exists on the server');
  }
  if (code.toUpperCase() === 'NOPERM') {
    return permanentFailure('the server does not allow this change in that folder');
  }
  const text = typeof fields.responseText === 'string' ? fields.responseText.trim() : '';
  return permanentFailure(text ? `the server refused: ${text}` : 'the server refused');
}
