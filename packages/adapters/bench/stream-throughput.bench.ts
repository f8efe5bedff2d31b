// Throughput of the adapters over real HTTP: test LLM → SDK → adapter → agent loop payloads.
// Prints figures; nothing is asserted. Run: pnpm --filter @cody/adapters bench
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { replies, startTestLlm } from '@cody/test-llm';
import { createProvider, resolveModel, runAgentLoop } from '../src/index';

const DELTAS = Number(process.env.BENCH_DELTAS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const llm = await startTestLlm({
  rules: [{ reply: replies.text(Array.from({ length: DELTAS }, (_, i) => `w${i % 10} `)) }],
});
const env = {
  OPENAI_API_KEY: 'bench',
  OPENAI_BASE_URL: llm.openaiBaseUrl,
  ANTHROPIC_API_KEY: 'bench',
  ANTHROPIC_BASE_URL: llm.anthropicBaseUrl,
};
const models = {
  openai: resolveModel('openai', 'gpt-5-mini'),
  anthropic: resolveModel('anthropic', 'claude-haiku-4.5'),
};

console.log(`${DELTAS} text deltas per run, ${ROUNDS} rounds per provider (best shown)`);
for (const id of ['openai', 'anthropic'] as const) {
  const provider = createProvider(id, env, { maxRetries: 0 });
  let best = Number.POSITIVE_INFINITY;
  let firstDelta = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round += 1) {
    let deltas = 0;
    let first = 0;
    const start = performance.now();
    const result = await runAgentLoop({
      provider,
      model: models[id],
      responseId: randomUUID(),
      history: [{ id: randomUUID(), type: 'message', origin: 'user', content: 'go' }],
      emit: async (payload) => {
        if (payload.type === 'item_delta' && deltas++ === 0) first = performance.now() - start;
      },
      awaitToolOutputs: async () => [],
    });
    const elapsed = performance.now() - start;
    if (result.status !== 'complete' || deltas !== DELTAS) {
      throw new Error(`${id}: ${result.status}, ${deltas} deltas`);
    }
    best = Math.min(best, elapsed);
    firstDelta = Math.min(firstDelta, first);
  }
  const perSecond = Math.round((DELTAS / best) * 1000);
  console.log(
    `${id.padEnd(9)} ${best.toFixed(1)} ms per run, ${perSecond.toLocaleString('en')} deltas/s, first delta after ${firstDelta.toFixed(1)} ms`,
  );
}
await llm.close();
