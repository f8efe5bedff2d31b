import { existsSync } from 'node:fs';
import { ERROR_CODES } from '@cody/schema';
import { listRecordings, replies, startTestLlm, type TestLlm } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInfo, ToolDeclaration } from '../src/index';
import { expectFromRecording } from './support/expect-from-recording';
import { agentText, itemsOf, marker, providerFor, runTurn } from './support/harness';

// Every recording under fixtures/providers goes through the real adapter over HTTP; the
// folder is listed at run time, so a new recording is tested without touching this file.

let llm: TestLlm;
beforeAll(async () => {
  llm = await startTestLlm({ fallback: replies.httpError(500, { message: 'golden test: no rule matched' }) });
});
afterAll(async () => {
  await llm.close();
});

const recordings = listRecordings();

describe('golden recordings', () => {
  it('finds recordings of both providers', () => {
    expect(recordings.some((r) => r.provider === 'openai')).toBe(true);
    expect(recordings.some((r) => r.provider === 'anthropic')).toBe(true);
  });

  it.each(recordings.map((r) => [r.name, r] as const))('%s', async (_name, recording) => {
    const expected = expectFromRecording(recording);
    const tag = marker();
    llm.addRule({ match: { marker: tag, hasToolOutputs: false }, reply: replies.recording(recording.name) });
    // a call that asks for tools gets a second model call: the recorded one when it exists
    const step2 = recording.name.replace(/\.sse$/, '.step2-text.sse');
    const hasStep2 = existsSync(recording.file.replace(/\.sse$/, '.step2-text.sse'));
    llm.addRule({
      match: { marker: tag, hasToolOutputs: true },
      reply: hasStep2 ? replies.recording(step2) : replies.text('All tools answered.'),
    });

    const reasons = expected.reasoning.length > 0;
    const model: ModelInfo = {
      provider: recording.provider,
      id: expected.model,
      apiModel: expected.model,
      reasoning: reasons,
      tools: true,
      maxOutputTokens: 32_000,
    };
    const tools: ToolDeclaration[] = [...new Set(expected.calls.map((call) => call.name))].map((name) => ({
      name,
      description: `the ${name} tool`,
      parameters: { type: 'object', properties: {}, additionalProperties: true },
    }));
    const { response, loopPayloads, toolCalls } = await runTurn({
      provider: providerFor(llm, recording.provider),
      model,
      prompt: `replay ${recording.name} ${tag}`,
      tools,
      ...(reasons ? { reasoning: { effort: 'low' } } : {}),
      tool: async (call) => ({ output: `result of ${call.name} for ${call.call_id}`, success: true }),
    });
    const requests = llm.findRequests({ marker: tag });

    if (expected.error) {
      expect(response.status).toBe('error');
      expect(response.error?.code).toMatch(/^PROVIDER_/);
      expect(response.error?.message).toContain(expected.error.message);
      const details = response.error?.details as { providerCode?: string; providerType?: string };
      if (expected.error.code) expect(details.providerCode).toBe(expected.error.code);
      return;
    }

    expect(response.status).toBe('complete');
    // the first model call's items are the ones before the first tool output
    const firstOutput = response.output_items.findIndex((item) => item.type === 'function_call_output');
    const step1 = firstOutput === -1 ? response.output_items : response.output_items.slice(0, firstOutput);
    const step1Response = { ...response, output_items: step1 };

    expect(agentText(step1Response)).toBe(expected.text);
    const reasoning = itemsOf(step1Response, 'reasoning');
    expect(reasoning.map((item) => item.content)).toEqual(expected.reasoning.map((r) => r.text));
    reasoning.forEach((item, i) => {
      const want = expected.reasoning[i];
      if (want?.encryptedContent) expect(item.provider_data?.encrypted_content).toBe(want.encryptedContent);
      if (want?.signature) expect(item.provider_data?.signature).toBe(want.signature);
      if (want?.redactedData) expect(item.provider_data?.redacted_data).toBe(want.redactedData);
    });
    const calls = itemsOf(step1Response, 'function_call');
    expect(calls.map((c) => ({ callId: c.call_id, name: c.name, arguments: c.arguments }))).toEqual(
      expected.calls,
    );

    const firstUsage = loopPayloads.find((p) => p.type === 'usage_update');
    expect(firstUsage?.type === 'usage_update' ? firstUsage.usage : undefined).toEqual(expected.usage);

    if (expected.finishReason === 'tool_calls') {
      expect(toolCalls).toHaveLength(1);
      expect(toolCalls[0]?.map((call) => call.call_id)).toEqual(expected.calls.map((call) => call.callId));
      expect(requests).toHaveLength(2);
      const second = requests[1];
      const results = second?.stepToolResults.map((result) => result.callId);
      expect(results).toEqual(expected.calls.map((call) => call.callId));
      // reasoning goes back: Anthropic's signatures, OpenAI's encrypted content
      const sentReasoning = second?.transcript.filter((entry) => entry.kind === 'reasoning') ?? [];
      for (const want of expected.reasoning) {
        if (want.signature) {
          expect(sentReasoning.some((e) => e.kind === 'reasoning' && e.signature === want.signature)).toBe(
            true,
          );
        }
        if (want.encryptedContent) {
          expect(
            sentReasoning.some((e) => e.kind === 'reasoning' && e.encryptedContent === want.encryptedContent),
          ).toBe(true);
        }
      }
      if (hasStep2) {
        const expected2 = expectFromRecording({
          ...recording,
          name: step2,
          file: recording.file.replace(/\.sse$/, '.step2-text.sse'),
        });
        expect(agentText({ ...response, output_items: response.output_items.slice(firstOutput) })).toBe(
          expected2.text,
        );
        expect(response.finish_reason).toBe(expected2.finishReason);
      }
    } else {
      expect(requests).toHaveLength(1);
      expect(response.finish_reason).toBe(expected.finishReason);
      expect(response.usage).toEqual(expected.usage);
    }
    // what was sent: tools declared, Anthropic always with max_tokens
    const first = requests[0];
    expect(first?.tools.map((t) => t.name)).toEqual(tools.map((t) => t.name));
    if (recording.provider === 'anthropic') expect(typeof first?.body.max_tokens).toBe('number');
  });

  it('maps the recorded OpenAI error stream to PROVIDER_ERROR, not retryable', async () => {
    const tag = marker();
    llm.addRule({
      match: { marker: tag },
      reply: replies.recording('openai-responses/error-insufficient-quota.sse'),
    });
    const { response } = await runTurn({
      provider: providerFor(llm, 'openai'),
      model: 'gpt-5-nano',
      prompt: tag,
    });
    expect(response.error?.code).toBe(ERROR_CODES.PROVIDER_ERROR);
    expect(response.error?.details).toMatchObject({ provider: 'openai', providerCode: 'insufficient_quota' });
  });
});
