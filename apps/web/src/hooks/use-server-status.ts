import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from '../lib/api-client';
import { type ApiError, toApiError } from '../lib/api-error';
import type { ServerConfig } from '../lib/api-types';

export type ServerStatus =
  | { phase: 'loading' }
  /** `config` is undefined when the server has no /config route: send with its defaults. */
  | { phase: 'ready'; config: ServerConfig | undefined }
  | { phase: 'error'; error: ApiError };

/** Loads the server's providers and models; `retry` asks again. */
export function useServerStatus(api: ApiClient): [ServerStatus, () => void] {
  const [status, setStatus] = useState<ServerStatus>({ phase: 'loading' });
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry trigger
  useEffect(() => {
    const controller = new AbortController();
    setStatus({ phase: 'loading' });
    api.getConfig(controller.signal).then(
      (config) => setStatus({ phase: 'ready', config }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const apiError = toApiError(error);
        if (apiError.status === 404) setStatus({ phase: 'ready', config: undefined });
        else setStatus({ phase: 'error', error: apiError });
      },
    );
    return () => controller.abort();
  }, [api, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return [status, retry];
}
