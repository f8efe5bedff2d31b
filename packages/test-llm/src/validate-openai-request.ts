import { providerErrorBody } from './provider-error-body';
import type { Rejection } from './rejection';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const invalid = (message: string, param: string | null = null, code: string | null = null): Rejection => ({
  status: 400,
  body: providerErrorBody('openai', 400, { message, param, code }),
});

/**
 * The checks the Responses API makes that an adapter can get wrong: required fields, each
 * function_call_output after a function_call with its call_id (and each call answered),
 * reasoning items that can be resolved, well-formed function tools.
 */
export function validateOpenAIRequest(body: Json): Rejection | undefined {
  if (typeof body.model !== 'string' || body.model === '') {
    return invalid("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  }
  if (body.stream !== true) {
    return invalid('This test server only streams: set `stream: true`.', 'stream');
  }
  const tools = Array.isArray(body.tools) ? body.tools : [];
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool) || typeof tool.type !== 'string') {
      return invalid(
        `Missing required parameter: 'tools[${i}].type'.`,
        `tools[${i}].type`,
        'missing_required_parameter',
      );
    }
    if (tool.type === 'function' && (typeof tool.name !== 'string' || tool.name === '')) {
      return invalid(
        `Missing required parameter: 'tools[${i}].name'.`,
        `tools[${i}].name`,
        'missing_required_parameter',
      );
    }
  }
  if (body.input === undefined || typeof body.input === 'string') return undefined;
  if (!Array.isArray(body.input)) {
    return invalid("Invalid type for 'input': expected a string or an array.", 'input');
  }

  const calls = new Set<string>();
  const answered = new Set<string>();
  for (const [i, item] of body.input.entries()) {
    if (!isObject(item)) return invalid(`Invalid type for 'input[${i}]': expected an object.`, `input[${i}]`);
    if (item.type === 'function_call') {
      if (typeof item.call_id !== 'string') {
        return invalid(`Missing required parameter: 'input[${i}].call_id'.`, `input[${i}].call_id`);
      }
      calls.add(item.call_id);
    } else if (item.type === 'function_call_output') {
      const callId = String(item.call_id);
      if (!calls.has(callId)) {
        return invalid(`No tool call found for function call output with call_id ${callId}.`, 'input');
      }
      answered.add(callId);
    } else if (item.type === 'reasoning') {
      if (!Array.isArray(item.summary)) {
        return invalid(
          `Missing required parameter: 'input[${i}].summary'.`,
          `input[${i}].summary`,
          'missing_required_parameter',
        );
      }
      if (body.store === false && typeof item.encrypted_content !== 'string') {
        return invalid(
          `Item with id '${String(item.id ?? '')}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`,
          'input',
        );
      }
    }
  }
  for (const callId of calls) {
    if (!answered.has(callId)) return invalid(`No tool output found for function call ${callId}.`, 'input');
  }
  return undefined;
}
