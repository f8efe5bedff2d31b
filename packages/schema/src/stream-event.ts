import { z } from 'zod';
import { ApprovalStateSchema } from './approval';
import { ErrorInfoSchema } from './error-info';
import { CodyIdSchema, ProviderIdSchema } from './ids';
import { ItemOriginSchema, OutputItemSchema, OutputItemTypeSchema } from './output-item';
import { FinishReasonSchema, ResponseStatusSchema, TimestampSchema } from './response';
import { TraceContextSchema } from './trace-context';
import { UsageSchema } from './usage';

export const ResponseStartPayloadSchema = z.strictObject({
  type: z.literal('response_start'),
  response_id: CodyIdSchema,
  turn_id: CodyIdSchema,
  thread_id: CodyIdSchema,
  agent_id: z.string().optional(),
  model_id: z.string().min(1),
  provider_id: z.string().min(1),
  created_at: TimestampSchema,
  /** The run this one replaces (a retry, a regeneration, an edited prompt); absent for a new turn. */
  replaces_run_id: CodyIdSchema.optional(),
});

/** Opens an item; carries what is known at start so a UI can render the card at once. */
export const ItemStartPayloadSchema = z.strictObject({
  type: z.literal('item_start'),
  item_id: CodyIdSchema,
  item_type: OutputItemTypeSchema,
  origin: ItemOriginSchema.optional(),
  name: z.string().optional(),
  call_id: ProviderIdSchema.optional(),
  code: z.string().optional(),
  script_id: CodyIdSchema.optional(),
});

export const ItemDeltaPayloadSchema = z.strictObject({
  type: z.literal('item_delta'),
  item_id: CodyIdSchema,
  delta_content: z.string(),
});

export const ItemDonePayloadSchema = z.strictObject({
  type: z.literal('item_done'),
  item_id: CodyIdSchema,
  final_item: OutputItemSchema,
});

export const ItemErrorPayloadSchema = z.strictObject({
  type: z.literal('item_error'),
  item_id: CodyIdSchema,
  error: z.strictObject({ code: z.string().min(1), message: z.string() }),
});

export const ItemCancelledPayloadSchema = z.strictObject({
  type: z.literal('item_cancelled'),
  item_id: CodyIdSchema,
  reason: z.string(),
});

export const ResponseDonePayloadSchema = z.strictObject({
  type: z.literal('response_done'),
  response_id: CodyIdSchema,
  status: ResponseStatusSchema,
  usage: UsageSchema.optional(),
  finish_reason: FinishReasonSchema,
  /** Set when `status` is `error` (a replayed snapshot of a failed run, say). */
  error: ErrorInfoSchema.optional(),
});

export const ResponseErrorPayloadSchema = z.strictObject({
  type: z.literal('response_error'),
  response_id: CodyIdSchema,
  error: ErrorInfoSchema,
});

export const UsageUpdatePayloadSchema = z.strictObject({
  type: z.literal('usage_update'),
  response_id: CodyIdSchema,
  usage: UsageSchema,
});

export const HeartbeatPayloadSchema = z.strictObject({
  type: z.literal('heartbeat'),
});

export const TurnAbortedByUserPayloadSchema = z.strictObject({
  type: z.literal('turn_aborted_by_user'),
  turn_id: CodyIdSchema,
  reason: z.string(),
});

/** A function call waits for the person: no tool worker runs it until it is approved. */
export const ApprovalRequestedPayloadSchema = z.strictObject({
  type: z.literal('approval_requested'),
  /** The `function_call` item asking. */
  item_id: CodyIdSchema,
  call_id: ProviderIdSchema,
  /** The tool's name, as on the call. */
  tool: z.string().min(1),
  /** When it ends as denied if nobody decides (epoch ms). */
  expires_at: ApprovalStateSchema.shape.expires_at,
});

/** The person (or the timeout) decided a pending call: approved runs it, denied answers it failed. */
export const ApprovalDecidedPayloadSchema = z.strictObject({
  type: z.literal('approval_decided'),
  item_id: CodyIdSchema,
  call_id: ProviderIdSchema,
  decision: z.enum(['approved', 'denied']),
  reason: ApprovalStateSchema.shape.reason,
  decided_by: ApprovalStateSchema.shape.decided_by,
});

export const StreamPayloadSchema = z.discriminatedUnion('type', [
  ResponseStartPayloadSchema,
  ItemStartPayloadSchema,
  ItemDeltaPayloadSchema,
  ItemDonePayloadSchema,
  ItemErrorPayloadSchema,
  ItemCancelledPayloadSchema,
  ResponseDonePayloadSchema,
  ResponseErrorPayloadSchema,
  UsageUpdatePayloadSchema,
  HeartbeatPayloadSchema,
  TurnAbortedByUserPayloadSchema,
  ApprovalRequestedPayloadSchema,
  ApprovalDecidedPayloadSchema,
]);
export type StreamPayload = z.infer<typeof StreamPayloadSchema>;
export type StreamEventType = StreamPayload['type'];
export type PayloadOf<T extends StreamEventType> = Extract<StreamPayload, { type: T }>;

export const STREAM_EVENT_TYPES = StreamPayloadSchema.options.map(
  (option) => option.shape.type.value,
) as readonly StreamEventType[];

// fields an item cannot be rendered or answered without, so they must come with its start
const requiredAtStart: Partial<Record<string, readonly ('name' | 'call_id' | 'script_id')[]>> = {
  function_call: ['name', 'call_id'],
  function_call_output: ['call_id'],
  script_execution_output: ['script_id'],
};

/** What flows through Redis and SSE: one payload in an envelope with ids and trace context. */
export const StreamEventSchema = z
  .strictObject({
    event_id: CodyIdSchema,
    /** Epoch milliseconds at which the event was produced. */
    timestamp: TimestampSchema,
    /** W3C trace context of the producer; absent when nothing was traced. */
    trace_context: TraceContextSchema.optional(),
    run_id: CodyIdSchema,
    /** Always equals `payload.type`, so consumers can route without parsing the payload. */
    type: z.enum(STREAM_EVENT_TYPES as [StreamEventType, ...StreamEventType[]]),
    payload: StreamPayloadSchema,
  })
  .superRefine((event, ctx) => {
    if (event.type !== event.payload.type) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: `must equal payload.type (${event.payload.type}), got ${event.type}`,
      });
    }
    if (event.payload.type === 'item_start') {
      for (const field of requiredAtStart[event.payload.item_type] ?? []) {
        if (event.payload[field] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['payload', field],
            message: `Required when item_type is ${event.payload.item_type}`,
          });
        }
      }
    }
    if (event.payload.type === 'item_done' && event.payload.final_item.id !== event.payload.item_id) {
      ctx.addIssue({
        code: 'custom',
        path: ['payload', 'final_item', 'id'],
        message: 'must equal payload.item_id',
      });
    }
  });

/** A StreamEvent whose `type` and `payload` agree, so a switch on `payload.type` narrows both. */
export type StreamEvent = {
  [T in StreamEventType]: Omit<z.infer<typeof StreamEventSchema>, 'type' | 'payload'> & {
    type: T;
    payload: PayloadOf<T>;
  };
}[StreamEventType];
