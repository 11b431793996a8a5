/**
 * Every call returns a `CallResult` rather than throwing across the boundary: Electron rewrites
 * the message of an error thrown in `ipcMain.handle`, and a WebSocket cannot carry one at all.
 * The bridge turns `{ ok: false }` back into a thrown `PetrelError` with a stable `code`.
 */

export type ErrorCode =
  'invalid-argument' | 'unknown-method' | 'forbidden' | 'not-active' | 'unavailable' | 'internal';

export interface CallError {
  code: ErrorCode;
  /** A sentence a person can read. */
  message: string;
}

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: CallError };

export class PetrelError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'PetrelError';
    this.code = code;
  }
}

export function unwrap<T>(result: CallResult<T>): T {
  if (result.ok) return result.value;
  throw new PetrelError(result.error.code, result.error.message);
}

/** What went wrong, in its own words: an error's message (also of a plain error-like object). */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) return String(error.message);
  return String(error);
}
