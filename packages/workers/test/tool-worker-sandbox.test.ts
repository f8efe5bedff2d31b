import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '@cody/redis';
import { RedisTransport } from '@cody/redis';
import { prepareExecSandbox } from '@cody/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolWorker } from '../src/tool-worker/index';
import { deleteToolKeys, REDIS_URL, ToolRun, uniquePrefix } from './tool-worker-helpers';

const prefix = uniquePrefix('tool-worker-sandbox');
const bwrap = await prepareExecSandbox();
let transport: RedisTransport;
let workspace: string;
const runs: ToolRun[] = [];

function recordingLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string | undefined }[] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, sandboxLines: () => lines.filter((line) => 'sandbox' in line.obj) };
}

async function started(options: Partial<ConstructorParameters<typeof ToolWorker>[0]>) {
  const { logger, sandboxLines } = recordingLogger();
  const worker = new ToolWorker({ transport, workspaceRoot: workspace, logger, ...options });
  await worker.start();
  return { worker, sandboxLines };
}

beforeAll(async () => {
  workspace = await mkdtemp(path.join(os.tmpdir(), 'cody-tool-sandbox-'));
  transport = new RedisTransport({ url: REDIS_URL, prefix });
});
afterAll(async () => {
  await deleteToolKeys(
    transport.redis,
    prefix,
    runs.map((run) => run.runId),
  );
  await transport?.close();
  await rm(workspace, { recursive: true, force: true });
});

describe('the tool worker’s sandbox at start', () => {
  it('without bubblewrap: logs SANDBOX_UNAVAILABLE once, saying how to install it, and every exec fails so', async () => {
    const { worker, sandboxLines } = await started({
      sandbox: { bwrapPath: path.join(workspace, 'no-such-bwrap') },
    });
    try {
      expect(sandboxLines()).toHaveLength(1);
      const [line] = sandboxLines();
      expect(line?.level).toBe('error');
      expect(line?.obj).toMatchObject({ sandbox: 'unavailable', code: 'SANDBOX_UNAVAILABLE' });
      expect(line?.msg).toContain('apt-get install bubblewrap');
      const run = await new ToolRun(transport).start();
      runs.push(run);
      const first = await run.output(await run.call('exec', { command: ['ls'] }));
      const second = await run.output(await run.call('exec', { shell: 'echo hi' }));
      for (const output of [first, second]) {
        expect(output.success).toBe(false);
        expect(output.output).toContain('no sandbox could be made');
        expect(output.output).toContain('apt-get install bubblewrap');
      }
      // logged at start only, not per call
      expect(sandboxLines()).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  });

  it('CODY_EXEC_SANDBOX=off: warns once that commands run unconfined', async () => {
    const { worker, sandboxLines } = await started({ sandbox: { mode: 'off' } });
    await worker.stop();
    expect(sandboxLines()).toHaveLength(1);
    expect(sandboxLines()[0]).toMatchObject({ level: 'warn', obj: { sandbox: 'off' } });
    expect(sandboxLines()[0]?.msg).toContain('UNCONFINED');
  });

  it.runIf(bwrap.kind === 'bwrap')(
    `with bubblewrap: logs its version and that the network is off${bwrap.kind === 'bwrap' ? '' : ' (skipped: no bubblewrap here)'}`,
    async () => {
      const { worker, sandboxLines } = await started({});
      await worker.stop();
      expect(worker.execSandbox()).toMatchObject({ kind: 'bwrap', network: false });
      expect(sandboxLines()).toEqual([
        expect.objectContaining({
          level: 'info',
          obj: expect.objectContaining({ sandbox: 'bubblewrap', network: false }),
        }),
      ]);
    },
  );
});
