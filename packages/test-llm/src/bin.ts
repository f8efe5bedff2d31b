#!/usr/bin/env node
// Standalone test LLM: try Cody without API keys.
import { startTestLlm } from './start-test-llm';

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`${name} must be a non-negative integer, got "${raw}"`);
    process.exit(1);
  }
  return value;
}

const port = numberFromEnv('PORT', 4011);
const delayMs = numberFromEnv('TEST_LLM_DELAY_MS', 25);
const host = process.env.HOST || '127.0.0.1';

const llm = await startTestLlm({ port, host, delayMs, keepRequests: 200 });
console.log(`Cody test LLM listening on ${llm.url}
  OPENAI_BASE_URL=${llm.openaiBaseUrl}
  ANTHROPIC_BASE_URL=${llm.anthropicBaseUrl}
  (any non-empty OPENAI_API_KEY / ANTHROPIC_API_KEY is accepted)`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    llm.close().finally(() => process.exit(0));
  });
}
