import {
  CodyIdSchema,
  ERROR_CODES,
  ProviderIdSchema,
  type TraceContext,
  TraceContextSchema,
  ValidationError,
} from '@cody/schema';
import { z } from 'zod';

/** One tool call to execute: an entry of `<prefix>tools:requests` (docs/architecture.md). */
export interface ToolRequest {
  runId: string;
  /** Cody's id of the `function_call` item the call came in. */
  itemId: string;
  /** The provider's call id (`call_…`, `toolu_…`): the output answers it. */
  callId: string;
  name: string;
  /** JSON text exactly as the model produced it. */
  arguments: string;
  /** Trace context of the producer; the execution continues that trace. */
  trace?: TraceContext;
}

// the stream entry's fields, as the architecture names them
const ToolRequestFieldsSchema = z.object({
  run: CodyIdSchema,
  item: CodyIdSchema,
  call_id: ProviderIdSchema,
  name: z.string().min(1),
  arguments: z.string(),
  trace: z.string().optional(),
});

/** The flat field list of a request entry (`trace` is the TraceContext as JSON). */
export function toolRequestFields(request: ToolRequest): string[] {
  const fields = [
    'run',
    request.runId,
    'item',
    request.itemId,
    'call_id',
    request.callId,
    'name',
    request.name,
    'arguments',
    request.arguments,
  ];
  if (request.trace) fields.push('trace', JSON.stringify(request.trace));
  return fields;
}

export type ParsedToolRequest = { ok: true; request: ToolRequest } | { ok: false; error: ValidationError };

/** Reads a request entry's fields; a malformed entry gives a ValidationError naming the field. */
export function parseToolRequest(fields: Record<string, string>): ParsedToolRequest {
  const result = ToolRequestFieldsSchema.safeParse(fields);
  if (!result.success) {
    return {
      ok: false,
      error: new ValidationError(result.error, { code: ERROR_CODES.VALIDATION_ERROR, what: 'tool request' }),
    };
  }
  const { run, item, call_id, name, arguments: args, trace } = result.data;
  const request: ToolRequest = { runId: run, itemId: item, callId: call_id, name, arguments: args };
  const traceContext = parseTrace(trace);
  if (traceContext) request.trace = traceContext;
  return { ok: true, request };
}

// JSON of a TraceContext, or a bare traceparent; anything else starts a new trace
function parseTrace(text: string | undefined): TraceContext | undefined {
  if (!text) return undefined;
  if (!text.startsWith('{')) return { traceparent: text };
  try {
    const parsed = TraceContextSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
