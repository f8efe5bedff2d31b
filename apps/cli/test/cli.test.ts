// The `cody` CLI as a child process against the real stack (server, Redis, workers, store, tool
// worker, SSE) with the test LLM at the wire.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reduceEvents } from '@cody/reducer';
import { parseStreamEvent, type Response, type StreamEvent } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, REDIS_URL, type Stack, startStack } from '../../server/test/harness';
import { recordingData } from '../../server/test/support-runs';
import { runCliToEnd, startCli } from './run-cli-process';

const TOKEN = 'cli-test-token';
// the exec tool waits for this file: the run is certainly still going while a test attaches
const gate = (name: string) => `while [ ! -f ${name} ]; do sleep 0.05; done; echo released`;

let stack: Stack;
let env: Record<string, string>;
beforeAll(async () => {
  stack = await startStack({
    env: { CODY_API_TOKEN: TOKEN },
    rules: [
      { match: { marker: 'CLI-RECORDING' }, reply: replies.recording('anthropic-messages/text-simple.sse') },
      {
        match: { marker: 'CLI-ERROR' },
        reply: replies.recording('openai-responses/error-insufficient-quota.sse'),
      },
      {
        match: { marker: 'CLI-GATE', step: 1 },
        reply: (request) =>
          replies.toolCalls([{ name: 'exec', arguments: { shell: gate(gateName(request.lastUserText)) } }], {
            reasoning: 'I will wait for the gate.',
          }),
      },
      {
        match: { marker: 'CLI-APPROVE', step: 1 },
        reply: replies.toolCalls([{ name: 'exec', arguments: { shell: 'echo approved-from-the-cli' } }]),
      },
      {
        match: { marker: 'CLI-APPROVE', step: 2 },
        reply: (request) => replies.text(`Tool: ${request.stepToolResults[0]?.output.trim()}`),
      },
      {
        match: { marker: 'CLI-GATE', step: 2 },
        reply: (request) =>
          replies.text(`The gate said ${request.stepToolResults[0]?.output.split('\n')[0]}.`),
      },
    ],
  });
  env = { CODY_API_TOKEN: TOKEN, NO_COLOR: '', CODY_URL: stack.baseUrl };
});
afterAll(() => stack?.close());

const gateName = (prompt: string) => /gate (\S+)/.exec(prompt)?.[1] ?? 'missing';
const anthropicText = () =>
  recordingData('anthropic-messages/text-simple.sse')
    .filter((d) => d.type === 'content_block_delta')
    .map((d) => (d.delta as { text?: string }).text ?? '')
    .join('');
const runIdIn = (stderr: string) => /run ([0-9a-f-]{36})/.exec(stderr)?.[1];

