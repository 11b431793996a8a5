/**
 * Messages of the browser-mode WebSocket (path `/ws`). Calls and events are the contract's; `session` tells a
 * tab whether it is the one UI allowed to write the cache.
 */
import type { CallResult } from './result.ts';

export type SessionState = 'active' | 'elsewhere' | 'displaced';

export type ClientMessage =
  { t: 'call'; id: number; method: string; args: unknown[] } | { t: 'takeover' };

export type ServerMessage =
  | { t: 'result'; id: number; result: CallResult<unknown> }
  | { t: 'event'; event: string; payload: unknown }
  | { t: 'session'; state: SessionState };
