import type { IncomingHttpHeaders } from 'node:http';
import { providerErrorBody } from './provider-error-body';
import type { ProviderKind } from './provider-kind';
import type { Rejection } from './rejection';

function bearer(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.authorization;
  const match = typeof value === 'string' ? /^Bearer\s+(.+)$/i.exec(value.trim()) : null;
  return match?.[1];
}

/**
 * 401 like the real APIs when the key is missing, or not one of `apiKeys` when that list is
 * given. OpenAI reads `Authorization: Bearer`; Anthropic `x-api-key` (or a bearer token).
 */
export function checkAuth(
  provider: ProviderKind,
  headers: IncomingHttpHeaders,
  apiKeys: readonly string[] | undefined,
): Rejection | undefined {
  if (provider === 'openai') {
    const key = bearer(headers);
    if (!key) {
      return {
        status: 401,
        body: providerErrorBody('openai', 401, {
          message:
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
          code: null,
        }),
      };
    }
    if (apiKeys && !apiKeys.includes(key)) {
      const shown = key.length > 8 ? `${key.slice(0, 3)}*****${key.slice(-4)}` : '*****';
      return {
        status: 401,
        body: providerErrorBody('openai', 401, {
          message: `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        }),
      };
    }
    return undefined;
  }
  const header = headers['x-api-key'];
  const key = (typeof header === 'string' && header) || bearer(headers);
  if (!key) {
    return {
      status: 401,
      body: providerErrorBody('anthropic', 401, { message: 'x-api-key header is required' }),
    };
  }
  if (apiKeys && !apiKeys.includes(key)) {
    return { status: 401, body: providerErrorBody('anthropic', 401, { message: 'invalid x-api-key' }) };
  }
  return undefined;
}
