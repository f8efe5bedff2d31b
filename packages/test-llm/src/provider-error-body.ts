import type { ProviderKind } from './provider-kind';
import { wireIds } from './wire-ids';

const OPENAI_DEFAULTS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid request.' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: {
    type: 'invalid_request_error',
    code: 'unsupported_country_region_territory',
    message: 'Country, region, or territory not supported',
  },
  404: {
    type: 'invalid_request_error',
    code: 'model_not_found',
    message: 'The model does not exist or you do not have access to it.',
  },
  429: {
    type: 'requests',
    code: 'rate_limit_exceeded',
    message:
      'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
  },
  500: {
    type: 'server_error',
    code: null,
    message: 'The server had an error while processing your request. Sorry about that!',
  },
  503: {
    type: 'server_error',
    code: null,
    message: 'The engine is currently overloaded, please try again later.',
  },
};

const ANTHROPIC_DEFAULTS: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  403: {
    type: 'permission_error',
    message: 'Your API key does not have permission to use the specified resource.',
  },
  404: { type: 'not_found_error', message: 'The requested resource could not be found.' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: {
    type: 'rate_limit_error',
    message: 'Number of request tokens has exceeded your per-minute rate limit.',
  },
  500: { type: 'api_error', message: 'Internal server error' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

export interface ErrorBodyOptions {
  message?: string | undefined;
  type?: string | undefined;
  /** OpenAI only: the `param` field. */
  param?: string | null | undefined;
  /** OpenAI only: the `code` field. */
  code?: string | null | undefined;
}

/** The JSON body each provider sends with an HTTP error. */
export function providerErrorBody(
  provider: ProviderKind,
  status: number,
  options: ErrorBodyOptions = {},
): unknown {
  if (provider === 'openai') {
    const fallback = OPENAI_DEFAULTS[status] ?? OPENAI_DEFAULTS[status >= 500 ? 500 : 400];
    return {
      error: {
        message: options.message ?? fallback?.message,
        type: options.type ?? fallback?.type,
        param: options.param ?? null,
        code: options.code !== undefined ? options.code : (fallback?.code ?? null),
      },
    };
  }
  const fallback = ANTHROPIC_DEFAULTS[status] ?? ANTHROPIC_DEFAULTS[status >= 500 ? 500 : 400];
  return {
    type: 'error',
    error: { type: options.type ?? fallback?.type, message: options.message ?? fallback?.message },
    request_id: wireIds.requestId(),
  };
}
