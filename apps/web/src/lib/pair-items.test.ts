import { createHydrator, newId } from '@cody/reducer';
import type { OutputItem, StreamPayload } from '@cody/schema';
import { describe, expect, it } from 'vitest';
import { pairItems } from './pair-items';

const call = (callId: string, name = 'readFile'): OutputItem => ({
  id: newId(),
  type: 'function_call',
  origin: 'agent',
  name,
  arguments: '{"path":"a.txt"}',
  call_id: callId,
});
const output = (callId: string, success = true): OutputItem => ({
  id: newId(),
  type: 'function_call_output',
  origin: 'tool_harness',
  call_id: callId,
  output: success ? 'contents' : 'ENOENT',
  success,
});
const message = (content: string): OutputItem => ({ id: newId(), type: 'message', origin: 'agent', content });

describe('pairItems', () => {
  it('puts each output on the card of its call, keeping output order', () => {
    const items = [message('let me look'), call('call_1'), output('call_1'), message('done')];
    const entries = pairItems(items);
    expect(entries.map((e) => e.kind)).toEqual(['message', 'tool', 'message']);
    const tool = entries[1];
    expect(tool?.kind === 'tool' && tool.call).toBe(items[1]);
    expect(tool?.kind === 'tool' && tool.output).toBe(items[2]);
  });

  it('matches parallel calls by call_id whatever order the outputs come in', () => {
    const items = [call('call_a'), call('toolu_b', 'exec'), output('toolu_b', false), output('call_a')];
    const entries = pairItems(items);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ kind: 'tool', call: items[0], output: items[3] });
    expect(entries[1]).toMatchObject({ kind: 'tool', call: items[1], output: items[2] });
  });

  it('leaves a call without output open and gives an orphan output its own card', () => {
    const items = [call('call_1'), output('call_unknown')];
    const entries = pairItems(items);
    expect(entries).toEqual([
      { kind: 'tool', key: items[0]?.id, call: items[0], output: undefined },
      { kind: 'tool', key: items[1]?.id, call: undefined, output: items[1] },
    ]);
  });

  it('answers a repeated call id in order, one output per call', () => {
    const items = [call('dup'), call('dup'), output('dup'), output('dup'), output('dup')];
    const entries = pairItems(items);
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ call: items[0], output: items[2] });
    expect(entries[1]).toMatchObject({ call: items[1], output: items[3] });
    expect(entries[2]).toMatchObject({ call: undefined, output: items[4] });
  });

  it('pairs a script with its output by script_id', () => {
    const script: OutputItem = { id: newId(), type: 'script_execution', origin: 'agent', code: 'return 1' };
    const result: OutputItem = {
      id: newId(),
      type: 'script_execution_output',
      origin: 'tool_harness',
      script_id: script.id,
      result: '1',
      success: true,
    };
    expect(pairItems([script, result])).toEqual([{ kind: 'script', key: script.id, script, output: result }]);
  });

  it('pairs what the reducer builds from a stream, and keeps unchanged items identical across updates', () => {
    const runId = newId();
    const callItem = newId();
    const outputItem = newId();
    const textItem = newId();
    const hydrator = createHydrator();
    const push = (payload: StreamPayload) =>
      hydrator.push({
        data: {
          event_id: newId(),
          timestamp: 1,
          trace_context: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
          run_id: runId,
          type: payload.type,
          payload,
        },
      });
    push({
      type: 'response_start',
      response_id: runId,
      turn_id: newId(),
      thread_id: newId(),
      model_id: 'm',
      provider_id: 'openai',
      created_at: 1,
    });
    push({
      type: 'item_start',
      item_id: callItem,
      item_type: 'function_call',
      name: 'readFile',
      call_id: 'call_9',
    });
    push({ type: 'item_delta', item_id: callItem, delta_content: '{"path":' });
    push({ type: 'item_delta', item_id: callItem, delta_content: '"a.txt"}' });
    push({
      type: 'item_done',
      item_id: callItem,
      final_item: {
        id: callItem,
        type: 'function_call',
        origin: 'agent',
        name: 'readFile',
        arguments: '{"path":"a.txt"}',
        call_id: 'call_9',
      },
    });
    push({ type: 'item_start', item_id: outputItem, item_type: 'function_call_output', call_id: 'call_9' });
    push({
      type: 'item_done',
      item_id: outputItem,
      final_item: {
        id: outputItem,
        type: 'function_call_output',
        origin: 'tool_harness',
        call_id: 'call_9',
        output: 'hello',
        success: true,
      },
    });
    push({ type: 'item_start', item_id: textItem, item_type: 'message' });
    const first = pairItems(hydrator.getSnapshot().response?.output_items ?? []);
    push({ type: 'item_delta', item_id: textItem, delta_content: 'The file says hello.' });
    const second = pairItems(hydrator.getSnapshot().response?.output_items ?? []);

    expect(second.map((e) => e.kind)).toEqual(['tool', 'message']);
    const [tool1, text1] = first;
    const [tool2, text2] = second;
    expect(tool2).toMatchObject({ kind: 'tool', output: { output: 'hello', success: true } });
    // the tool card's items did not change, so a memoized card skips its render
    if (tool1?.kind !== 'tool' || tool2?.kind !== 'tool') throw new Error('expected tool entries');
    expect(tool2.call).toBe(tool1.call);
    expect(tool2.output).toBe(tool1.output);
    expect(text2).not.toBe(text1);
  });
});
