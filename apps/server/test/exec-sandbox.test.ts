// The model's exec as an attacker: a real server (child process, so its /proc/<pid>/environ is a
// real process environment holding canary secrets), real Redis, real tool worker and bubblewrap;
// the test LLM at the wire makes the calls. Each escape fails, legit commands still work, and no
// canary shows anywhere in the run — its stored snapshot, its stream, or what the model was sent.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { FunctionCallOutputItem } from '@cody/schema';
import { replies } from '@cody/test-llm';
import { prepareExecSandbox } from '@cody/tools';
import { REAPER_MARK_VARIABLE } from '@cody/workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness';
import { processesWith, uniqueSleep } from './support-processes';
import { type FinishedRun, itemsOf, runToEnd } from './support-runs';

const CANARIES = {
  CODY_CANARY_SECRET: `canary-${randomUUID()}`,
  DATABASE_DSN: `postgres://admin:${randomUUID()}@db.internal/app`,
  MY_SERVICE_PWD: `pwd-${randomUUID()}`,
  OPENAI_API_KEY: `sk-canary-${randomUUID()}`,
};
const OUTSIDE_SECRET = `outside-${randomUUID()}`;

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 25));
}

const sandbox = await prepareExecSandbox();
const skipReason = sandbox.kind === 'unavailable' ? sandbox.reason : '';
if (skipReason) console.warn(`exec sandbox attack suite skipped: ${skipReason}`);

// what each exec call of a test is, filled in once the server (and its pid and port) exists
const calls = new Map<string, { name: string; arguments: Record<string, unknown> }[]>();
const call = (marker: string) => ({
  match: { marker, step: 1 },
  reply: () => replies.toolCalls(calls.get(marker) ?? []),
});
const answer = (marker: string) => ({ match: { marker, step: 2 }, reply: replies.text('Done.') });

