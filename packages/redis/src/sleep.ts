import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms`; with a signal, resolves early (never rejects) when it aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return;
  await delay(ms, undefined, signal === undefined ? undefined : { signal }).catch(() => {});
}
