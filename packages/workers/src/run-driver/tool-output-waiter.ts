import { createStreamEvent, type RedisTransport } from '@cody/redis';
import type { FunctionCallItem, FunctionCallOutputItem, PayloadOf } from '@cody/schema';
import { isToolCallAnswered } from '../tool-worker/answer-tool-call';
import { enqueueToolRequest } from '../tool-worker/enqueue-tool-request';

export interface ApprovalGate {
  /** Whether this call waits for the person. */
  needs(call: FunctionCallItem): boolean;
  /** How long a pending call waits before it is denied (`CODY_APPROVAL_TIMEOUT_MS`). */
  timeoutMs: number;
  /** Answers a denied call (a failed `function_call_output`, once). */
  deny(call: FunctionCallItem, decision: PayloadOf<'approval_decided'>): Promise<void>;
  /**
   * Told whenever the calls still open are all waiting for the person (true) or one of them was
   * handed to a tool worker (false): a run waiting only for decisions can be handed over.
   */
  onWaiting?(waiting: boolean): void;
}

export interface AwaitToolOutputsOptions {
  transport: RedisTransport;
  runId: string;
  /** Stream id to watch from: an id at or before the calls' own item_done events. */
  afterId: string;
  calls: readonly FunctionCallItem[];
  signal: AbortSignal;
  /** Gives up after this long (plus the approval timeout when a call waits for one) and resolves with what arrived. */
  timeoutMs: number;
  /** Calls that need the person's approval first; without it every call runs at once. */
  approvals?: ApprovalGate;
}

/**
 * Hands the calls to the tool workers (one `tools:requests` entry each) and waits, tailing the
 * run's stream, until every call has its `function_call_output`. A call that needs approval is
 * asked for (`approval_requested`) instead and handed over only once `approval_decided` approves
 * it; a denial (the person's, or the timeout's, decided atomically by the same script) is answered
 * as failed. Everything is driven by what the stream holds, so a driver that adopts the run (tailing
 * from its start) continues where the previous one stopped. Resolves in call order with the outputs
 * found; on timeout or abort, with the ones that arrived.
 */
export async function awaitToolOutputs(
  options: AwaitToolOutputsOptions,
): Promise<Map<string, FunctionCallOutputItem>> {
  const { transport, runId, calls, approvals } = options;
  const gated = new Map<string, FunctionCallItem>();
  const enqueue = async (call: FunctionCallItem) => {
    // a resumed run's calls may be answered already: nothing to run again
    if (await isToolCallAnswered(transport.redis, transport.keys, runId, call.call_id)) return;
    await enqueueToolRequest(transport, {
      runId,
      itemId: call.id,
      callId: call.call_id,
      name: call.name,
      arguments: call.arguments,
    });
  };
  for (const call of calls) {
    if (approvals?.needs(call)) {
      gated.set(call.call_id, call);
      const expiresAt = Date.now() + approvals.timeoutMs;
      // `existing`: asked before (a resumed run); its own approval_requested is in the stream
      await transport.approvals.request(
        runId,
        call.call_id,
        createStreamEvent(runId, {
          type: 'approval_requested',
          item_id: call.id,
          call_id: call.call_id,
          tool: call.name,
          expires_at: expiresAt,
        }),
      );
    } else {
      await enqueue(call);
    }
  }
  let running = calls.length - gated.size;
  const report = () => approvals?.onWaiting?.(running === 0 && gated.size > 0);
  report();

  const wanted = new Set(calls.map((call) => call.call_id));
  const outputs = new Map<string, FunctionCallOutputItem>();
  const stop = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  const extraMs = gated.size > 0 && approvals ? approvals.timeoutMs : 0;
  timers.push(setTimeout(() => stop.abort(), options.timeoutMs + extraMs));
  const onAbort = () => stop.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  const expire = (call: FunctionCallItem, expiresAt: number) => {
    const timer = setTimeout(
      () => {
        const seconds = Math.round((approvals?.timeoutMs ?? 0) / 1000);
        void transport.approvals
          .decide(
            runId,
            call.call_id,
            createStreamEvent(runId, {
              type: 'approval_decided',
              item_id: call.id,
              call_id: call.call_id,
              decision: 'denied',
              reason: `nobody approved this call within ${seconds} s`,
              decided_by: 'timeout',
            }),
          )
          .catch(() => {
            // Redis away: the overall timeout still ends the wait
          });
      },
      Math.max(0, expiresAt - Date.now()),
    );
    timers.push(timer);
  };
  try {
    for await (const entry of transport.tail(runId, options.afterId, stop.signal)) {
      if (options.signal.aborted) break;
      const payload = entry.event?.payload;
      if (payload?.type === 'approval_requested') {
        const call = gated.get(payload.call_id);
        if (call && !outputs.has(call.call_id)) expire(call, payload.expires_at ?? Date.now());
        continue;
      }
      if (payload?.type === 'approval_decided') {
        const call = gated.get(payload.call_id);
        if (!call || outputs.has(call.call_id)) continue;
        gated.delete(call.call_id);
        if (payload.decision === 'approved') {
          running++;
          report();
          await enqueue(call);
        } else {
          report();
          await approvals?.deny(call, payload);
        }
        continue;
      }
      if (payload?.type !== 'item_done') continue;
      const item = payload.final_item;
      if (item.type !== 'function_call_output' || !wanted.has(item.call_id) || outputs.has(item.call_id))
        continue;
      outputs.set(item.call_id, item);
      if (!gated.delete(item.call_id)) running--;
      report();
      if (outputs.size === wanted.size) break;
    }
  } finally {
    for (const timer of timers) clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
    stop.abort();
  }
  return outputs;
}
