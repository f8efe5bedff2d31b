import { ERROR_CODES } from '@cody/schema';
import { CliError } from './cli-error';

export interface ApiClientOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` (CODY_API_TOKEN). */
  token?: string | undefined;
}

/** Plain fetch against the Cody API; failures become CliErrors with the server's code. */
export class ApiClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}`, ...extra } : extra;
  }

  /** A request to the API; resolves with the JSON body of a 2xx answer. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetch(path, {
      method,
      headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw httpError(res.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** fetch with the server's address in the error when it cannot be reached. */
  async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, init);
    } catch (error) {
      if ((init.signal as AbortSignal | undefined)?.aborted) throw error;
      throw unreachable(this.baseUrl, error);
    }
  }
}

export function unreachable(baseUrl: string, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (error as Error).message;
  return new CliError(
    ERROR_CODES.SERVER_UNREACHABLE,
    `cannot reach the Cody server at ${baseUrl} (${why}); is it running? (--url or npm start)`,
    1,
    error,
  );
}

/** The API's `{error:{code,message}}` body as a CliError. */
export function httpError(status: number, text: string): CliError {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.code) return new CliError(body.error.code, body.error.message ?? `HTTP ${status}`);
  } catch {
    // not JSON: reported as text below
  }
  return new CliError(
    ERROR_CODES.UNEXPECTED_RESPONSE,
    `the server answered ${status}: ${text.slice(0, 200)}`,
  );
}
