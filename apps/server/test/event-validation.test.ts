// Events that break the contract, put straight into a run's stream the way a faulty producer
// would: the real persistence worker of the stack must store a clear error, never a half item.
import { randomUUID } from 'node:crypto';
import { createStreamEvent, RedisTransport } from '@cody/redis';
import { CodyError, type Response, type StreamPayload, type Thread, ValidationError } from '@cody/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hydrate, REDIS_URL, type Stack, startStack } from './harness';

let stack: Stack;
let transport: RedisTransport;
let threadId: string;
beforeAll(async () => {
  stack = await startStack();
  transport = new RedisTransport({ url: REDIS_URL, prefix: stack.prefix, name: 'test-producer' });
  const thread = await stack.api<Thread>('POST', '/api/v2/threads', { title: 'raw events' });
  threadId = thread.json.id;
});
afterAll(async () => {
  await transport.close();
  await stack.close();
});

const start = (runId: string): StreamPayload => ({
  type: 'response_start',
  response_id: runId,
  turn_id: randomUUID(),
  thread_id: threadId,
  model_id: 'gpt-5-mini',
  provider_id: 'openai',
  created_at: Date.now(),
});

async function publishAll(runId: string, payloads: StreamPayload[]): Promise<void> {
  for (const payload of payloads) await transport.publish(createStreamEvent(runId, payload));
}

describe('[TC-ER-9] out of order', () => {
  it('a delta before its item_start → STREAM_SEQUENCE_ERROR; finished items kept, no half item saved', async () => {
    const runId = randomUUID();
    const [done, half, early] = [randomUUID(), randomUUID(), randomUUID()];
    await publishAll(runId, [
      start(runId),
      { type: 'item_start', item_id: done, item_type: 'message', origin: 'agent' },
      { type: 'item_delta', item_id: done, delta_content: 'finished ' },
      {
        type: 'item_done',
        item_id: done,
        final_item: { id: done, type: 'message', origin: 'agent', content: 'finished item' },
      },
      { type: 'item_start', item_id: half, item_type: 'message', origin: 'agent' },
      { type: 'item_delta', item_id: half, delta_content: 'half of an ' },
      // the faulty event: a delta for an item that never started
      { type: 'item_delta', item_id: early, delta_content: 'too early' },
      { type: 'item_start', item_id: early, item_type: 'message', origin: 'agent' },
      { type: 'item_delta', item_id: half, delta_content: 'item' },
      {
        type: 'item_done',
        item_id: half,
        final_item: { id: half, type: 'message', origin: 'agent', content: 'half of an item' },
      },
      { type: 'response_done', response_id: runId, status: 'complete', finish_reason: 'stop' },
    ]);
    await transport.announceRun(runId);

    const stored = await stack.waitForRun(runId);
    expect(stored.status).toBe('error');
    expect(stored.error?.code).toBe('STREAM_SEQUENCE_ERROR');
    expect(stored.error?.message).toContain('item_delta');
    expect(stored.error?.message).toContain(early);
    // the finished item stays; the one half-streamed when the error came is dropped, and the later events change nothing
    expect(stored.output_items).toEqual([
      { id: done, type: 'message', origin: 'agent', content: 'finished item' },
    ]);

    // a client following the same stream sees the same
    const hydrated = hydrate(await stack.readStream(runId));
    expect(hydrated).toEqual(stored);
    // and it stays that way
    const again = await stack.api<Response>('GET', `/api/v2/runs/${runId}`);
    expect(again.json).toEqual(stored);
  });
});

describe('[TC-ER-12] invalid event schema', () => {
  it('publishing an item without item_id fails with a ValidationError naming payload.item_id; nothing is written', async () => {
    const runId = randomUUID();
    const invalid = createStreamEvent(runId, {
      type: 'item_start',
      item_type: 'message',
      origin: 'agent',
    } as unknown as StreamPayload);
    const error = await transport.publish(invalid).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(CodyError.isInstance(error) && error.code).toBe('INVALID_EVENT');
    expect((error as ValidationError).message).toContain('payload.item_id');
    expect((error as ValidationError).issues.map((issue) => issue.path)).toContain('payload.item_id');
    expect(await stack.redis.exists(`${stack.prefix}run:{${runId}}:events`)).toBe(0);
  });

  it('such an entry sitting in a stream ends the stored run in an error naming payload.item_id', async () => {
    const runId = randomUUID();
    const item = randomUUID();
    await publishAll(runId, [
      start(runId),
      { type: 'item_start', item_id: item, item_type: 'message', origin: 'agent' },
    ]);
    // written past the validation, as a faulty producer would
    const bad = createStreamEvent(runId, {
      type: 'item_delta',
      delta_content: 'no id',
    } as unknown as StreamPayload);
    await stack.redis.xadd(`${stack.prefix}run:{${runId}}:events`, '*', 'e', JSON.stringify(bad));
    await publishAll(runId, [
      { type: 'response_done', response_id: runId, status: 'complete', finish_reason: 'stop' },
    ]);
    await transport.announceRun(runId);

    const stored = await stack.waitForRun(runId);
    expect(stored.status).toBe('error');
    expect(stored.error?.code).toBe('INVALID_EVENT');
    expect(stored.error?.message).toContain('payload.item_id');
    expect(hydrate(await stack.readStream(runId))).toEqual(stored);
  });
});

describe('entries whose text would break an SSE frame', () => {
  it('go out as one frame each: JSON on one line, a line break in non-JSON text or in a type cannot add fields', async () => {
    const runId = randomUUID();
    const item = randomUUID();
    const key = `${stack.prefix}run:{${runId}}:events`;
    const ids = [await transport.publish(createStreamEvent(runId, start(runId)))];
    // valid, but pretty-printed by a producer that did not use our publisher
    const pretty = createStreamEvent(runId, {
      type: 'item_start',
      item_id: item,
      item_type: 'message',
      origin: 'agent',
    });
    ids.push((await stack.redis.xadd(key, '*', 'e', JSON.stringify(pretty, null, 2))) as string);
    // not JSON, carrying what would be an SSE field of its own
    ids.push(
      (await stack.redis.xadd(key, '*', 'e', 'oops\nid: 9-9\nevent: response_done\ndata: {}')) as string,
    );
    // JSON whose type would end the `event:` field and start an `id:` one
    const sneaky = { ...createStreamEvent(runId, { type: 'item_delta', item_id: item, delta_content: 'x' }) };
    ids.push(
      (await stack.redis.xadd(
        key,
        '*',
        'e',
        JSON.stringify({ ...sneaky, type: 'item_delta\nid: 9-9' }),
      )) as string,
    );
    ids.push(
      await transport.publish(
        createStreamEvent(runId, {
          type: 'response_done',
          response_id: runId,
          status: 'complete',
          finish_reason: 'stop',
        }),
      ),
    );

    const messages = (await stack.readStream(runId)).filter((m) => m.event !== 'heartbeat');
    expect(messages.map((m) => m.id)).toEqual(ids);
    expect(messages[1]).toEqual({ id: ids[1], event: 'item_start', data: JSON.stringify(pretty) });
    expect(messages[2]).toEqual({
      id: ids[2],
      event: 'invalid',
      data: 'oops id: 9-9 event: response_done data: {}',
    });
    expect(messages[3]?.event).toBe('invalid');
    expect(messages.at(-1)?.event).toBe('response_done');
  });
});
