/** One piece of a scripted model turn, written in the protocol the request used. */
export type ScriptedPart =
  /**
   * OpenAI: a reasoning item whose summary parts are the strings (multi-part when an array);
   * Anthropic: a thinking block (parts joined with a blank line) with a signature.
   * Sent only when the request asked for reasoning, as the real APIs do.
   */
  | { type: 'reasoning'; text: string | string[] }
  /** Anthropic: a `redacted_thinking` block; OpenAI: a reasoning item with no summary. */
  | { type: 'redacted_reasoning' }
  /** Assistant text. An array gives the exact deltas; a string is cut into `chunkSize` pieces. */
  | { type: 'text'; text: string | string[] }
  /** A function call / tool_use whose JSON arguments are streamed in `chunkSize` pieces. */
  | { type: 'tool_call'; name: string; arguments: string | Record<string, unknown>; callId?: string };

export type ScriptedFinish = 'stop' | 'length' | 'content_filter' | 'tool_calls';

export interface ScriptedUsage {
  input?: number;
  output?: number;
  reasoning?: number;
  cached?: number;
}

/** Options that shape how a streamed reply goes over the wire. */
export interface StreamControls {
  /** Pause before each SSE event, in ms (overrides the server's `delayMs`). */
  delayMs?: number;
  /** Destroy the socket after this many events: a dropped connection. */
  dropAfterEvents?: number;
  /** End the response cleanly after this many events, before the terminal one (a cut-short stream). */
  endAfterEvents?: number;
  /**
   * End the stream with the provider's error after this many events: Anthropic `event: error`
   * (`overloaded_error` unless `type` says otherwise), OpenAI `response.failed`.
   */
  error?: { afterEvents: number; type?: string; message?: string };
  /** Extra raw events (unknown types, say) written after the given number of events. Counts here are of the reply's own events. */
  inject?: { afterEvents: number; event: string; data: unknown }[];
  /** Stop after this many events until `until` settles, then go on (a model that waits for the test). */
  hold?: { afterEvents: number; until: Promise<unknown> };
}

export interface TurnReply extends StreamControls {
  kind: 'turn';
  parts: ScriptedPart[];
  /** Default: `tool_calls` when a part is a tool call, else `stop`. */
  finish?: ScriptedFinish;
  /** Token counts reported; estimated from the text when absent. */
  usage?: ScriptedUsage;
  /** Characters per delta when a text is given as one string (default 6). */
  chunkSize?: number;
}

export interface RecordingReply extends StreamControls {
  kind: 'recording';
  /** Path under `fixtures/providers/`, e.g. `anthropic-messages/text-simple.sse`. */
  name: string;
}

export interface HttpErrorReply {
  kind: 'http_error';
  status: number;
  /** Default: the provider's usual text for the status. */
  message?: string;
  /** Provider error type (`rate_limit_error`, `server_error`…); default from the status. */
  type?: string;
  headers?: Record<string, string>;
  /** Replaces the provider-shaped JSON body entirely. */
  body?: unknown;
}

/** What the server answers to one request. */
export type Reply = TurnReply | RecordingReply | HttpErrorReply;
