// `npm run demo`: the bundled test LLM in a process of its own, on a port the system picks (a
// fixed one could be taken, or owned by something else that would then answer the demo).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Starts the test LLM; resolves with its URL and process once it listens. */
export function startTestLlmProcess(root, runtime = process.execPath) {
  const child = spawn(runtime, [join(root, 'packages', 'test-llm', 'dist', 'bin.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
      if (url) resolve({ url, child });
    });
    child.once('exit', (code) => reject(new Error(`the test LLM exited (code ${code}) before listening`)));
    child.once('error', reject);
  });
}
