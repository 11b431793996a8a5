import { describe, expect, it } from 'vitest';
import { attemptAfterDrop, BACKOFF, reconnectDelay } from './reconnect-backoff.ts';

describe('reconnectDelay', () => {
  it('starts between 1 and 3 seconds', () => {
    expect(reconnectDelay(0, () => 0)).toBe(1_000);
    expect(reconnectDelay(0, () => 0.999)).toBeLessThanOrEqual(3_000);
  });

  it('grows by 1.5 and never exceeds the cap plus jitter', () => {
    expect(reconnectDelay(1, () => 0)).toBe(3_000);
    expect(reconnectDelay(2, () => 0)).toBe(4_500);
    const delays = Array.from({ length: 30 }, (_, i) => reconnectDelay(i, () => 0.999));
    expect(Math.max(...delays)).toBeLessThanOrEqual(BACKOFF.capMs + BACKOFF.jitterMs);
    expect(delays.at(-1)).toBeGreaterThanOrEqual(BACKOFF.capMs);
  });
});

describe('attemptAfterDrop', () => {
  it('keeps counting when a connection drops soon after connecting', () => {
    expect(attemptAfterDrop(3, 0, 10_000)).toBe(4);
  });

  it('resets only after five minutes of healthy uptime', () => {
    expect(attemptAfterDrop(3, 0, BACKOFF.healthyAfterMs - 1)).toBe(4);
    expect(attemptAfterDrop(3, 0, BACKOFF.healthyAfterMs)).toBe(0);
  });
});
