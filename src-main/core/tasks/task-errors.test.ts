import { describe, expect, it } from 'vitest';
import {
  SERVER_BUSY,
  SERVER_UNREACHABLE,
  TARGET_FOLDER_GONE,
  taskFailureOf,
} from './task-errors.ts';

const no = (code: string | undefined, text = 'Nope') => ({
  responseStatus: 'NO',
  serverResponseCode: code,
  responseText: text,
});

describe('taskFailureOf', () => {
  it('is transient when the connection is gone, whatever the error', () => {
    expect(taskFailureOf(new Error('Connection closed'), false)).toEqual({
      ok: false,
      permanent: false,
      reason: SERVER_UNREACHABLE,
    });
    expect(taskFailureOf(no('NONEXISTENT'), false).permanent).toBe(false);
  });

  it('is transient for errors that are not an answer of the server', () => {
    const timeout = Object.assign(new Error('Socket timeout'), { code: 'ETIMEOUT' });
    expect(taskFailureOf(timeout, true).permanent).toBe(false);
    expect(taskFailureOf({ code: 'LockTimeout' }, true)).toMatchObject({ reason: SERVER_BUSY });
  });

  it('is transient for a NO whose response code says it passes', () => {
    for (const code of ['UNAVAILABLE', 'INUSE', 'LIMIT', 'SERVERBUG']) {
      expect(taskFailureOf(no(code), true)).toMatchObject({ permanent: false });
    }
  });

  it('is permanent for any other NO or BAD, with a reason', () => {
    expect(taskFailureOf(no('NONEXISTENT'), true)).toEqual({
      ok: false,
      permanent: true,
      reason: 'the folder no longer exists on the server',
    });
    expect(taskFailureOf(no('NOPERM'), true).permanent).toBe(true);
    expect(taskFailureOf(no(undefined, 'Quota exceeded '), true)).toMatchObject({
      permanent: true,
      reason: 'the server refused: Quota exceeded',
    });
    expect(taskFailureOf({ responseStatus: 'BAD' }, true)).toMatchObject({
      permanent: true,
      reason: 'the server refused',
    });
  });
});

describe('taskFailureOf: folders that are not there', () => {
  it('names the missing folder as the caller knows it', () => {
    expect(taskFailureOf(no('NONEXISTENT'), true, 'the folder to move to is gone')).toMatchObject({
      permanent: true,
      reason: 'the folder to move to is gone',
    });
  });

  it('reads TRYCREATE (COPY, MOVE, APPEND) as a missing target folder', () => {
    expect(taskFailureOf(no('TRYCREATE'), true)).toEqual({
      ok: false,
      permanent: true,
      reason: TARGET_FOLDER_GONE,
    });
  });

  it('says a full mailbox plainly', () => {
    expect(taskFailureOf(no('OVERQUOTA'), true).reason).toBe('the mailbox on the server is full');
  });
});
