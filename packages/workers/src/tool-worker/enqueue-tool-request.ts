import { injectTraceContext, type RedisTransport } from '@cody/redis';
import { type ToolRequest, toolRequestFields } from './tool-request';

/**
 * Queues a tool call for the tool workers (XADD on the run's shard of `<prefix>tools:requests`). Without an explicit
 * `trace`, the active OpenTelemetry context is carried, so the execution joins the caller's trace.
 */
export async function enqueueToolRequest(
  transport: RedisTransport,
  request: Omit<ToolRequest, 'trace'> & { trace?: ToolRequest['trace'] },
): Promise<string> {
  const fields = toolRequestFields({ ...request, trace: request.trace ?? injectTraceContext() });
  return (await transport.redis.xadd(
    transport.keys.toolRequestStream(request.runId),
    '*',
    ...fields,
  )) as string;
}
