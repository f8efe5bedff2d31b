// The service on a Redis Cluster (issue #12 phase 1): the same stack, configured with
// REDIS_CLUSTER_NODES, on a real 3-master, 3-replica cluster this file starts. Before,
// submits failed with MOVED and runs were never persisted (CROSSSLOT in the worker's reads).
import { type RedisCluster, startRedisCluster } from '@cody/redis/testing';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, type SseMessage, type Stack, startStack, withoutHeartbeats } from './harness';

let cluster: RedisCluster;
let stack: Stack;
beforeAll(async () => {
  cluster = await startRedisCluster();
  stack = await startStack({
    env: { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodeList },
    rules: [
      { match: { marker: 'CLUSTER-TEXT' }, reply: replies.text(['Hello', ' from', ' a cluster']) },
      {
        match: { marker: 'CLUSTER-TOOL', step: 1 },
        reply: replies.toolCalls([{ name: 'exec', arguments: { shell: 'echo tool-ran' } }]),
      },
      {
        match: { marker: 'CLUSTER-TOOL', step: 2 },
        reply: (request) => replies.text(`said: ${request.stepToolResults[0]?.output ?? ''}`),
      },
      {
        match: { marker: 'CLUSTER-CANCEL' },
        reply: replies.text(
          Array.from({ length: 2000 }, (_, i) => `${i} `),
          { delayMs: 20 },
        ),
      },
    ],
  });
});
afterAll(async () => {
  await stack?.close();
  await cluster?.stop();
});

describe('on a Redis Cluster', () => {
  it('concurrent submits stream in order and are persisted (runs on many slots)', async () => {
    const runs = await Promise.all(
      Array.from({ length: 6 }, () => stack.submit({ prompt: 'hello CLUSTER-TEXT', providerId: 'openai' })),
    );
    for (const { runId } of runs) {
      const streamed = events(withoutHeartbeats(await stack.readStream(runId)));
      expect(streamed[0]?.type).toBe('response_start');
      expect(streamed.at(-1)?.type).toBe('response_done');
      const stored = await stack.waitForRun(runId);
      expect(stored.status).toBe('complete');
      expect(stored.output_items.at(-1)).toMatchObject({ type: 'message', content: 'Hello from a cluster' });
    }
  });

  it('a tool call goes through the sharded tool-request stream and its output reaches the model', async () => {
    const { runId } = await stack.submit({ prompt: 'run it CLUSTER-TOOL', providerId: 'openai' });
    const stored = await stack.waitForRun(runId);
    expect(stored.status).toBe('complete');
    expect(stored.output_items.at(-1)).toMatchObject({
      type: 'message',
      content: 'said: tool-ran\n[exit code 0]',
    });
  });

  it('a cancel reaches the run driver by sharded pub/sub and ends the run aborted', async () => {
    const { runId } = await stack.submit({ prompt: 'write a lot CLUSTER-CANCEL', providerId: 'openai' });
    let deltas = 0;
    let streaming: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      streaming = resolve;
    });
    const reading = stack.readStream(runId, {
      onMessage: (message: SseMessage) => {
        if (message.event === 'item_delta' && ++deltas === 5) streaming();
      },
    });
    await started;
    const reply = await stack.api<{ outcome: string }>('POST', `/api/v2/runs/${runId}/cancel`);
    expect(reply.json.outcome).toBe('signalled');
    const streamed = events(withoutHeartbeats(await reading));
    expect(streamed.at(-1)?.type).toBe('turn_aborted_by_user');
    expect((await stack.waitForRun(runId)).status).toBe('aborted');
  });
});
