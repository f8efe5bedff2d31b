import type { Response as RunResponse, Thread } from '@cody/schema';
import { ApiError, CLIENT_ERROR_CODES } from './api-error';
import type { ServerConfig, SubmitInput, SubmitResult, ThreadPage, ThreadWithRuns } from './api-types';
import { errorFromResponse } from './error-from-response';

export interface ApiClientOptions {
  /** Origin (and path prefix) of the server; '' means the page's own origin. */
  baseUrl?: string;
  /** Bearer token sent as `Authorization`, read on every request so settings apply at once. */
  getToken?: () => string | undefined;
  fetch?: typeof fetch;
}

export interface ApiClient {
  getConfig(signal?: AbortSignal): Promise<ServerConfig>;
  listThreads(page?: { limit?: number; cursor?: string | null }, signal?: AbortSignal): Promise<ThreadPage>;
  createThread(title?: string): Promise<Thread>;
  getThread(id: string, signal?: AbortSignal): Promise<ThreadWithRuns>;
  renameThread(id: string, title: string): Promise<Thread>;
  deleteThread(id: string): Promise<void>;
  submit(input: SubmitInput): Promise<SubmitResult>;
  getRun(id: string, signal?: AbortSignal): Promise<RunResponse>;
  cancelRun(id: string): Promise<void>;
  /** Approves or denies a tool call that waits for approval. */
  decideApproval(runId: string, callId: string, decision: 'approve' | 'deny', reason?: string): Promise<void>;
  /** Absolute or page-relative URL of a run's SSE stream. */
  streamUrl(runId: string, streamUrl?: string): string;
  /** Headers every request carries (the bearer token when one is set). */
  authHeaders(): Record<string, string>;
}

const API = '/api/v2';

/** A thin typed client for the server's HTTP API; every failure becomes an ApiError. */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  const authHeaders = (): Record<string, string> => {
    const token = options.getToken?.()?.trim();
    return token ? { Authorization: `Bearer ${token}` } : {};
  };

  async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders() };
    const init: RequestInit = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (signal) init.signal = signal;
    let response: globalThis.Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, init);
    } catch (error) {
      if (signal?.aborted) throw error;
      const url = absoluteUrl(`${baseUrl}${path}`);
      throw new ApiError(
        CLIENT_ERROR_CODES.SERVER_UNREACHABLE,
        `Cannot reach the Cody server (tried ${url}).`,
        {
          status: 0,
          cause: error,
          isRetryable: true,
          details: { url },
        },
      );
    }
    if (!response.ok) throw await errorFromResponse(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new ApiError(
        CLIENT_ERROR_CODES.BAD_RESPONSE,
        `The server sent invalid JSON for ${method} ${path}.`,
        {
          status: response.status,
          cause: error,
        },
      );
    }
  }

  const id = (value: string) => encodeURIComponent(value);

  return {
    getConfig: (signal) => request('GET', `${API}/config`, undefined, signal),
    listThreads(page = {}, signal) {
      const query = new URLSearchParams();
      if (page.limit !== undefined) query.set('limit', String(page.limit));
      if (page.cursor) query.set('cursor', page.cursor);
      const search = query.toString();
      const suffix = search ? `?${search}` : '';
      return request('GET', `${API}/threads${suffix}`, undefined, signal);
    },
    createThread: (title) => request('POST', `${API}/threads`, title === undefined ? {} : { title }),
    getThread: (threadId, signal) => request('GET', `${API}/threads/${id(threadId)}`, undefined, signal),
    renameThread: (threadId, title) => request('PATCH', `${API}/threads/${id(threadId)}`, { title }),
    deleteThread: (threadId) => request('DELETE', `${API}/threads/${id(threadId)}`),
    submit: (input) => request('POST', `${API}/submit`, input),
    getRun: (runId, signal) => request('GET', `${API}/runs/${id(runId)}`, undefined, signal),
    cancelRun: (runId) => request('POST', `${API}/runs/${id(runId)}/cancel`, {}),
    decideApproval: (runId, callId, decision, reason) =>
      request(
        'POST',
        `${API}/runs/${id(runId)}/approvals/${id(callId)}`,
        reason === undefined ? { decision } : { decision, reason },
      ),
    streamUrl(runId, streamUrl) {
      if (streamUrl && /^https?:\/\//i.test(streamUrl)) return streamUrl;
      return `${baseUrl}${streamUrl ?? `${API}/stream/${id(runId)}`}`;
    },
    authHeaders,
  };
}

/** The URL a request went to, with the page's origin when it was relative (for error messages). */
function absoluteUrl(url: string): string {
  const origin = globalThis.location?.origin;
  return /^https?:\/\//i.test(url) || !origin ? url : `${origin}${url}`;
}
