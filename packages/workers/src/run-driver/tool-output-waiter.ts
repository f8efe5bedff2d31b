import type { RedisTransport } from '@cody/redis';
import type { FunctionCallItem, FunctionCallOutputItem } from '@cody/schema';
import { enqueueToolRequest } from '../tool-worker/enqueue-tool-request';

export interface AwaitToolOutputsOptions {
  transport: RedisTransport;
  runId: string;
  /** Stream id to watch from: an id at or before the calls' own item_done events. */
  afterId: string;
  calls: readonly FunctionCallItem[];
  signal: AbortSignal;
  /** Gives up after this long and resolves with what arrived; missing outputs are the caller's. */
  timeoutMs: number;
}

/**
 * Hands the calls to the tool workers (one `tools:requests` entry each) and waits, tailing the
 * run's stream, until every call has its `function_call_output`. Resolves in call order with
 * the outputs found; on timeout or abort, with the ones that arrived.
 */
export async function awaitToolOutputs(
  options: AwaitToolOutputsOptions,
): Promise<Map<string, FunctionCallOutputItem>> {
  const { transport, runId, calls } = options;
  for (const call of calls) {
    await enqueueToolRequest(transport, {
      runId,
      itemId: call.id,
      callId: call.call_id,
      name: call.name,
      arguments: call.arguments,
    });
  }

  const wanted = new Set(calls.map((call) => call.call_id));
  const outputs = new Map<string, FunctionCallOutputItem>();
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), options.timeoutMs);
  const onAbort = () => stop.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const entry of transport.tail(runId, options.afterId, stop.signal)) {
      const event = entry.event;
      if (event?.payload?.type !== 'item_done') continue;
      const item = event.payload.final_item;
      if (item.type !== 'function_call_output' || !wanted.has(item.call_id) || outputs.has(item.call_id))
        continue;
      outputs.set(item.call_id, item);
      if (outputs.size === wanted.size) break;
    }
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
    stop.abort();
  }
  return outputs;
}
