import { chunkText } from './chunk-text';
import type { ScriptedFinish, ScriptedPart, TurnReply } from './reply';

/** A scripted part with its deltas cut, ready for either protocol's writer. */
export type PlannedPart =
  | { type: 'reasoning'; parts: string[]; deltas: string[][] }
  | { type: 'redacted_reasoning' }
  | { type: 'text'; text: string; deltas: string[] }
  | { type: 'tool_call'; name: string; arguments: string; deltas: string[]; callId: string | undefined };

export interface TurnPlan {
  parts: PlannedPart[];
  finish: ScriptedFinish;
  usage: { input: number; output: number; reasoning: number; cached: number };
}

const estimateTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/** Cuts a scripted turn into deltas and fills in the finish reason and token counts. */
export function planTurn(turn: TurnReply, requestBody: Record<string, unknown>): TurnPlan {
  const size = turn.chunkSize ?? 6;
  const parts = turn.parts.map((part) => planPart(part, size));
  const hasCall = parts.some((part) => part.type === 'tool_call');
  const reasoningText = parts
    .map((part) => (part.type === 'reasoning' ? part.parts.join('\n\n') : ''))
    .join('');
  const outputText = parts
    .map((part) => (part.type === 'text' ? part.text : part.type === 'tool_call' ? part.arguments : ''))
    .join('');
  const reasoning = turn.usage?.reasoning ?? (reasoningText ? estimateTokens(reasoningText) : 0);
  return {
    parts,
    finish: turn.finish ?? (hasCall ? 'tool_calls' : 'stop'),
    usage: {
      input:
        turn.usage?.input ?? estimateTokens(JSON.stringify(requestBody.input ?? requestBody.messages ?? '')),
      output: turn.usage?.output ?? reasoning + (outputText ? estimateTokens(outputText) : 1),
      reasoning,
      cached: turn.usage?.cached ?? 0,
    },
  };
}

function planPart(part: ScriptedPart, size: number): PlannedPart {
  if (part.type === 'reasoning') {
    const texts = Array.isArray(part.text) ? part.text : [part.text];
    return { type: 'reasoning', parts: texts, deltas: texts.map((text) => chunkText(text, size)) };
  }
  if (part.type === 'text') {
    const deltas = Array.isArray(part.text) ? part.text : chunkText(part.text, size);
    return { type: 'text', text: deltas.join(''), deltas };
  }
  if (part.type === 'tool_call') {
    const args = typeof part.arguments === 'string' ? part.arguments : JSON.stringify(part.arguments);
    return {
      type: 'tool_call',
      name: part.name,
      arguments: args,
      deltas: chunkText(args, size),
      callId: part.callId,
    };
  }
  return part;
}
