import {
  ERROR_CODES,
  type ErrorInfo,
  isTerminalStatus,
  type OutputItem,
  type PayloadOf,
  type Response,
  type StreamEvent,
  safeParseStreamEvent,
} from '@cody/schema';
import { type ItemStatus, initialReducerState, type ReducerState } from './reducer-state';
import { hasSeen, withSeen } from './seen-ids';
import { appendDelta, startItem } from './start-item';

/**
 * Applies one event to a run's state and returns the new state; never mutates `state`
 * and never throws. An event id already applied is ignored (delivery is at-least-once).
 * Input that fails the StreamEvent schema ends the run in `error` naming the field.
 */
export function applyEvent(state: ReducerState | undefined, input: unknown): ReducerState {
  const current = state ?? initialReducerState();
  const parsed = safeParseStreamEvent(input);
  if (!parsed.ok) {
    return failRun(current, { code: ERROR_CODES.INVALID_EVENT, message: parsed.error.message }, now(current));
  }
  const event = parsed.value;
  if (hasSeen(current.seen, event.event_id)) return current;
  return reduce({ ...current, seen: withSeen(current.seen, event.event_id) }, event);
}

function reduce(state: ReducerState, event: StreamEvent): ReducerState {
  const { payload } = event;
  if (payload.type === 'heartbeat') return state;
  if (payload.type === 'response_start') return startResponse(state, payload, event.timestamp);

  const response = state.response;
  if (response === undefined) {
    if (state.error !== undefined) return state;
    return { ...state, error: sequenceError(event, 'before response_start'), halted: true };
  }
  if (payload.type === 'usage_update') return withResponse(state, { usage: payload.usage }, event.timestamp);
  // terminal states stick: nothing after them changes the run
  if (isTerminalStatus(response.status)) return state;

  switch (payload.type) {
    case 'item_start': {
      if (state.halted || Object.hasOwn(state.itemIndex, payload.item_id)) return state;
      const index = response.output_items.length;
      return {
        ...withResponse(
          state,
          { output_items: [...response.output_items, startItem(payload)] },
          event.timestamp,
        ),
        itemIndex: { ...state.itemIndex, [payload.item_id]: index },
        itemStatus: { ...state.itemStatus, [payload.item_id]: 'streaming' },
      };
    }
    case 'item_delta':
    case 'item_done':
    case 'item_error':
    case 'item_cancelled': {
      if (state.halted) return state;
      const index = state.itemIndex[payload.item_id];
      if (index === undefined)
        return failRun(state, sequenceError(event, 'for an item that never started'), event.timestamp);
      if (state.itemStatus[payload.item_id] !== 'streaming') return state;
      const item = response.output_items[index] as OutputItem;
      if (payload.type === 'item_delta') {
        return replaceItem(state, index, appendDelta(item, payload.delta_content), event.timestamp);
      }
      const next =
        payload.type === 'item_done'
          ? replaceItem(state, index, payload.final_item, event.timestamp)
          : touch(state, event.timestamp);
      const status: ItemStatus =
        payload.type === 'item_done' ? 'done' : payload.type === 'item_error' ? 'error' : 'cancelled';
      return { ...next, itemStatus: { ...state.itemStatus, [payload.item_id]: status } };
    }
    case 'approval_requested':
    case 'approval_decided':
      return applyApproval(state, event, payload);
    case 'response_done': {
      const patch: Partial<Response> = { status: payload.status, finish_reason: payload.finish_reason };
      if (payload.usage !== undefined) patch.usage = payload.usage;
      if (payload.error !== undefined) patch.error = payload.error;
      return withResponse(state, patch, event.timestamp);
    }
    case 'response_error':
      return failRun(state, payload.error, event.timestamp);
    case 'turn_aborted_by_user':
      return closeOpenItems(
        withResponse(state, { status: 'aborted', finish_reason: 'aborted' }, event.timestamp),
        'cancelled',
      );
  }
}

function startResponse(state: ReducerState, p: PayloadOf<'response_start'>, timestamp: number): ReducerState {
  // once per run: a repeated start (a later model call, a redelivery) changes nothing
  if (state.response !== undefined || state.halted) return state;
  const response: Response = {
    id: p.response_id,
    turn_id: p.turn_id,
    thread_id: p.thread_id,
    ...(p.agent_id === undefined ? {} : { agent_id: p.agent_id }),
    model_id: p.model_id,
    provider_id: p.provider_id,
    created_at: p.created_at,
    updated_at: timestamp,
    status: 'in_progress',
    output_items: [],
    finish_reason: null,
    ...(p.replaces_run_id === undefined ? {} : { replaces_run_id: p.replaces_run_id }),
  };
  return { ...state, response };
}