// the stack's own helpers send no token; this stack wants one
async function storedRun(runId: string): Promise<Response> {
  for (;;) {
    const reply = await stack.api<Response>('GET', `/api/v2/runs/${runId}`, undefined, auth());
    if (reply.status === 200 && ['complete', 'error', 'aborted'].includes(reply.json.status))
      return reply.json;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function submit(prompt: string): Promise<{ runId: string }> {
  const reply = await stack.api<{ runId: string }>('POST', '/api/v2/submit', { prompt }, auth());
  expect(reply.status).toBe(202);
  return reply.json;
}

describe('cody run', () => {
  it("prints the recording's final text exactly on stdout and exits 0", async () => {
    const result = await runCliToEnd(
      ['run', '--provider', 'anthropic', '--model', 'claude-haiku-4.5', 'hello CLI-RECORDING'],
      env,
    );
    expect(result.stderr).toContain('complete');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${anthropicText()}\n`);
    // not a terminal: no escape sequences
    expect(result.stdout + result.stderr).not.toContain('\u001b[');
    const runId = runIdIn(result.stderr);
    expect((await storedRun(runId as string)).status).toBe('complete');
  });

  it('an error recording exits non-zero and prints the error code', async () => {
    const result = await runCliToEnd(
      ['run', '--provider', 'openai', '--model', 'gpt-5-mini', 'out of credit CLI-ERROR'],
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ended error: PROVIDER_ERROR .*quota/i);
  });

  it('shows thinking and the tool call with its arguments and result', async () => {
    writeFileSync(join(stack.workspace, 'open-1'), '');
    const result = await runCliToEnd(['run', 'wait at the gate open-1 CLI-GATE'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('thinking: I will wait for the gate.');
    expect(result.stderr).toContain(`→ exec ${JSON.stringify({ shell: gate('open-1') })}`);
    expect(result.stderr).toContain('← released');
    expect(result.stdout).toBe('The gate said released.\n');
  });

  it('Ctrl-C (SIGINT) mid-run cancels the run on the server: it ends aborted', async () => {
    const cli = startCli(['run', 'wait at the gate never-opened CLI-GATE'], env);
    await cli.waitFor(({ stderr }) => stderr.includes('→ exec'));
    const runId = runIdIn(cli.stderr()) as string;
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect(cli.stderr()).toContain(`run ${runId} ended aborted: ABORTED`);
    expect((await storedRun(runId)).status).toBe('aborted');
  });

  it('--json prints StreamEvents, one per line, valid against the schema', async () => {
    const result = await runCliToEnd(
      ['run', '--json', '--provider', 'anthropic', 'hello CLI-RECORDING'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const parsed: StreamEvent[] = lines.map((line) => parseStreamEvent(JSON.parse(line)));
    expect(parsed[0]?.type).toBe('response_start');
    expect(parsed.at(-1)?.type).toBe('response_done');
    expect(new Set(parsed.map((e) => e.event_id)).size).toBe(parsed.length);
    const stored = await storedRun(parsed[0]?.run_id as string);
    expect(reduceEvents(parsed)).toEqual(stored);
  });
});

describe('cody tail', () => {
  it('a running run followed from another process prints the rest exactly once', async () => {
    const { runId } = await submit('wait at the gate open-tail CLI-GATE');
    const tail = startCli(['tail', runId], env);
    await tail.waitFor(({ stderr }) => stderr.includes('→ exec'));
    // the run is still waiting on the gate: everything after this is live
    expect((await stack.api<Response>('GET', `/api/v2/runs/${runId}`, undefined, auth())).json.status).toBe(
      'in_progress',
    );
    writeFileSync(join(stack.workspace, 'open-tail'), '');
    expect(await tail.exited, tail.stderr()).toBe(0);
    expect(tail.stdout()).toBe('The gate said released.\n');
    expect(tail.stderr().match(/→ exec/g)).toHaveLength(1);
    expect(tail.stderr().match(/← released/g)).toHaveLength(1);
    expect(tail.stderr().match(/thinking:/g)).toHaveLength(1);
  });

  it('--redis reads the run stream directly and prints each entry as it lands', async () => {
    const { runId } = await submit('wait at the gate open-redis CLI-GATE');
    const tail = startCli(['tail', '--redis', runId], {
      REDIS_URL,
      CODY_REDIS_PREFIX: stack.prefix,
      NO_COLOR: '1',
    });
    await tail.waitFor(({ stdout }) => stdout.includes('"item_type":"function_call"'));
    expect(existsSync(join(stack.workspace, 'open-redis'))).toBe(false);
    writeFileSync(join(stack.workspace, 'open-redis'), '');
    expect(await tail.exited, tail.stderr()).toBe(0);
    const entries = (await stack.redis.xrange(`${stack.prefix}run:{${runId}}:events`, '-', '+')) as [
      string,
      string[],
    ][];
    const lines = tail.stdout().trimEnd().split('\n');
    expect(lines.map((line) => line.split(' ')[0])).toEqual(entries.map(([id]) => id));
    expect(lines.at(-1)).toMatch(/ response_done \{.*"status":"complete"/);
  });

  it('--redis for a run without a stream says so', async () => {
    const result = await runCliToEnd(['tail', '--redis', '00000000-0000-4000-8000-000000000000'], {
      REDIS_URL,
      CODY_REDIS_PREFIX: stack.prefix,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no Redis stream .*\(RUN_NOT_FOUND\)/);
  });
});

describe('cody show and threads', () => {
  it('show prints a stored run; threads lists its thread', async () => {
    const run = await runCliToEnd(['run', '--provider', 'anthropic', 'hello again CLI-RECORDING'], env);
    const runId = runIdIn(run.stderr) as string;
    const stored = await storedRun(runId);
    const shown = await runCliToEnd(['show', runId], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(`${anthropicText()}\n`);
    expect(shown.stderr).toContain('user: hello again CLI-RECORDING');
    const threads = await runCliToEnd(['threads', '--json'], env);
    expect(threads.code).toBe(0);
    const ids = threads.stdout
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids).toContain(stored.thread_id);
  });
});

describe('cody run --approval, cody approve / deny', () => {
  it('a call waits for approval; `cody approve` from another process lets it run', async () => {
    const cli = startCli(['run', '--approval', 'ask-mutating', 'echo something CLI-APPROVE'], env);
    let hint: RegExpExecArray | null = null;
    await cli.waitFor(({ stderr }) => {
      hint = /cody approve ([0-9a-f-]{36}) (\S+)/.exec(stderr);
      return hint !== null;
    });
    const [, runId, callId] = hint as unknown as [string, string, string];
    const approved = await runCliToEnd(['approve', runId, callId], env);
    expect(approved.code, approved.stderr).toBe(0);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/^Tool: approved-from-the-cli\n/);
    expect(cli.stderr()).toContain('approved (user)');
    // decided already: the server's refusal, exit 1
    const late = await runCliToEnd(['deny', runId, callId, '--reason', 'too late'], env);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('(APPROVAL_ALREADY_DECIDED)');
  });

  it('an unknown approval mode, or approve without its ids, is a usage mistake', async () => {
    for (const args of [
      ['run', '--approval', 'sometimes', 'x'],
      ['approve', 'only-one'],
    ]) {
      const result = await runCliToEnd(args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('USAGE_ERROR');
    }
  });
});

describe('errors', () => {
  it('a server that cannot be reached: one clear line, exit 1', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await runCliToEnd(['threads', '--url', url], {});
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^cody: cannot reach the Cody server at ${url} .*\\(SERVER_UNREACHABLE\\)$`),
      ),
    ]);
  });

  it('CODY_API_TOKEN is sent; without it the server refuses with its code', async () => {
    const result = await runCliToEnd(['threads'], { CODY_URL: stack.baseUrl });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('(UNAUTHORIZED)');
  });

  it('usage mistakes exit 2', async () => {
    const result = await runCliToEnd(['run'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('USAGE_ERROR');
  });
});

function auth() {
  return { authorization: `Bearer ${TOKEN}` };
}
