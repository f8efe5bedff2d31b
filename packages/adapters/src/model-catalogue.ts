import { formatValidationError } from '@cody/schema';
import { z } from 'zod';
import { ConfigurationError } from './configuration-error';
import { UnknownModelError } from './unknown-model-error';
import { UnknownProviderError } from './unknown-provider-error';

/** The providers this package has adapters for. */
export const PROVIDER_IDS = ['openai', 'anthropic'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** A model a provider accepts, with what it can do. */
export interface ModelInfo {
  provider: ProviderId | (string & {});
  /** The id clients use (`claude-sonnet-4.5`). */
  id: string;
  /** The id sent to the API (`claude-sonnet-4-5`). */
  apiModel: string;
  /** Produces reasoning (OpenAI reasoning models, Anthropic extended thinking). */
  reasoning: boolean;
  /** Accepts tool declarations. */
  tools: boolean;
  /** Largest output the model allows; Anthropic requests send `max_tokens` up to this. */
  maxOutputTokens: number;
  /** Anthropic: how thinking is switched on — a token budget (default) or `adaptive` (newer models). */
  thinking?: 'budget' | 'adaptive';
}

export const DEFAULT_MODELS: readonly ModelInfo[] = [
  {
    provider: 'openai',
    id: 'gpt-5-mini',
    apiModel: 'gpt-5-mini',
    reasoning: true,
    tools: true,
    maxOutputTokens: 128_000,
  },
  {
    provider: 'openai',
    id: 'gpt-5',
    apiModel: 'gpt-5',
    reasoning: true,
    tools: true,
    maxOutputTokens: 128_000,
  },
  {
    provider: 'openai',
    id: 'gpt-5-codex',
    apiModel: 'gpt-5-codex',
    reasoning: true,
    tools: true,
    maxOutputTokens: 128_000,
  },
  {
    provider: 'openai',
    id: 'gpt-4.1-mini',
    apiModel: 'gpt-4.1-mini',
    reasoning: false,
    tools: true,
    maxOutputTokens: 32_768,
  },
  {
    provider: 'anthropic',
    id: 'claude-haiku-4.5',
    apiModel: 'claude-haiku-4-5',
    reasoning: true,
    tools: true,
    maxOutputTokens: 64_000,
  },
  {
    provider: 'anthropic',
    id: 'claude-sonnet-4.5',
    apiModel: 'claude-sonnet-4-5',
    reasoning: true,
    tools: true,
    maxOutputTokens: 64_000,
  },
  {
    provider: 'anthropic',
    id: 'claude-sonnet-4.6',
    apiModel: 'claude-sonnet-4-6',
    reasoning: true,
    tools: true,
    maxOutputTokens: 64_000,
  },
  // its SDK warns against budget thinking: it thinks adaptively
  {
    provider: 'anthropic',
    id: 'claude-opus-4.6',
    apiModel: 'claude-opus-4-6',
    reasoning: true,
    tools: true,
    maxOutputTokens: 32_000,
    thinking: 'adaptive',
  },
];

const ModelEntrySchema = z.strictObject({
  provider: z.enum(PROVIDER_IDS),
  id: z.string().min(1),
  apiModel: z.string().min(1).optional(),
  reasoning: z.boolean().optional(),
  tools: z.boolean().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  thinking: z.enum(['budget', 'adaptive']).optional(),
});
export type ModelEntry = z.input<typeof ModelEntrySchema>;

export interface ModelCatalogue {
  /** Every model, or one provider's. */
  list(provider?: string): ModelInfo[];
  /** The model for a provider and an id (friendly or API id); throws a 400-class error otherwise. */
  resolve(providerId: string, modelId: string): ModelInfo;
}

export interface ModelCatalogueOptions {
  /** Reads `CODY_MODELS`: a JSON array of `{provider, id, apiModel?, reasoning?, tools?, maxOutputTokens?, thinking?}`. */
  env?: Record<string, string | undefined>;
  /** More models (added after `CODY_MODELS`; same provider + id replaces). */
  models?: readonly ModelEntry[];
  /** Start from {@link DEFAULT_MODELS} (default true). */
  includeDefaults?: boolean;
}

function toModelInfo(entry: z.output<typeof ModelEntrySchema>): ModelInfo {
  return {
    provider: entry.provider,
    id: entry.id,
    apiModel: entry.apiModel ?? entry.id,
    reasoning: entry.reasoning ?? false,
    tools: entry.tools ?? true,
    maxOutputTokens: entry.maxOutputTokens ?? 16_384,
    ...(entry.thinking ? { thinking: entry.thinking } : {}),
  };
}

function parseEntries(input: unknown, source: string): ModelInfo[] {
  const result = z.array(ModelEntrySchema).safeParse(input);
  if (!result.success) {
    throw new ConfigurationError(`${source} is invalid: ${formatValidationError(result.error, source)}`);
  }
  return result.data.map(toModelInfo);
}

/** The models each provider accepts: the defaults, extended by `CODY_MODELS` and `models`. */
export function createModelCatalogue(options: ModelCatalogueOptions = {}): ModelCatalogue {
  const byKey = new Map<string, ModelInfo>();
  const add = (model: ModelInfo) => byKey.set(`${model.provider}\u0000${model.id}`, model);
  if (options.includeDefaults !== false) DEFAULT_MODELS.forEach(add);
  const raw = options.env?.CODY_MODELS;
  if (raw !== undefined && raw.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      throw new ConfigurationError(`CODY_MODELS is not valid JSON: ${(error as Error).message}`);
    }
    parseEntries(parsed, 'CODY_MODELS').forEach(add);
  }
  if (options.models) parseEntries(options.models, 'models').forEach(add);
  const models = [...byKey.values()];

  return {
    list: (provider) => models.filter((model) => provider === undefined || model.provider === provider),
    resolve(providerId, modelId) {
      if (!(PROVIDER_IDS as readonly string[]).includes(providerId)) {
        throw new UnknownProviderError(providerId, PROVIDER_IDS);
      }
      const own = models.filter((model) => model.provider === providerId);
      const found =
        own.find((model) => model.id === modelId) ?? own.find((model) => model.apiModel === modelId);
      if (!found) {
        throw new UnknownModelError(
          providerId,
          modelId,
          own.map((model) => model.id),
        );
      }
      return found;
    },
  };
}

const defaultCatalogue = createModelCatalogue();

/** Resolves against {@link DEFAULT_MODELS} unless a catalogue is given. */
export function resolveModel(
  providerId: string,
  modelId: string,
  catalogue: ModelCatalogue = defaultCatalogue,
): ModelInfo {
  return catalogue.resolve(providerId, modelId);
}
