import { z } from 'zod';

// Tolerant shapes of the Responses stream: only the fields we read, all nullish; extra fields pass.

const count = z.number().nullish();

export const OpenAIUsageSchema = z.object({
  input_tokens: count,
  output_tokens: count,
  total_tokens: count,
  input_tokens_details: z.object({ cached_tokens: count }).nullish(),
  output_tokens_details: z.object({ reasoning_tokens: count }).nullish(),
});
export type OpenAIUsage = z.infer<typeof OpenAIUsageSchema>;

const TextPartSchema = z.object({
  type: z.string().nullish(),
  text: z.string().nullish(),
  refusal: z.string().nullish(),
});

export const OpenAIOutputItemSchema = z.object({
  id: z.string().nullish(),
  type: z.string(),
  name: z.string().nullish(),
  call_id: z.string().nullish(),
  arguments: z.string().nullish(),
  encrypted_content: z.string().nullish(),
  summary: z.array(z.object({ text: z.string().nullish() })).nullish(),
  content: z.array(TextPartSchema).nullish(),
});
export type OpenAIOutputItem = z.infer<typeof OpenAIOutputItemSchema>;

const ResponseObjectSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  status: z.string().nullish(),
  usage: OpenAIUsageSchema.nullish(),
  error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
  incomplete_details: z.object({ reason: z.string().nullish() }).nullish(),
});

const withResponse = z.object({ response: ResponseObjectSchema });
const itemEvent = z.object({ output_index: count, item: OpenAIOutputItemSchema });
const deltaEvent = z.object({
  item_id: z.string().nullish(),
  output_index: count,
  summary_index: count,
  delta: z.string().nullish(),
});

/** The events the adapter reads, by `type`; every other type is ignored. */
export const OPENAI_EVENT_SCHEMAS = {
  'response.created': withResponse,
  'response.output_item.added': itemEvent,
  'response.output_item.done': itemEvent,
  'response.output_text.delta': deltaEvent,
  'response.refusal.delta': deltaEvent,
  'response.reasoning_summary_text.delta': deltaEvent,
  'response.reasoning_text.delta': deltaEvent,
  'response.function_call_arguments.delta': deltaEvent,
  'response.completed': withResponse,
  'response.incomplete': withResponse,
  'response.failed': withResponse,
  // documented flat shape; the nested one (`error: {…}`) makes the SDK throw before we see it
  error: z.object({
    code: z.string().nullish(),
    message: z.string().nullish(),
    error: z
      .object({ type: z.string().nullish(), code: z.string().nullish(), message: z.string().nullish() })
      .nullish(),
  }),
} as const;

export type OpenAIEventType = keyof typeof OPENAI_EVENT_SCHEMAS;
export type OpenAIEvent = {
  [T in OpenAIEventType]: { type: T } & z.infer<(typeof OPENAI_EVENT_SCHEMAS)[T]>;
}[OpenAIEventType];
