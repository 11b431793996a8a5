/**
 * Pure delay math for reconnecting (EmailEngine's lesson): start at 1–3 s, grow ×1.5, cap at 30 s,
 * add 0–1 s of jitter, and forget past failures only after 5 minutes of healthy uptime — a server
 * that accepts the login and then drops us must not be hammered. The caller owns the timers.
 */

export const BACKOFF = {
  firstMinMs: 1_000,
  firstSpreadMs: 2_000,
  baseMs: 2_000,
  factor: 1.5,
  capMs: 30_000,
  jitterMs: 1_000,
  healthyAfterMs: 5 * 60_000,
} as const;

/** Delay before reconnect attempt `attempt` (0 for the first). `random` returns [0, 1). */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  if (attempt <= 0) return Math.round(BACKOFF.firstMinMs + random() * BACKOFF.firstSpreadMs);
  const grown = Math.min(BACKOFF.capMs, BACKOFF.baseMs * BACKOFF.factor ** attempt);
  return Math.round(grown + random() * BACKOFF.jitterMs);
}

/** The attempt counter to use after a connection that stayed up from `connectedAt` until `now`. */
export function attemptAfterDrop(attempt: number, connectedAt: number, now: number): number {
  return now - connectedAt >= BACKOFF.healthyAfterMs ? 0 : attempt + 1;
}
