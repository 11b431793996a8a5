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

export const FOLDER_GONE = 'the folder no longer exists on the server';
export const TARGET_FOLDER_GONE = 'the folder to move to does not exist on the server';

/**
 * A server's NO or BAD on a live connection is permanent unless its response code says the
 * condition passes; anything else (connection dropped, timeout, socket error) is transient.
 * `folderGone` is what a NONEXISTENT says (which folder it was is the caller's knowledge).
 */
export function taskFailureOf(
  error: unknown,
  connected: boolean,
  folderGone = FOLDER_GONE,
): TaskFailure {
  const fields: ImapErrorFields = typeof error === 'object' && error !== null ? error : {};
  if (fields.code === 'LockTimeout') return transientFailure(SERVER_BUSY);
  const status = fields.responseStatus;
  if (!connected || (status !== 'NO' && status !== 'BAD')) {
    return transientFailure(SERVER_UNREACHABLE);
  }
  const code = (
    typeof fields.serverResponseCode === 'string' ? fields.serverResponseCode : ''
  ).toUpperCase();
  if (PASSING_CODES.has(code)) return transientFailure(SERVER_BUSY);
  if (code === 'NONEXISTENT') return permanentFailure(folderGone);
  // COPY, MOVE and APPEND say TRYCREATE when their target folder does not exist (RFC 3501).
  if (code === 'TRYCREATE') return permanentFailure(TARGET_FOLDER_GONE);
  if (code === 'NOPERM') {
    return permanentFailure('the server does not allow this change in that folder');
  }
  if (code === 'OVERQUOTA') return permanentFailure('the mailbox on the server is full');
  const text = typeof fields.responseText === 'string' ? fields.responseText.trim() : '';
  return permanentFailure(text ? `the server refused: ${text}` : 'the server refused');
}
