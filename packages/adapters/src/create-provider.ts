import { createAnthropicProvider } from './anthropic-provider';
import { ConfigurationError } from './configuration-error';
import type { Logger } from './logger';
import { PROVIDER_IDS } from './model-catalogue';
import type { ModelProvider } from './model-provider';
import { createOpenAIProvider } from './openai-provider';
import { UnknownProviderError } from './unknown-provider-error';

export interface CreateProviderOptions {
  /** SDK retries before the first byte (default 2). */
  maxRetries?: number;
  timeoutMs?: number;
  logger?: Logger;
}

type Env = Record<string, string | undefined>;

const present = (value: string | undefined) =>
  value !== undefined && value.trim() !== '' ? value.trim() : undefined;

/**
 * The provider for an id, configured from the environment: `OPENAI_API_KEY` / `OPENAI_BASE_URL`,
 * `ANTHROPIC_API_KEY` / `ANTHROPIC_BASE_URL`. Throws UNKNOWN_PROVIDER for an unknown id and
 * CONFIGURATION_ERROR when the provider's key is missing.
 */
export function createProvider(
  id: string,
  env: Env = process.env,
  options: CreateProviderOptions = {},
): ModelProvider {
  const common = { maxRetries: options.maxRetries, timeoutMs: options.timeoutMs, logger: options.logger };
  if (id === 'openai') {
    const apiKey = present(env.OPENAI_API_KEY);
    if (!apiKey) {
      throw new ConfigurationError('OPENAI_API_KEY is not set: the openai provider needs it', {
        provider: id,
      });
    }
    return createOpenAIProvider({
      ...common,
      apiKey,
      baseURL: present(env.OPENAI_BASE_URL),
      organization: present(env.OPENAI_ORG_ID),
      project: present(env.OPENAI_PROJECT_ID),
    });
  }
  if (id === 'anthropic') {
    const apiKey = present(env.ANTHROPIC_API_KEY);
    if (!apiKey) {
      throw new ConfigurationError('ANTHROPIC_API_KEY is not set: the anthropic provider needs it', {
        provider: id,
      });
    }
    return createAnthropicProvider({ ...common, apiKey, baseURL: present(env.ANTHROPIC_BASE_URL) });
  }
  throw new UnknownProviderError(id, PROVIDER_IDS);
}
