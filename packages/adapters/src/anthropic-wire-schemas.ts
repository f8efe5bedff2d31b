import { z } from 'zod';

// Tolerant shapes of the Messages stream: only the fields we read, all nullish; extra fields pass.

const count = z.number().nullish();

export const AnthropicUsageSchema = z.object({
  input_tokens: count,
  output_tokens: count,
  cache_read_input_tokens: count,
  cache_creation_input_tokens: count,
  output_tokens_details: z.object({ thinking_tokens: count }).nullish(),
});
export type AnthropicUsage = z.infer<typeof AnthropicUsageSchema>;

const BlockSchema = z.object({
  type: z.string(),
  id: z.string().nullish(),
  name: z.string().nullish(),
  input: z.unknown().optional(),
  text: z.string().nullish(),
  thinking: z.string().nullish(),
  signature: z.string().nullish(),
  data: z.string().nullish(),
});

const DeltaSchema = z.object({
  type: z.string(),
  text: z.string().nullish(),
  thinking: z.string().nullish(),
  signature: z.string().nullish(),
  partial_json: z.string().nullish(),
});

/** The events the adapter reads, by `type`; every other type (ping, future ones) is ignored. */
export const ANTHROPIC_EVENT_SCHEMAS = {
  message_start: z.object({
    message: z.object({
      id: z.string().nullish(),
      model: z.string().nullish(),
      usage: AnthropicUsageSchema.nullish(),
    }),
  }),
  content_block_start: z.object({ index: z.number(), content_block: BlockSchema }),
  content_block_delta: z.object({ index: z.number(), delta: DeltaSchema }),
  content_block_stop: z.object({ index: z.number() }),
  message_delta: z.object({
    delta: z.object({ stop_reason: z.string().nullish() }).nullish(),
    usage: AnthropicUsageSchema.nullish(),
  }),
  message_stop: z.object({}),
  // the SDK throws on `event: error`; kept for servers that send it without the event name
  error: z.object({
    error: z.object({ type: z.string().nullish(), message: z.string().nullish() }).nullish(),
  }),
} as const;

export type AnthropicEventType = keyof typeof ANTHROPIC_EVENT_SCHEMAS;
export type AnthropicEvent = {
  [T in AnthropicEventType]: { type: T } & z.infer<(typeof ANTHROPIC_EVENT_SCHEMAS)[T]>;
}[AnthropicEventType];
