// Processes the server benches start: the model side (e2e-llm-process.ts, own process), the
// real server (a child process on tsx, workers in-process) and the resumable-stream peer.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLK_TCK = 100;
const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The test LLM behind its TCP tap; prompts `bench <phase> <run> <deltas> <delayMs>` answer. */
export function startLlmProcess(): Promise<{ child: ChildProcess; tapUrl: string }> {
  const child = fork(join(serverDir, 'bench', 'e2e-llm-process.ts'), [], {
    execArgv: ['--conditions=@cody/source', '--import', 'tsx'],
    cwd: serverDir,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { type: string; tapUrl: string }) =>
      resolve({ child, tapUrl: message.tapUrl }),
    );
    child.once('exit', (code) => reject(new Error(`test LLM process exited (${code})`)));
  });
}

/** The resumable-stream peer (resumable-stream-peer.ts) on the same Redis and model tap. */
export function startPeerProcess(env: {
  redisUrl: string;
  tapUrl: string;
  prefix: string;
}): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = fork(join(serverDir, 'bench', 'resumable-stream-peer.ts'), [], {
    execArgv: ['--conditions=@cody/source', '--import', 'tsx'],
    cwd: serverDir,
    env: { ...process.env, REDIS_URL: env.redisUrl, PEER_TAP_URL: env.tapUrl, PEER_PREFIX: env.prefix },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { type: string; url: string }) =>
      resolve({ child, baseUrl: message.url }),
    );
    child.once('exit', (code) => reject(new Error(`resumable-stream peer exited (${code})`)));
  });
}

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** run id → snapshot lag (ms) the persistence worker logged when it stored the terminal state */
  persisted: Map<string, number>;
}

export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const extra = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(
    process.execPath,
    [...extra, '--conditions=@cody/source', '--import', 'tsx', 'src/main.ts'],
    {
      cwd: serverDir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const persisted = new Map<string, number>();
  // BENCH_SERVER_LOG: a file that gets the server's log lines (warnings, errors) for a look afterwards
  const log = process.env.BENCH_SERVER_LOG ? createWriteStream(process.env.BENCH_SERVER_LOG) : undefined;
  let pending = '';
  let banner = '';
  // with CODY_SERVER_PROCESSES > 1, ready once every process says it serves
  const processes = Number(env.CODY_SERVER_PROCESSES ?? 1);
  let serving = 0;
  let url: string | undefined;
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (data: Buffer) => {
      log?.write(data);
      pending += data.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        banner += banner.length < 10_000 ? `${line}\n` : '';
        const match = /Cody is running: (http:\/\/\S+)/.exec(line);
        if (match?.[1]) url = match[1];
        if (/server process \d+ is serving/.test(line)) serving += 1;
        if (url && (processes <= 1 || serving >= processes)) resolve(url);
        if (!line.includes('"run persisted"')) continue;
        const record = JSON.parse(line) as { run_id: string; lag_ms?: number };
        if (record.lag_ms !== undefined) persisted.set(record.run_id, record.lag_ms);
      }
    });
    child.stderr?.on('data', (data: Buffer) => {
      log?.write(data);
      banner += data.toString();
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${banner}`)));
  });
  return { child, baseUrl, persisted };
}

/** A process and its children (the server processes under a CODY_SERVER_PROCESSES supervisor). */
export function withChildren(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    return [pid, ...children.filter(Boolean).map(Number)];
  } catch {
    return [pid];
  }
}

/** utime + stime of a process, in ms of CPU. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

/** The server's environment in the benches: real Redis under `prefix`, the model behind `tapUrl`. */
export async function benchServerEnv(options: {
  redisUrl: string;
  prefix: string;
  workspace: string;
  tapUrl: string;
  logLevel: string;
}): Promise<Record<string, string>> {
  return {
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    REDIS_URL: options.redisUrl,
    CODY_REDIS_PREFIX: options.prefix,
    CODY_WORKSPACE: options.workspace,
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: `${options.tapUrl}/v1`,
    ANTHROPIC_API_KEY: 'bench',
    CODY_RUN_TTL_SECONDS: '120',
    LOG_LEVEL: options.logLevel,
    // one client submitting hundreds of runs at once: the load measured, not one to limit
    CODY_RATE_LIMIT_API: '1000000',
    CODY_RATE_LIMIT_SUBMIT: '1000000',
  };
}
