/**
 * Delay before reconnect attempt `attempt` (1-based): doubles from 50 ms up to `maxMs`, with
 * ±20% jitter so many clients do not reconnect in lockstep. Never gives up.
 */
export function reconnectBackoff(attempt: number, maxMs = 2000): number {
  const base = Math.min(maxMs, 50 * 2 ** Math.min(attempt - 1, 16));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
