import { providerErrorBody } from './provider-error-body';
import type { Rejection } from './rejection';
import { verifyThinkingSignature } from './wire-ids';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const blocksOf = (content: unknown): Json[] =>
  Array.isArray(content)
    ? content.filter(isObject)
    : typeof content === 'string'
      ? [{ type: 'text', text: content }]
      : [];

const invalid = (message: string): Rejection => ({
  status: 400,
  body: providerErrorBody('anthropic', 400, { type: 'invalid_request_error', message }),
});

/**
 * The checks the Messages API makes that an adapter can get wrong: `max_tokens` (always
 * required), thinking budget, tool_use/tool_result pairing between neighbouring messages,
 * non-empty text, thinking signatures, and the thinking block a tool-use continuation needs.
 */
export function validateAnthropicRequest(body: Json): Rejection | undefined {
  if (typeof body.model !== 'string' || body.model === '') return invalid('model: Field required');
  if (body.max_tokens === undefined) return invalid('max_tokens: Field required');
  if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    return invalid('max_tokens: Input should be a valid integer greater than or equal to 1');
  }
  if (!Array.isArray(body.messages)) return invalid('messages: Field required');
  if (body.stream !== true) return invalid('This test server only streams: set `stream: true`.');

  const thinking = isObject(body.thinking) ? body.thinking : undefined;
  if (thinking?.type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (typeof budget !== 'number' || budget < 1024) {
      return invalid('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
    }
    if (body.max_tokens <= budget) {
      return invalid(
        '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size',
      );
    }
  }

  const tools = Array.isArray(body.tools) ? body.tools : [];
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool) || typeof tool.name !== 'string') {
      return invalid(`tools.${i}.custom.name: Field required`);
    }
    if (tool.type !== undefined && tool.type !== 'custom') continue;
    const schema = tool.input_schema;
    if (!isObject(schema)) return invalid(`tools.${i}.custom.input_schema: Field required`);
    if (schema.type !== 'object') {
      return invalid(`tools.${i}.custom.input_schema.type: Input should be 'object'`);
    }
  }

  const messages = body.messages as unknown[];
  for (const [i, message] of messages.entries()) {
    if (!isObject(message)) return invalid(`messages.${i}: Input should be a valid dictionary`);
    if (message.role !== 'user' && message.role !== 'assistant') {
      return invalid(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    }
    const blocks = blocksOf(message.content);
    const isFinalAssistant = i === messages.length - 1 && message.role === 'assistant';
    if (blocks.length === 0 && !isFinalAssistant) {
      return invalid(
        `messages.${i}: all messages must have non-empty content except for the optional final assistant message`,
      );
    }
    for (const [j, block] of blocks.entries()) {
      if (block.type === 'text' && (typeof block.text !== 'string' || block.text === '')) {
        return invalid(`messages.${i}.content.${j}.text: text content blocks must be non-empty`);
      }
      if (block.type === 'thinking') {
        if (typeof block.signature !== 'string' || block.signature === '') {
          return invalid(`messages.${i}.content.${j}.thinking.signature: Field required`);
        }
        if (verifyThinkingSignature(String(block.thinking ?? ''), block.signature) === false) {
          return invalid(`messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`);
        }
      }
    }
    // every tool_result answers a tool_use of the message right before it
    const previous = i > 0 ? blocksOf((messages[i - 1] as Json).content) : [];
    const previousUses = new Set(previous.filter((b) => b.type === 'tool_use').map((b) => String(b.id)));
    for (const [j, block] of blocks.entries()) {
      if (block.type !== 'tool_result') continue;
      if (message.role !== 'user' || !previousUses.has(String(block.tool_use_id))) {
        return invalid(
          `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
        );
      }
    }
    // every tool_use is answered by a tool_result in the next message
    const uses = blocks.filter((b) => b.type === 'tool_use').map((b) => String(b.id));
    if (uses.length > 0) {
      const next = i + 1 < messages.length ? blocksOf((messages[i + 1] as Json).content) : [];
      const results = new Set(next.filter((b) => b.type === 'tool_result').map((b) => String(b.tool_use_id)));
      const missing = uses.filter((id) => !results.has(id));
      if (missing.length > 0) {
        return invalid(
          `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
        );
      }
    }
  }

  if (thinking?.type === 'enabled' || thinking?.type === 'adaptive') {
    const rejection = checkThinkingContinuation(messages as Json[]);
    if (rejection) return rejection;
  }
  return undefined;
}

/** With thinking on, the assistant message before the last tool results must start with thinking. */
function checkThinkingContinuation(messages: Json[]): Rejection | undefined {
  const last = messages.at(-1);
  const continuesTools =
    last?.role === 'user' && blocksOf(last.content).some((b) => b.type === 'tool_result');
  if (!continuesTools) return undefined;
  const index = messages.length - 2;
  const assistant = messages[index];
  const first = assistant ? blocksOf(assistant.content)[0] : undefined;
  if (!first || first.type === 'thinking' || first.type === 'redacted_thinking') return undefined;
  return invalid(
    `messages.${index}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first.type)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`,
  );
}