describe.skipIf(sandbox.kind !== 'bwrap')(
  `exec in the sandbox, attacked through the model${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let stack: Stack;
    let outside: string;
    let serverPid: number;
    let apiPort: string;

    beforeAll(async () => {
      stack = await startStack({
        childProcess: true,
        env: { ...CANARIES },
        rules: ['ATTACK', 'LEGIT', 'SCRIPT', 'ORPHAN'].flatMap((marker) => [call(marker), answer(marker)]),
      });
      serverPid = stack.child?.pid as number;
      apiPort = new URL(stack.baseUrl).port;
      outside = mkdtempSync(join(os.tmpdir(), 'cody-outside-'));
      writeFileSync(join(outside, 'secret.txt'), OUTSIDE_SECRET);
      writeFileSync(join(stack.workspace, 'data.txt'), 'alpha\nbeta\ngamma\n');
    });
    afterAll(async () => {
      await stack?.close();
      if (outside) rmSync(outside, { recursive: true, force: true });
    });

    /** The run and each exec call's output, keyed by the label given to the call. */
    async function runCalls(marker: string, labelled: Record<string, Record<string, unknown>>) {
      calls.set(
        marker,
        Object.values(labelled).map((args) => ({ name: 'exec', arguments: args })),
      );
      const run = await runToEnd(stack, {
        prompt: `run these ${marker}`,
        providerId: 'openai',
        model: 'gpt-5-mini',
      });
      expect(run.stored.status).toBe('complete');
      const outputs = itemsOf(run.stored, 'function_call_output');
      const byArguments = new Map(
        itemsOf(run.stored, 'function_call').map((fc) => [
          fc.arguments,
          outputs.find((output) => output.call_id === fc.call_id) as FunctionCallOutputItem,
        ]),
      );
      const results = Object.fromEntries(
        Object.entries(labelled).map(([label, args]) => [label, byArguments.get(JSON.stringify(args))]),
      ) as Record<string, FunctionCallOutputItem>;
      return { run, results };
    }

    function expectNoCanary(run: FinishedRun, marker: string) {
      const everything = [
        JSON.stringify(run.stored),
        JSON.stringify(run.events),
        JSON.stringify(stack.llm.findRequests({ marker }).map((request) => request.body)),
      ].join('\n');
      for (const value of [...Object.values(CANARIES), OUTSIDE_SECRET])
        expect(everything).not.toContain(value);
    }

    it('the server really holds the canaries in its environment (so the attacks could find them)', () => {
      const environ = readFileSync(`/proc/${serverPid}/environ`, 'utf8');
      for (const value of Object.values(CANARIES)) expect(environ).toContain(value);
    });

    it('every escape fails and no secret of the server appears in the run', async () => {
      const hostUsers = readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .map((line) => line.split(':')[0])
        .filter((name): name is string => !!name && !['root', 'nobody'].includes(name));
      const node = (code: string) => ({ command: ['node', '-e', code] });
      const connect = (port: string | number) =>
        node(
          `require("net").connect(${port}, "127.0.0.1").on("connect", () => { console.log("CONNECTED"); process.exit(0) }).on("error", (e) => { console.log(e.code); process.exit(1) })`,
        );
      const { run, results } = await runCalls('ATTACK', {
        serverEnviron: { shell: `tr '\\0' '\\n' < /proc/${serverPid}/environ` },
        parentEnviron: { shell: `tr '\\0' '\\n' < /proc/$PPID/environ` },
        initEnviron: { shell: "tr '\\0' '\\n' < /proc/1/environ" },
        ownEnv: { command: ['env'] },
        outsideFile: { command: ['cat', join(outside, 'secret.txt')] },
        home: { shell: `ls -a ${os.homedir()} /home /root` },
        passwd: { command: ['cat', '/etc/passwd'] },
        writeOutside: { shell: `echo pwned > ${join(outside, 'pwned.txt')}` },
        writeSystem: { shell: 'echo pwned > /usr/pwned.txt' },
        redisNode: connect(6379),
        redisBash: { shell: "bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379 && echo CONNECTED'" },
        apiNode: connect(apiPort),
        apiFetch: node(
          `fetch("http://127.0.0.1:${apiPort}/api/v2/threads").then((r) => console.log("CONNECTED", r.status), (e) => { console.log(e.cause?.code ?? e.message); process.exit(1) })`,
        ),
        processes: { shell: 'ls /proc | grep -cE "^[0-9]+$"' },
      });

      expect(results.serverEnviron?.success).toBe(false);
      expect(results.serverEnviron?.output).toMatch(/cannot open \/proc\/\d+\/environ: No such file/);
      // $PPID and PID 1 are the sandbox's own init: it holds only the allowlisted environment, plus
      // the tool worker's reaper mark (a random id, no secret: it lets a dead worker's commands be found)
      for (const own of [results.parentEnviron, results.initEnviron, results.ownEnv]) {
        expect(own?.success).toBe(true);
        const names = (own?.output ?? '')
          .split('\n')
          .slice(0, -1)
          .map((line) => line.split('=')[0]);
        for (const name of names)
          expect(['PATH', 'LANG', 'TERM', 'HOME', 'PWD', REAPER_MARK_VARIABLE]).toContain(name);
      }
      expect(results.outsideFile).toMatchObject({ success: false });
      expect(results.outsideFile?.output).toContain('No such file or directory');
      expect(results.home?.success).toBe(false);
      expect(results.home?.output.match(/No such file or directory/g)?.length).toBe(3);
      // /etc/passwd is readable, but it is the sandbox's: none of the host's users are in it
      expect(results.passwd?.success).toBe(true);
      for (const user of hostUsers) expect(results.passwd?.output).not.toMatch(new RegExp(`^${user}:`, 'm'));
      expect(results.writeOutside?.success).toBe(false);
      expect(existsSync(join(outside, 'pwned.txt'))).toBe(false);
      expect(results.writeSystem?.output).toContain('Read-only file system');
      for (const reach of [results.redisNode, results.redisBash, results.apiNode, results.apiFetch]) {
        expect(reach?.success).toBe(false);
        expect(reach?.output).not.toContain('CONNECTED');
      }
      expect(results.redisNode?.output).toMatch(/^(ECONNREFUSED|ENETUNREACH)\n/);
      // bubblewrap's init, the shell, ls, grep: none of the host's processes
      expect(Number(results.processes?.output.split('\n')[0])).toBeLessThanOrEqual(5);
      expectNoCanary(run, 'ATTACK');
    });

    it('commands that belong in the workspace still work: ls, cat, grep, a pipeline, node -e', async () => {
      const { run, results } = await runCalls('LEGIT', {
        ls: { command: ['ls'] },
        cat: { command: ['cat', 'data.txt'] },
        grep: { command: ['grep', '-n', 'beta', 'data.txt'] },
        pipeline: { shell: 'cat data.txt | grep a | sort -r | head -n 2' },
        node: {
          command: [
            'node',
            '-e',
            'console.log(require("fs").readFileSync("data.txt", "utf8").length, 6 * 7)',
          ],
        },
        write: { shell: 'echo made > made.txt && cat made.txt' },
      });
      expect(results.ls).toMatchObject({ success: true, output: 'data.txt\n[exit code 0]' });
      expect(results.cat).toMatchObject({ success: true, output: 'alpha\nbeta\ngamma\n[exit code 0]' });
      expect(results.grep).toMatchObject({ success: true, output: '2:beta\n[exit code 0]' });
      expect(results.pipeline).toMatchObject({ success: true, output: 'gamma\nbeta\n[exit code 0]' });
      expect(results.node).toMatchObject({ success: true, output: '17 42\n[exit code 0]' });
      expect(results.write).toMatchObject({ success: true, output: 'made\n[exit code 0]' });
      expect(readFileSync(join(stack.workspace, 'made.txt'), 'utf8')).toBe('made\n');
      expectNoCanary(run, 'LEGIT');
    });

    it('a script’s tools.exec gets the same results', async () => {
      const attempt = (args: Record<string, unknown>) =>
        `await tools.exec(${JSON.stringify(args)}).then((output) => ({ ok: true, output }), (e) => ({ ok: false, code: e.code, output: e.message }))`;
      calls.set('SCRIPT', [
        {
          name: 'runScript',
          arguments: {
            code: [
              `const environ = ${attempt({ shell: `tr '\\0' '\\n' < /proc/${serverPid}/environ` })};`,
              `const outside = ${attempt({ command: ['cat', join(outside, 'secret.txt')] })};`,
              `const redis = ${attempt({ shell: "bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379 && echo CONNECTED'" })};`,
              `const legit = ${attempt({ shell: 'cat data.txt | grep -c a' })};`,
              'return { environ, outside, redis, legit };',
            ].join('\n'),
          },
        },
      ]);
      const run = await runToEnd(stack, {
        prompt: 'script it SCRIPT',
        providerId: 'anthropic',
        model: 'claude-haiku-4.5',
      });
      expect(run.stored.status).toBe('complete');
      const [scriptOutput] = itemsOf(run.stored, 'script_execution_output');
      const result = JSON.parse(scriptOutput?.result ?? 'null');
      expect(result.environ).toMatchObject({ ok: false, code: 'COMMAND_FAILED' });
      expect(result.outside).toMatchObject({ ok: false, code: 'COMMAND_FAILED' });
      expect(result.redis).toMatchObject({ ok: false, code: 'COMMAND_FAILED' });
      expect(result.redis.output).not.toContain('CONNECTED');
      expect(result.legit).toEqual({ ok: true, output: '3\n[exit code 0]' });
      expectNoCanary(run, 'SCRIPT');
    });

    it('leaves nothing running: not in the background, not after setsid, not after its server is SIGKILLed', async () => {
      const background = uniqueSleep();
      calls.set('ORPHAN', [
        {
          name: 'exec',
          arguments: {
            shell: `sleep ${background} > /dev/null 2>&1 & setsid sleep ${background} > /dev/null 2>&1 & echo left`,
          },
        },
      ]);
      const finished = await runToEnd(stack, {
        prompt: 'leave some ORPHAN',
        providerId: 'openai',
        model: 'gpt-5-mini',
      });
      expect(itemsOf(finished.stored, 'function_call_output')[0]).toMatchObject({
        success: true,
        output: 'left\n[exit code 0]',
      });
      await until(() => processesWith(background).length === 0);

      // a command still running when its server is SIGKILLed dies with it (should a restarted
      // server's worker retry the call, the file it left makes the retry start nothing)
      const killed = uniqueSleep();
      calls.set('ORPHAN', [
        {
          name: 'exec',
          arguments: {
            shell: `test -e started && echo again && exit 0; touch started; sleep ${killed} & setsid sleep ${killed} & sleep ${killed}`,
          },
        },
      ]);
      await stack.submit({ prompt: 'outlive it ORPHAN', providerId: 'openai', model: 'gpt-5-mini' });
      await until(() => processesWith(killed, 'sleep').length === 3);
      await stack.restartChild('SIGKILL');
      await until(() => processesWith(killed).length === 0);
      expect(readFileSync(join(stack.workspace, 'started'), 'utf8')).toBe('');
    });
  },
);
