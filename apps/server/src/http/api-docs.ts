import { ERROR_CODES, STREAM_EVENT_TYPES } from '@cody/schema';
import { STATUS_BY_CODE } from './http-status-for-code';

// one line per SSE event type; the types themselves come from the schema, so a new one shows up here
const EVENT_NOTES: Record<string, string> = {
  response_start: 'opens the run (once): ids, model, provider, `replaces_run_id` for a retry/regenerate/edit',
  item_start: 'an output item begins (message, reasoning, function_call, …) with what is known at start',
  item_delta: "a piece of an open item's text (`delta_content`)",
  item_done: 'an item is complete: `final_item` is the whole OutputItem',
  item_error: 'an item failed: `error {code, message}`',
  item_cancelled: 'an item was closed by a stop',
  response_done: 'the run ended: `status`, `usage`, `finish_reason` (the stream ends after it)',
  response_error: 'the run failed: `error {code, message, details?}` (the stream ends after it)',
  usage_update: 'token usage so far',
  heartbeat: 'sent while the run is idle, so proxies keep the connection open',
  turn_aborted_by_user: 'the run was stopped by `POST /runs/:id/cancel`',
  approval_requested:
    'a function call waits for the person (`item_id`, `call_id`, `tool`, `expires_at`); decide it with `POST /runs/:id/approvals/:callId`',
  approval_decided:
    '`decision: approved | denied`, `reason?`, `decided_by: user | timeout`; approved runs the tool, denied sends the model a failed output with the reason',
};

/** The API description `/docs` shows: SSE events, the error envelope with every code, the token. */
export function apiDescription(tokenRequired: boolean): string {
  const events = STREAM_EVENT_TYPES.map((type) => `| \`${type}\` | ${EVENT_NOTES[type] ?? ''} |`).join('\n');
  const codes = [...new Set([...Object.keys(STATUS_BY_CODE), ...Object.values(ERROR_CODES)])]
    .map(
      (code) =>
        `| \`${code}\` | ${STATUS_BY_CODE[code] ?? 'in a run (`response_error`, `item_error`), or 500'} |`,
    )
    .join('\n');
  return `Submit agent turns, stream runs over SSE, manage threads.

## Authentication
${
  tokenRequired
    ? 'This server requires a bearer token on every `/api` route: `Authorization: Bearer <CODY_API_TOKEN>`. Without it (or with a wrong one) the answer is 401 `UNAUTHORIZED` with `WWW-Authenticate: Bearer`.'
    : 'This server runs without a token. When it is started with `CODY_API_TOKEN`, every `/api` route requires `Authorization: Bearer <token>`, and answers 401 `UNAUTHORIZED` (with `WWW-Authenticate: Bearer`) without it.'
}

## Streaming (\`GET /api/v2/stream/{runId}\`)
Server-sent events. Each message has \`id:\` (the Redis stream entry id; send it back as \`Last-Event-ID\`, or \`?from=\`, to resume without gaps or duplicates), \`event:\` (the payload type) and \`data:\` (one StreamEvent JSON: \`event_id\`, \`timestamp\`, \`trace_context\`, \`run_id\`, \`type\`, \`payload\`). The JSON Schema is \`@cody/schema/json-schema/stream-event.json\`.

| event | meaning |
|---|---|
${events}

## Tool approvals
Submit with \`approval: "ask-mutating"\` (commands, edits, scripts and tools not known to be read-only) or \`"ask-all"\`; the server default is \`CODY_TOOL_APPROVAL\` (\`auto\`: never ask). A call that needs approval shows \`approval_requested\` and waits (\`CODY_APPROVAL_TIMEOUT_MS\`, default 10 minutes, then it is denied); \`POST /api/v2/runs/{id}/approvals/{callId}\` with \`{"decision": "approve" | "deny", "reason"?: string}\` decides it from any server process.

## Errors
Every error is JSON \`{"error": {"code": string, "message": string, "details"?: any}}\`. Validation failures (400 \`VALIDATION_ERROR\`) name each field path in \`message\`. The codes and their HTTP status:

| code | status |
|---|---|
${codes}
`;
}
