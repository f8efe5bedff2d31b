import type { ProviderKind } from './provider-kind';

/** One entry of a request's conversation, the same shape for both protocols. */
export type TranscriptEntry =
  | { kind: 'text'; role: 'user' | 'assistant' | 'system'; text: string }
  | { kind: 'reasoning'; text: string; signature?: string; encryptedContent?: string; redacted?: boolean }
  | { kind: 'tool_call'; callId: string; name: string; arguments: string }
  | { kind: 'tool_result'; callId: string; output: string; isError: boolean };

/** A tool the request declared to the model. */
export interface DeclaredTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments (`parameters` / `input_schema`). */
  parameters?: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Joins the text parts of a content value (a string or an array of typed parts). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .map((part) => (isObject(part) ? str(part.text) : ''))
    .join('');
}

function systemRole(role: string): 'user' | 'assistant' | 'system' {
  if (role === 'assistant') return 'assistant';
  if (role === 'system' || role === 'developer') return 'system';
  return 'user';
}

/** Reads a request body into a provider-neutral conversation. Tolerates any shape. */
export function readTranscript(provider: ProviderKind, body: Json): TranscriptEntry[] {
  return provider === 'openai' ? readOpenAI(body) : readAnthropic(body);
}

function readOpenAI(body: Json): TranscriptEntry[] {
  const entries: TranscriptEntry[] = [];
  if (typeof body.instructions === 'string' && body.instructions) {
    entries.push({ kind: 'text', role: 'system', text: body.instructions });
  }
  if (typeof body.input === 'string') {
    entries.push({ kind: 'text', role: 'user', text: body.input });
    return entries;
  }
  for (const item of asArray(body.input)) {
    if (!isObject(item)) continue;
    const type = item.type ?? 'message';
    if (type === 'message') {
      entries.push({ kind: 'text', role: systemRole(str(item.role)), text: contentText(item.content) });
    } else if (type === 'function_call') {
      entries.push({
        kind: 'tool_call',
        callId: str(item.call_id),
        name: str(item.name),
        arguments: str(item.arguments),
      });
    } else if (type === 'function_call_output') {
      entries.push({
        kind: 'tool_result',
        callId: str(item.call_id),
        output: contentText(item.output),
        isError: false,
      });
    } else if (type === 'reasoning') {
      const text = asArray(item.summary)
        .map((part) => (isObject(part) ? str(part.text) : ''))
        .join('\n\n');
      const entry: TranscriptEntry = { kind: 'reasoning', text };
      if (typeof item.encrypted_content === 'string') entry.encryptedContent = item.encrypted_content;
      entries.push(entry);
    }
  }
  return entries;
}

function readAnthropic(body: Json): TranscriptEntry[] {
  const entries: TranscriptEntry[] = [];
  const system = contentText(body.system);
  if (system) entries.push({ kind: 'text', role: 'system', text: system });
  for (const message of asArray(body.messages)) {
    if (!isObject(message)) continue;
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    if (typeof message.content === 'string') {
      entries.push({ kind: 'text', role, text: message.content });
      continue;
    }
    for (const block of asArray(message.content)) {
      if (!isObject(block)) continue;
      switch (block.type) {
        case 'text':
          entries.push({ kind: 'text', role, text: str(block.text) });
          break;
        case 'thinking':
          entries.push({ kind: 'reasoning', text: str(block.thinking), signature: str(block.signature) });
          break;
        case 'redacted_thinking':
          entries.push({ kind: 'reasoning', text: '', redacted: true });
          break;
        case 'tool_use':
          entries.push({
            kind: 'tool_call',
            callId: str(block.id),
            name: str(block.name),
            arguments: JSON.stringify(block.input ?? {}),
          });
          break;
        case 'tool_result':
          entries.push({
            kind: 'tool_result',
            callId: str(block.tool_use_id),
            output: contentText(block.content),
            isError: block.is_error === true,
          });
          break;
      }
    }
  }
  return entries;
}

/** The tools a request declared, in either protocol's format. */
export function readDeclaredTools(provider: ProviderKind, body: Json): DeclaredTool[] {
  const tools: DeclaredTool[] = [];
  for (const tool of asArray(body.tools)) {
    if (!isObject(tool) || typeof tool.name !== 'string') continue;
    if (provider === 'openai' && tool.type !== 'function') continue;
    const schema = provider === 'openai' ? tool.parameters : tool.input_schema;
    const declared: DeclaredTool = { name: tool.name };
    if (typeof tool.description === 'string') declared.description = tool.description;
    if (isObject(schema)) declared.parameters = schema;
    tools.push(declared);
  }
  return tools;
}
