import { z } from 'zod';
import { ApprovalStateSchema } from './approval';
import { ErrorInfoSchema } from './error-info';
import { CodyIdSchema, ProviderIdSchema } from './ids';

const itemBase = {
  /** Cody's own id for the item (UUID). */
  id: CodyIdSchema,
  /** Links items that belong together (a script and its tool calls, say). */
  correlation_id: z.string().optional(),
};

/** Opaque data a provider needs back on the next call (thinking signature, encrypted reasoning…). */
export const ProviderDataSchema = z.record(z.string(), z.unknown());
export type ProviderData = z.infer<typeof ProviderDataSchema>;

export const MessageItemSchema = z.strictObject({
  ...itemBase,
  type: z.literal('message'),
  origin: z.enum(['user', 'agent', 'system']),
  content: z.string(),
});

export const ReasoningItemSchema = z.strictObject({
  ...itemBase,
  type: z.literal('reasoning'),
  origin: z.enum(['agent', 'system']),
  /** Summary (OpenAI) or thinking (Anthropic) text; empty when the provider hides it. */
  content: z.string(),
  provider_data: ProviderDataSchema.optional(),
});

export const FunctionCallItemSchema = z.strictObject({
  ...itemBase,
  type: z.literal('function_call'),
  origin: z.enum(['agent']),
  name: z.string().min(1),
  /** JSON text exactly as the model produced it. */
  arguments: z.string(),
  call_id: ProviderIdSchema,
  provider_data: ProviderDataSchema.optional(),
  /** Set when the run asked the person before running this call (see `approval_requested`). */
  approval: ApprovalStateSchema.optional(),
});

export const FunctionCallOutputItemSchema = z.strictObject({
  ...itemBase,
  type: z.literal('function_call_output'),
  origin: z.enum(['system', 'tool_harness']),
  call_id: ProviderIdSchema,
  output: z.string(),
  success: z.boolean(),
});

export const ScriptExecutionItemSchema = z.strictObject({
  ...itemBase,
  type: z.literal('script_execution'),
  origin: z.enum(['agent']),
  code: z.string(),
  /** The function call that asked for the script, when a model did. */
  call_id: ProviderIdSchema.optional(),
});

export const ScriptExecutionOutputItemSchema = z.strictObject({
  ...itemBase,
  type: z.literal('script_execution_output'),
  origin: z.enum(['tool_harness']),
  /** The `id` of the script_execution item this answers. */
  script_id: CodyIdSchema,
  /** The script's return value as JSON text. */
  result: z.string(),
  success: z.boolean(),
  error: z.strictObject({ code: z.string(), message: z.string(), stack: z.string().optional() }).optional(),
  /** Console output the script produced. */
  logs: z.array(z.string()).optional(),
});

export const ErrorItemSchema = z.strictObject({
  ...itemBase,
  type: z.literal('error'),
  origin: z.enum(['system']),
  code: z.string().min(1),
  message: z.string(),
  details: ErrorInfoSchema.shape.details,
});

/** One entry of a Response's output, discriminated on `type`. */
export const OutputItemSchema = z.discriminatedUnion('type', [
  MessageItemSchema,
  ReasoningItemSchema,
  FunctionCallItemSchema,
  FunctionCallOutputItemSchema,
  ScriptExecutionItemSchema,
  ScriptExecutionOutputItemSchema,
  ErrorItemSchema,
]);

export type OutputItem = z.infer<typeof OutputItemSchema>;
export type OutputItemType = OutputItem['type'];
export type MessageItem = z.infer<typeof MessageItemSchema>;
export type ReasoningItem = z.infer<typeof ReasoningItemSchema>;
export type FunctionCallItem = z.infer<typeof FunctionCallItemSchema>;
export type FunctionCallOutputItem = z.infer<typeof FunctionCallOutputItemSchema>;
export type ScriptExecutionItem = z.infer<typeof ScriptExecutionItemSchema>;
export type ScriptExecutionOutputItem = z.infer<typeof ScriptExecutionOutputItemSchema>;
export type ErrorItem = z.infer<typeof ErrorItemSchema>;

export const OutputItemTypeSchema = z.enum([
  'message',
  'reasoning',
  'function_call',
  'function_call_output',
  'script_execution',
  'script_execution_output',
  'error',
]);

export const ItemOriginSchema = z.enum(['user', 'agent', 'system', 'tool_harness']);
export type ItemOrigin = z.infer<typeof ItemOriginSchema>;
