import type { ModelInfo, ProviderInfo, ServerConfig } from './api-types';

export interface ModelChoice {
  provider: ProviderInfo | undefined;
  model: ModelInfo | undefined;
  /** Providers the server holds credentials for. */
  configured: ProviderInfo[];
}

/**
 * Picks the provider and model to show: the user's last choice when the server still offers
 * it configured, else the server's defaults, else the first configured provider's first model.
 */
export function resolveModelChoice(
  config: ServerConfig,
  wanted: { providerId: string | undefined; model: string | undefined },
): ModelChoice {
  const configured = config.providers.filter((provider) => provider.configured);
  const find = (id: string | undefined) => configured.find((provider) => provider.id === id);
  const provider = find(wanted.providerId) ?? find(config.defaultProvider) ?? configured[0];
  if (!provider) return { provider: undefined, model: undefined, configured };
  const pick = (id: string | undefined) => provider.models.find((model) => model.id === id);
  const model =
    (provider.id === wanted.providerId ? pick(wanted.model) : undefined) ??
    (provider.id === config.defaultProvider ? pick(config.defaultModel) : undefined) ??
    provider.models[0];
  return { provider, model, configured };
}
