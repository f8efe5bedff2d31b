import type { Hydrator } from '@cody/reducer';
import { createParser } from 'eventsource-parser';
import { ApiError, CLIENT_ERROR_CODES } from './api-error';
import { backoffDelay } from './backoff-delay';
import { errorFromResponse } from './error-from-response';

export type RunStreamStatus = 'connecting' | 'open' | 'reconnecting' | 'done' | 'failed' | 'closed';

export interface RunStreamState {
  readonly status: RunStreamStatus;
  /** Failed attempts since the last connection that delivered an event. */
  readonly attempt: number;
  /** The id of the last SSE message received: where a reconnect resumes. */
  readonly lastEventId: string | undefined;
  /** Why the last attempt failed (kept while reconnecting; final when `failed`). */
  readonly error: ApiError | undefined;
}

export interface RunStreamOptions {
  /** The run's SSE URL (`/api/v2/stream/<runId>`). */
  url: string;
  /** Receives every message; its `done` flag tells the stream the run reached its terminal event. */
  hydrator: Pick<Hydrator, 'push' | 'getSnapshot'>;
  /** Resume after this SSE id instead of from the start. */
  lastEventId?: string;
  /** Extra request headers (the bearer token), read on every connection attempt. */
  headers?: () => Record<string, string>;
  fetch?: typeof fetch;
  /** First reconnect delay; the server's `retry:` field overrides it. Default 500 ms. */
  initialDelayMs?: number;
  /** Longest reconnect delay. Default 10 s. */
  maxDelayMs?: number;
  /** Consecutive attempts without any event before giving up. Default: never give up. */
  maxAttempts?: number;
  /** A connection silent this long (no event, no heartbeat) is dropped and reopened. Default 45 s. */
  idleTimeoutMs?: number;
  /** Called when the status changes (not on every message). */
  onStateChange?: (state: RunStreamState) => void;
}

export interface RunStream {
  getState(): RunStreamState;
  /** Skips the current backoff wait and reconnects at once (after `online`, say). */
  retryNow(): void;
  /** Stops for good; `finished` settles with status `closed`. */
  close(): void;
  /** Settles once the stream stops: `done`, `failed` or `closed`. */
  readonly finished: Promise<RunStreamState>;
}

type Attempt =
  | { kind: 'terminal' }
  | { kind: 'closed' }
  | { kind: 'ended'; progressed: boolean }
  | { kind: 'error'; error: ApiError; progressed: boolean; retryable: boolean };

/**
 * Follows one run's SSE stream into a hydrator: fetch + eventsource-parser, resumes after the
 * last received id with `Last-Event-ID` on any drop (backoff with jitter), stops at the terminal event.
 * A partial message cut by a drop is discarded and re-sent by the server, so nothing is lost or doubled.
 */
