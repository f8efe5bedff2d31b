/**
 * `pending`'s result, or `undefined` as soon as `signal` aborts. A blocking read whose connection
 * is dropped while it is reconnecting never settles (ioredis 5 keeps it in a queue that
 * `disconnect()` does not flush: redis/ioredis#2169, #2197), so a loop that stops by dropping its
 * connection must stop waiting on the signal, not on the command.
 */
export async function unlessAborted<T>(
  pending: Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T | undefined> {
  if (!signal) return pending;
  // a late rejection of the abandoned command is expected and has no one to report to
  pending.catch(() => {});
  if (signal.aborted) return undefined;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([pending, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
