import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderKind } from './provider-kind';
import { type DeclaredTool, readDeclaredTools, readTranscript, type TranscriptEntry } from './transcript';

/** How the exchange of one request ended, seen from the server. */
export type RequestOutcome =
  /** The whole reply was sent. */
  | 'completed'
  /** The client closed the connection before the reply ended (an abort). */
  | 'client_closed'
  /** The server destroyed the socket on purpose (`dropAfterEvents`). */
  | 'dropped'
  /** Refused by validation (400/401), like the real API would. */
  | 'rejected'
  /** A scripted HTTP error was sent. */
  | 'http_error';

export interface ToolResultEntry {
  callId: string;
  output: string;
  isError: boolean;
}

/** Everything the server received in one request, for tests to assert on. */
export interface RecordedRequest {
  /** 1-based arrival order on this server. */
  readonly seq: number;
  readonly provider: ProviderKind;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body (an empty object when it was not JSON). */
  readonly body: Record<string, unknown>;
  readonly model: string | undefined;
  /** The conversation sent, the same shape for both protocols. */
  readonly transcript: readonly TranscriptEntry[];
  readonly tools: readonly DeclaredTool[];
  /** Text of the last user message that has text (tool-result-only messages are skipped). */
  readonly lastUserText: string;
  /** Tool results after that user message: the outputs of this run's earlier steps. */
  readonly stepToolResults: readonly ToolResultEntry[];
  /** 1 for the first model call of a turn, +1 for each batch of tool results sent since. */
  readonly step: number;
  /** SSE events written so far. */
  eventsSent: number;
  /** HTTP status answered. */
  status: number | undefined;
  /** Resolves when the exchange is over. */
  readonly outcome: Promise<RequestOutcome>;
}

export interface RecordedRequestInit {
  seq: number;
  provider: ProviderKind;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  outcome: Promise<RequestOutcome>;
}

export function createRecordedRequest(init: RecordedRequestInit): RecordedRequest {
  const transcript = readTranscript(init.provider, init.body);
  let lastUser = -1;
  transcript.forEach((entry, index) => {
    if (entry.kind === 'text' && entry.role === 'user' && entry.text.trim() !== '') lastUser = index;
  });
  const after = transcript.slice(lastUser + 1);
  const stepToolResults: ToolResultEntry[] = [];
  let batches = 0;
  let previous: TranscriptEntry['kind'] | undefined;
  for (const entry of after) {
    if (entry.kind === 'tool_result') {
      if (previous !== 'tool_result') batches += 1;
      stepToolResults.push({ callId: entry.callId, output: entry.output, isError: entry.isError });
    }
    previous = entry.kind;
  }
  const userEntry = transcript[lastUser];
  return {
    seq: init.seq,
    provider: init.provider,
    path: init.path,
    headers: init.headers,
    body: init.body,
    model: typeof init.body.model === 'string' ? init.body.model : undefined,
    transcript,
    tools: readDeclaredTools(init.provider, init.body),
    lastUserText: userEntry?.kind === 'text' ? userEntry.text : '',
    stepToolResults,
    step: batches + 1,
    eventsSent: 0,
    status: undefined,
    outcome: init.outcome,
  };
}
