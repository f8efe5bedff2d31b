export interface BackoffOptions {
  /** Delay before the first retry. */
  initialDelayMs: number;
  /** Upper bound of any delay. */
  maxDelayMs: number;
}

/** Exponential backoff with jitter (50–100 % of the step) so clients do not reconnect in lockstep. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const step = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step * (0.5 + random() * 0.5));
}
