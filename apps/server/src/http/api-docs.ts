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

## Errors
Every error is JSON \`{"error": {"code": string, "message": string, "details"?: any}}\`. Validation failures (400 \`VALIDATION_ERROR\`) name each field path in \`message\`. The codes and their HTTP status:

| code | status |
|---|---|
${codes}
`;
}
