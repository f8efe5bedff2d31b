import type { HttpErrorReply, RecordingReply, ScriptedPart, StreamControls, TurnReply } from './reply';

type TurnOptions = Omit<TurnReply, 'kind' | 'parts'>;

/** Short builders for the common replies. */
export const replies = {
  /** Plain text, optionally after a reasoning part. */
  text(text: string | string[], options: TurnOptions & { reasoning?: string | string[] } = {}): TurnReply {
    const { reasoning, ...rest } = options;
    const parts: ScriptedPart[] = reasoning === undefined ? [] : [{ type: 'reasoning', text: reasoning }];
    parts.push({ type: 'text', text });
    return { kind: 'turn', parts, ...rest };
  },
  /** One or more (parallel) tool calls, optionally after a reasoning part. */
  toolCalls(
    calls: { name: string; arguments: string | Record<string, unknown>; callId?: string }[],
    options: TurnOptions & { reasoning?: string | string[] } = {},
  ): TurnReply {
    const { reasoning, ...rest } = options;
    const parts: ScriptedPart[] = reasoning === undefined ? [] : [{ type: 'reasoning', text: reasoning }];
    for (const call of calls) parts.push({ type: 'tool_call', ...call });
    return { kind: 'turn', parts, ...rest };
  },
  recording(name: string, controls: StreamControls = {}): RecordingReply {
    return { kind: 'recording', name, ...controls };
  },
  httpError(status: number, options: Omit<HttpErrorReply, 'kind' | 'status'> = {}): HttpErrorReply {
    return { kind: 'http_error', status, ...options };
  },
};
