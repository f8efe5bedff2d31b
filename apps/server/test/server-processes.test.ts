// CODY_SERVER_PROCESSES=2: two server processes behind one port (node:cluster), each driving the
// runs submitted to it. Both serve; a SIGKILLed one is replaced and only its runs end
// RUN_OWNER_LOST; the submit limit counts across both; SIGTERM stops them all.
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { availableParallelism } from 'node:os';
import { replies } from '@cody/test-llm';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { REDIS_URL, type Stack, startStack } from './harness';
import { runServerUntilExit } from './support-processes';
import { waitFor, waitForTerminalRun } from './support-stream-helpers';

const SUBMITS = 12;

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The primary's live child processes. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** POST /submit on a connection of its own, so the port's processes share the submits. */
function submitOnNewConnection(baseUrl: string, prompt: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}/api/v2/submit`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ prompt }));
  });
}

describe('several server processes on one port', () => {
  it('share the runs, replace a killed process, count limits together and stop together', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    stack = await startStack({
      childProcess: true,
      env: {
        CODY_SERVER_PROCESSES: '2',
        CODY_RATE_LIMIT_SUBMIT: String(SUBMITS),
        CODY_LEASE_GRACE_MS: '1500',
      },
      rules: [
        {
          match: { marker: 'SP-HELD' },
          reply: replies.text(['one ', 'two ', 'three'], {
            delayMs: 5,
            hold: { afterEvents: 2, until: held },
          }),
        },
      ],
    });
    const s = stack;
    const primary = s.child?.pid ?? 0;
    // both processes listen before the submits are spread over them
    await waitFor('two server processes listening', () => {
      const listening = s.childOutput().match(/server process \d+ is serving/g)?.length ?? 0;
      return listening >= 2 && childrenOf(primary).length === 2;
    });
    const first = childrenOf(primary);
    expect(s.childOutput().match(/Cody is running/g)).toHaveLength(1);

    const runIds: string[] = [];
    for (let i = 0; i < SUBMITS; i += 1) {
      const reply = await submitOnNewConnection(s.baseUrl, `SP-HELD ${i}`);
      expect(reply.status).toBe(202);
      runIds.push(JSON.parse(reply.body).runId);
    }
    // the limit is one count for the port, not one per process
    const over = await submitOnNewConnection(s.baseUrl, 'SP-HELD over');
    expect(over.status).toBe(429);
    expect(JSON.parse(over.body).error.code).toBe('RATE_LIMITED');

    // who drives each run: the lease owner is `<host>:<pid>:<id>`
    const driver = new Map<string, number>();
    await waitFor('every run leased', async () => {
      for (const runId of runIds) {
        const owner = await s.redis.get(`${s.prefix}run:{${runId}}:lease`);
        if (owner) driver.set(runId, Number(owner.split(':')[1]));
      }
      return driver.size === runIds.length;
    });
    expect(new Set(driver.values())).toEqual(new Set(first));

    // one process dies: the supervisor starts another; the rest keep serving
    const [victim, survivor] = first as [number, number];
    process.kill(victim, 'SIGKILL');
    await waitFor('a replacement process', () => {
      const now = childrenOf(primary);
      return now.length === 2 && now.includes(survivor) && !now.includes(victim);
    });
    const replacement = childrenOf(primary).find((pid) => pid !== survivor) ?? 0;
    await waitFor('the replacement connected to Redis', async () =>
      ((await s.redis.client('LIST')) as string).includes(`cody-server:cmd:${replacement}`),
    );
    release();
    for (const runId of runIds) {
      const stored = await waitForTerminalRun(s, runId);
      if (driver.get(runId) === victim) {
        expect(stored.status).toBe('error');
        expect(stored.error?.code).toBe('RUN_OWNER_LOST');
      } else {
        expect(stored.status).toBe('complete');
        expect(stored.output_items.at(-1)).toMatchObject({ type: 'message', content: 'one two three' });
      }
    }

    // SIGTERM to the primary stops every process
    const exited = new Promise<number | null>((resolve) => s.child?.once('exit', resolve));
    s.child?.kill('SIGTERM');
    expect(await exited).toBe(0);
    const left = [survivor, replacement].filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(left).toEqual([]);
  });

  it('reads CODY_SERVER_PROCESSES as a count or `auto`, and names it when it is neither', () => {
    expect(loadConfig({}).CODY_SERVER_PROCESSES).toBe(1);
    expect(loadConfig({ CODY_SERVER_PROCESSES: '3' }).CODY_SERVER_PROCESSES).toBe(3);
    expect(loadConfig({ CODY_SERVER_PROCESSES: 'auto' }).CODY_SERVER_PROCESSES).toBe(availableParallelism());
    for (const bad of ['0', '-1', 'many', '1.5', '65'])
      expect(() => loadConfig({ CODY_SERVER_PROCESSES: bad })).toThrow(/CODY_SERVER_PROCESSES/);
  });

  it('a process that cannot serve (its port is taken) stops them all with its message and exit code', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const { code, output } = await runServerUntilExit({
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        REDIS_URL,
        CODY_REDIS_PREFIX: `test:server-processes:${port}:`,
        CODY_SERVER_PROCESSES: '2',
        CODY_WORKERS: 'none',
      });
      expect(code).toBe(1);
      expect(output).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(output).toContain('stopped before it listened');
    } finally {
      taken.close();
    }
  });
});