/**
 * Approval events change the `approval` of a closed function_call item with that call id: a
 * request marks it pending (once: a repeated request never reopens a decision), the first
 * decision of a pending call sticks. An unknown item is a sequence error; one that is no such
 * call is left alone.
 */
function applyApproval(
  state: ReducerState,
  event: StreamEvent,
  payload: PayloadOf<'approval_requested'> | PayloadOf<'approval_decided'>,
): ReducerState {
  if (state.halted) return state;
  const index = state.itemIndex[payload.item_id];
  if (index === undefined)
    return failRun(state, sequenceError(event, 'for an item that never started'), event.timestamp);
  const item = (state.response as Response).output_items[index] as OutputItem;
  if (item.type !== 'function_call' || item.call_id !== payload.call_id) return state;
  if (state.itemStatus[payload.item_id] !== 'done') return state;
  if (payload.type === 'approval_requested') {
    if (item.approval !== undefined) return state;
    const approval = {
      status: 'pending' as const,
      ...(payload.expires_at === undefined ? {} : { expires_at: payload.expires_at }),
    };
    return replaceItem(state, index, { ...item, approval }, event.timestamp);
  }
  if (item.approval?.status !== 'pending') return state;
  const approval = {
    status: payload.decision,
    ...(payload.reason === undefined ? {} : { reason: payload.reason }),
    ...(payload.decided_by === undefined ? {} : { decided_by: payload.decided_by }),
  };
  return replaceItem(state, index, { ...item, approval }, event.timestamp);
}

/** Ends the run in `error`; a sequence error also drops half-built items and halts items. */
function failRun(state: ReducerState, error: ErrorInfo, timestamp: number): ReducerState {
  const response = state.response;
  if (response === undefined) return state.error === undefined ? { ...state, error, halted: true } : state;
  if (isTerminalStatus(response.status)) return state;
  if (error.code !== ERROR_CODES.STREAM_SEQUENCE_ERROR) {
    return closeOpenItems(
      withResponse(state, { status: 'error', finish_reason: 'error', error }, timestamp),
      'error',
    );
  }
  const kept = response.output_items.filter((item) => state.itemStatus[item.id] !== 'streaming');
  const itemIndex: Record<string, number> = {};
  kept.forEach((item, i) => {
    itemIndex[item.id] = i;
  });
  const itemStatus: Record<string, ItemStatus> = {};
  for (const item of kept) itemStatus[item.id] = state.itemStatus[item.id] as ItemStatus;
  return {
    ...withResponse(state, { status: 'error', finish_reason: 'error', error, output_items: kept }, timestamp),
    itemIndex,
    itemStatus,
    halted: true,
  };
}

function closeOpenItems(state: ReducerState, status: ItemStatus): ReducerState {
  const itemStatus: Record<string, ItemStatus> = { ...state.itemStatus };
  for (const [id, current] of Object.entries(itemStatus))
    if (current === 'streaming') itemStatus[id] = status;
  return { ...state, itemStatus };
}

function replaceItem(state: ReducerState, index: number, item: OutputItem, timestamp: number): ReducerState {
  const items = (state.response as Response).output_items.slice();
  items[index] = item;
  return withResponse(state, { output_items: items }, timestamp);
}

function withResponse(state: ReducerState, patch: Partial<Response>, timestamp: number): ReducerState {
  const response = state.response as Response;
  return {
    ...state,
    response: { ...response, ...patch, updated_at: Math.max(response.updated_at, timestamp) },
  };
}

const touch = (state: ReducerState, timestamp: number) => withResponse(state, {}, timestamp);

function now(state: ReducerState): number {
  return state.response?.updated_at ?? 0;
}

function sequenceError(event: StreamEvent, what: string): ErrorInfo {
  const item = 'item_id' in event.payload ? ` ${event.payload.item_id}` : '';
  return {
    code: ERROR_CODES.STREAM_SEQUENCE_ERROR,
    message: `${event.type}${item} arrived ${what} (event ${event.event_id})`,
  };
}