export function openRunStream(options: RunStreamOptions): RunStream {
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const initialDelayMs = options.initialDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  const idleTimeoutMs = options.idleTimeoutMs ?? 45_000;

  let status: RunStreamStatus = 'connecting';
  let attempt = 0;
  let lastEventId = options.lastEventId;
  let lastError: ApiError | undefined;
  let closed = false;
  let serverRetryMs: number | undefined;
  let connection: AbortController | undefined;
  let wake: (() => void) | undefined;

  const getState = (): RunStreamState => ({ status, attempt, lastEventId, error: lastError });
  const setStatus = (next: RunStreamStatus) => {
    status = next;
    options.onStateChange?.(getState());
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = done;
    });

  async function connect(): Promise<Attempt> {
    const controller = new AbortController();
    connection = controller;
    let progressed = false;
    let silent = false;
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    const armIdleTimer = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        silent = true;
        controller.abort();
      }, idleTimeoutMs);
    };
    try {
      const headers: Record<string, string> = { Accept: 'text/event-stream', ...options.headers?.() };
      if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
      armIdleTimer();
      const response = await doFetch(options.url, { headers, signal: controller.signal, cache: 'no-store' });
      if (!response.ok) {
        const error = await errorFromResponse(response);
        const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
        return { kind: 'error', error, progressed, retryable };
      }
      if (!response.body) {
        const error = new ApiError(CLIENT_ERROR_CODES.BAD_RESPONSE, 'The stream response has no body.', {
          status: response.status,
        });
        return { kind: 'error', error, progressed, retryable: true };
      }
      setStatus('open');
      let terminal = false;
      const parser = createParser({
        onEvent(message) {
          // heartbeats only prove the connection is alive; the idle timer was already re-armed
          if (terminal || message.event === 'heartbeat') return;
          // parsed once here; text that is not JSON goes on as is, so the hydrator reports it
          let data: unknown = message.data;
          try {
            data = JSON.parse(message.data);
          } catch {}
          if (isHeartbeat(data)) return;
          options.hydrator.push({ id: message.id, event: message.event, data });
          progressed = true;
          if (message.id !== undefined) lastEventId = message.id;
          if (options.hydrator.getSnapshot().done) terminal = true;
        },
        onRetry(ms) {
          serverRetryMs = ms;
        },
      });
      const reader = response.body.getReader();
      // one decoder per connection: a multi-byte character split across chunks stays whole
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        armIdleTimer();
        parser.feed(decoder.decode(value, { stream: true }));
        if (terminal) {
          await reader.cancel().catch(() => undefined);
          return { kind: 'terminal' };
        }
      }
      // an event without its closing blank line is dropped here and re-sent after a resume
      return { kind: 'ended', progressed };
    } catch (cause) {
      if (closed) return { kind: 'closed' };
      const error = silent
        ? new ApiError(CLIENT_ERROR_CODES.SERVER_UNREACHABLE, 'The run stream went silent.', {
            status: 0,
            cause,
          })
        : new ApiError(CLIENT_ERROR_CODES.SERVER_UNREACHABLE, 'Lost the connection to the run stream.', {
            status: 0,
            cause,
          });
      return { kind: 'error', error, progressed, retryable: true };
    } finally {
      clearTimeout(idleTimer);
      controller.abort();
      if (connection === controller) connection = undefined;
    }
  }

  async function loop(): Promise<RunStreamState> {
    while (!closed) {
      if (options.hydrator.getSnapshot().done) {
        setStatus('done');
        return getState();
      }
      const outcome = await connect();
      if (closed || outcome.kind === 'closed') break;
      if (outcome.kind === 'terminal') {
        lastError = undefined;
        attempt = 0;
        setStatus('done');
        return getState();
      }
      if (outcome.progressed) attempt = 0;
      if (outcome.kind === 'error') {
        lastError = outcome.error;
        if (!outcome.retryable) {
          setStatus('failed');
          return getState();
        }
      }
      attempt += 1;
      if (attempt > maxAttempts) {
        lastError ??= new ApiError(
          CLIENT_ERROR_CODES.SERVER_UNREACHABLE,
          'The run stream keeps ending early.',
          {
            status: 0,
          },
        );
        setStatus('failed');
        return getState();
      }
      setStatus('reconnecting');
      await sleep(backoffDelay(attempt, { initialDelayMs: serverRetryMs ?? initialDelayMs, maxDelayMs }));
    }
    status = 'closed';
    return getState();
  }

  options.onStateChange?.(getState());
  const finished = loop();

  return {
    getState,
    retryNow: () => wake?.(),
    close() {
      if (closed) return;
      closed = true;
      connection?.abort();
      wake?.();
      if (status !== 'done' && status !== 'failed') setStatus('closed');
    },
    finished,
  };
}

/** A heartbeat sent as a plain message: `{type: 'heartbeat'}` or a StreamEvent of that type. */
function isHeartbeat(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return false;
  const record = data as { type?: unknown; payload?: { type?: unknown } };
  return (
    record.type === 'heartbeat' && (record.payload === undefined || record.payload?.type === 'heartbeat')
  );
}
