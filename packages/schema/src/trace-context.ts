import { z } from 'zod';

/** W3C trace context carried by every event, so consumers continue the producer's trace. */
export const TraceContextSchema = z.strictObject({
  traceparent: z.string(),
  tracestate: z.string().optional(),
});
export type TraceContext = z.infer<typeof TraceContextSchema>;
