export { AbortedError } from './aborted-error';
export { addUsage } from './add-usage';
export {
  type AnthropicProviderOptions,
  buildAnthropicRequest,
  createAnthropicProvider,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
} from './anthropic-provider';
export { ConfigurationError } from './configuration-error';
export { type CreateProviderOptions, createProvider } from './create-provider';
export type { Logger } from './logger';
export { mapAnthropicStopReason } from './map-anthropic-stop-reason';
export { mapAnthropicUsage } from './map-anthropic-usage';
export { mapOpenAIFinishReason } from './map-openai-finish-reason';
export { mapOpenAIUsage } from './map-openai-usage';
export { TRACER_NAME } from './model-call-span';
export {
  createModelCatalogue,
  DEFAULT_MODELS,
  type ModelCatalogue,
  type ModelCatalogueOptions,
  type ModelEntry,
  type ModelInfo,
  PROVIDER_IDS,
  type ProviderId,
  resolveModel,
} from './model-catalogue';
export type {
  ModelProvider,
  ModelRequest,
  ProviderItem,
  ProviderPart,
  ReasoningEffort,
  ReasoningOptions,
} from './model-provider';
export { type HistoryEntry, normalizeHistory, UNANSWERED_CALL_OUTPUT } from './normalize-history';
export { buildOpenAIRequest, createOpenAIProvider, type OpenAIProviderOptions } from './openai-provider';
export { ProviderError, type ProviderErrorCode, type ProviderErrorDetails } from './provider-error';
export {
  type AgentLoopResult,
  DEFAULT_MAX_STEPS,
  type RunAgentLoopOptions,
  runAgentLoop,
} from './run-agent-loop';
export { toAnthropicMessages } from './to-anthropic-messages';
export { toAnthropicTools } from './to-anthropic-tools';
export { toOpenAIInput } from './to-openai-input';
export { toOpenAITools } from './to-openai-tools';
export { classifyProviderFailure, toProviderError } from './to-provider-error';
export type { ToolDeclaration } from './tool-declaration';
export { UnknownModelError } from './unknown-model-error';
export { UnknownProviderError } from './unknown-provider-error';
