import { readFileSync } from 'node:fs';
import type { FinishReason, Usage } from '@cody/schema';
import { parseSseFrames, type RecordingInfo } from '@cody/test-llm';

export interface ExpectedCall {
  callId: string;
  name: string;
  arguments: string;
}

export interface ExpectedReasoning {
  text: string;
  encryptedContent?: string;
  signature?: string;
  redactedData?: string;
}

/** What a recording says the adapter must produce, read straight from its events. */
export interface Expected {
  model: string;
  /** Every text delta, concatenated. */
  text: string;
  reasoning: ExpectedReasoning[];
  calls: ExpectedCall[];
  usage: Usage | undefined;
  finishReason: FinishReason | undefined;
  error: { code?: string; type?: string; message: string } | undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: recorded events are read field by field; the assertions check the result
type Json = Record<string, any>;

function events(file: string): Json[] {
  return parseSseFrames(readFileSync(file, 'utf8')).map((frame) => {
    const data = frame.raw
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trimStart())
      .join('\n');
    return JSON.parse(data) as Json;
  });
}

export function expectFromRecording(recording: RecordingInfo): Expected {
  return recording.provider === 'openai'
    ? fromOpenAI(events(recording.file))
    : fromAnthropic(events(recording.file));
}

function fromOpenAI(list: Json[]): Expected {
  const expected: Expected = {
    model: '',
    text: '',
    reasoning: [],
    calls: [],
    usage: undefined,
    finishReason: undefined,
    error: undefined,
  };
  const summaries = new Map<string, Map<number, string>>();
  for (const event of list) {
    switch (event.type) {
      case 'response.created':
        expected.model = event.response.model;
        break;
      case 'response.output_text.delta':
        expected.text += event.delta;
        break;
      case 'response.reasoning_summary_text.delta': {
        const parts = summaries.get(event.item_id) ?? new Map<number, string>();
        parts.set(event.summary_index, (parts.get(event.summary_index) ?? '') + event.delta);
        summaries.set(event.item_id, parts);
        break;
      }
      case 'response.output_item.done':
        if (event.item.type === 'reasoning') {
          const parts = summaries.get(event.item.id);
          const reasoning: ExpectedReasoning = { text: parts ? [...parts.values()].join('\n\n') : '' };
          if (event.item.encrypted_content) reasoning.encryptedContent = event.item.encrypted_content;
          expected.reasoning.push(reasoning);
        } else if (event.item.type === 'function_call') {
          expected.calls.push({
            callId: event.item.call_id,
            name: event.item.name,
            arguments: event.item.arguments,
          });
        }
        break;
      case 'response.completed':
      case 'response.incomplete': {
        const usage = event.response.usage;
        expected.usage = {
          prompt_tokens: usage.input_tokens,
          completion_tokens: usage.output_tokens,
          total_tokens: usage.total_tokens,
          reasoning_tokens: usage.output_tokens_details.reasoning_tokens,
          cached_tokens: usage.input_tokens_details.cached_tokens,
        };
        expected.finishReason =
          event.type === 'response.incomplete' ? 'length' : expected.calls.length > 0 ? 'tool_calls' : 'stop';
        break;
      }
      case 'error':
        expected.error ??= {
          code: event.error?.code ?? event.code,
          type: event.error?.type,
          message: event.error?.message ?? event.message,
        };
        break;
      case 'response.failed':
        expected.error ??= { code: event.response.error.code, message: event.response.error.message };
        break;
    }
  }
  return expected;
}

const STOP_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  tool_use: 'tool_calls',
  max_tokens: 'length',
  refusal: 'content_filter',
};

function fromAnthropic(list: Json[]): Expected {
  const expected: Expected = {
    model: '',
    text: '',
    reasoning: [],
    calls: [],
    usage: undefined,
    finishReason: undefined,
    error: undefined,
  };
  const blocks = new Map<number, Json>();
  let usage: Json = {};
  for (const event of list) {
    switch (event.type) {
      case 'message_start':
        expected.model = event.message.model;
        usage = { ...event.message.usage };
        break;
      case 'content_block_start':
        blocks.set(event.index, { ...event.content_block, thinking: '', signature: '', json: '' });
        break;
      case 'content_block_delta': {
        const block = blocks.get(event.index) as Json;
        if (event.delta.type === 'text_delta') expected.text += event.delta.text;
        if (event.delta.type === 'thinking_delta') block.thinking += event.delta.thinking;
        if (event.delta.type === 'signature_delta') block.signature += event.delta.signature;
        if (event.delta.type === 'input_json_delta') block.json += event.delta.partial_json;
        break;
      }
      case 'content_block_stop': {
        const block = blocks.get(event.index) as Json;
        if (block.type === 'thinking') {
          expected.reasoning.push({ text: block.thinking, signature: block.signature });
        }
        if (block.type === 'redacted_thinking') {
          expected.reasoning.push({ text: '', redactedData: block.data });
        }
        if (block.type === 'tool_use') {
          expected.calls.push({ callId: block.id, name: block.name, arguments: block.json });
        }
        break;
      }
      case 'message_delta':
        for (const [key, value] of Object.entries(event.usage ?? {})) if (value !== null) usage[key] = value;
        expected.finishReason = STOP_REASONS[event.delta.stop_reason] ?? 'stop';
        break;
      case 'message_stop': {
        const prompt =
          usage.input_tokens +
          (usage.cache_read_input_tokens ?? 0) +
          (usage.cache_creation_input_tokens ?? 0);
        expected.usage = {
          prompt_tokens: prompt,
          completion_tokens: usage.output_tokens,
          total_tokens: prompt + usage.output_tokens,
          cached_tokens: usage.cache_read_input_tokens,
          ...(usage.output_tokens_details?.thinking_tokens !== undefined
            ? { reasoning_tokens: usage.output_tokens_details.thinking_tokens }
            : {}),
        };
        break;
      }
      case 'error':
        expected.error = { type: event.error.type, message: event.error.message };
        break;
    }
  }
  return expected;
}
