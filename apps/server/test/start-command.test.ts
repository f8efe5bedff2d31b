// scripts/start.mjs, the command people run (`npm start`, `npm run demo`): a port in use is named
// with the variable to change and exits non-zero without a stack trace; the demo starts its test
// LLM on a port the system picks, so a taken 4011 does not matter. Real Redis, real processes.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Response } from '@cody/schema';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from './harness';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const startScript = join(root, 'scripts', 'start.mjs');
const builtFiles = ['apps/server/dist/main.js', 'packages/test-llm/dist/bin.js'];

function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      // taken already (by whatever): that is the condition we want
      error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error),
    );
    server.listen({ port, host: '127.0.0.1' }, () => resolve(server));
  });
}

interface Started {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

function start(args: string[], env: Record<string, string>, cwd: string): Started {
  const child = spawn(process.execPath, [startScript, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => stdout.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout, stderr, exited };
}

async function lineMatching(started: Started, pattern: RegExp): Promise<RegExpExecArray> {
  for (;;) {
    for (const line of started.stdout) {
      const match = pattern.exec(line);
      if (match) return match;
    }
    const ended = await Promise.race([
      started.exited.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 50)),
    ]);
    if (ended) {
      throw new Error(
        `exited before printing ${pattern}:\n${[...started.stdout, ...started.stderr].join('\n')}`,
      );
    }
  }
}

let workspace: string;
beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'cody-start-'));
  // `npm test` builds these first (turbo.json); a lone vitest run of a fresh clone builds them here
  if (!builtFiles.every((file) => existsSync(join(root, file)))) {
    const build = spawnSync(
      process.execPath,
      [
        join(root, 'scripts', 'pnpm.mjs'),
        'exec',
        'turbo',
        'run',
        'build',
        '--filter=@cody/server',
        '--filter=@cody/test-llm',
      ],
      { cwd: root, stdio: 'inherit' },
    );
    expect(build.status).toBe(0);
  }
}, 600_000);
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe('scripts/start.mjs', () => {
  it('a port in use: names PORT, exits non-zero, prints no stack trace', async () => {
    const blocker = await listen(0);
    if (!blocker) throw new Error('no free port to block');
    const port = (blocker.address() as { port: number }).port;
    try {
      const started = start([], { PORT: String(port), HOST: '127.0.0.1', REDIS_URL }, workspace);
      const code = await started.exited;
      const output = [...started.stdout, ...started.stderr].join('\n');
      expect(code).toBe(1);
      expect(output).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(output).toMatch(/Set PORT to a free port/);
      expect(output).not.toMatch(/^\s+at /m);
      // it stopped before installing or building anything
      expect(output).not.toContain('Installing');
    } finally {
      blocker.close();
    }
  });

  it('the demo starts when port 4011 is taken', async () => {
    const blocker = await listen(4011);
    const prefix = `test:start-command:${randomUUID().slice(0, 8)}:`;
    const started = start(
      ['--demo', '--no-build'],
      { PORT: '0', HOST: '127.0.0.1', REDIS_URL, CODY_REDIS_PREFIX: prefix, LOG_LEVEL: 'warn' },
      workspace,
    );
    const redis = new Redis(REDIS_URL);
    try {
      const [, llmUrl] = await lineMatching(started, /test LLM on (http:\/\/127\.0\.0\.1:\d+)/);
      expect(new URL(llmUrl ?? '').port).not.toBe('4011');
      const [, base] = await lineMatching(started, /Cody is running: (http:\/\/\S+)/);
      const [, demoLlm] = await lineMatching(started, /^Demo: .* bundled test LLM at (\S+) — no API key/);
      expect(demoLlm).toBe(llmUrl);

      const config = (await (await fetch(`${base}/api/v2/config`)).json()) as {
        providers: { id: string; configured: boolean; testLlm: boolean }[];
      };
      expect(config.providers.map(({ id, configured, testLlm }) => ({ id, configured, testLlm }))).toEqual([
        { id: 'openai', configured: true, testLlm: true },
        { id: 'anthropic', configured: true, testLlm: true },
      ]);

      const submitted = (await (
        await fetch(`${base}/api/v2/submit`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ prompt: 'hello demo' }),
        })
      ).json()) as { runId: string };
      let run: Response | undefined;
      while (run?.status !== 'complete') {
        const reply = await fetch(`${base}/api/v2/runs/${submitted.runId}`);
        if (reply.status === 200) run = (await reply.json()) as Response;
        expect(run?.status ?? 'in_progress').not.toBe('error');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const answer = run.output_items.find((item) => item.type === 'message' && item.origin === 'agent');
      expect(answer?.type === 'message' ? answer.content : '').toContain('Cody test LLM');
    } finally {
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
      blocker?.close();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    }
  });
});
