// The smoke suite spends real money: `npm test` (turbo → each package's `vitest run`) must
// never run it, with or without provider keys in the environment. Two checks on the real tools:
// vitest's own file selection, and what turbo would hand the test tasks.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(serverDir, '..', '..');
const dummyKeys = {
  OPENAI_API_KEY: 'sk-dummy-smoke-isolation',
  ANTHROPIC_API_KEY: 'sk-ant-dummy-smoke-isolation',
};

function vitestList(args: string[]): string[] {
  const result = spawnSync(
    process.execPath,
    [join(serverDir, 'node_modules', 'vitest', 'vitest.mjs'), 'list', '--filesOnly', '--json', ...args],
    { cwd: serverDir, env: { ...process.env, ...dummyKeys }, encoding: 'utf8' },
  );
  expect(result.status, result.stderr).toBe(0);
  const listed = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as { file: string }[];
  return listed.map((entry) => relative(serverDir, entry.file));
}

describe('the smoke suite stays out of npm test', () => {
  it('the regular vitest run does not collect a smoke file; the smoke config collects only those', () => {
    const smokeFiles = readdirSync(join(serverDir, 'smoke'))
      .filter((name) => name.endsWith('.smoke.test.ts'))
      .map((name) => join('smoke', name));
    expect(smokeFiles.length).toBeGreaterThan(0);
    const regular = vitestList([]);
    expect(regular.length).toBeGreaterThan(10);
    for (const file of regular) expect(file.startsWith('smoke')).toBe(false);
    expect(vitestList(['--config', 'vitest.smoke.config.ts']).sort()).toEqual(smokeFiles.sort());
  });

  it('turbo hands no provider key to any test task, even when the environment has them', () => {
    const result = spawnSync(
      process.execPath,
      [join(repoRoot, 'scripts', 'pnpm.mjs'), 'exec', 'turbo', 'run', 'test', '--dry=json'],
      { cwd: repoRoot, env: { ...process.env, ...dummyKeys }, encoding: 'utf8' },
    );
    expect(result.status, result.stderr).toBe(0);
    const dry = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as {
      envMode: string;
      globalCacheInputs: { environmentVariables: unknown };
      tasks: { taskId: string; task: string; envMode: string; environmentVariables: unknown }[];
    };
    const tests = dry.tasks.filter((task) => task.task === 'test');
    expect(tests.length).toBeGreaterThan(5);
    // strict: a task sees only the variables listed for it (not the caller's whole environment)
    expect(dry.envMode).toBe('strict');
    expect(JSON.stringify(dry.globalCacheInputs.environmentVariables)).not.toMatch(/API_KEY/);
    for (const task of tests) {
      expect(task.envMode, task.taskId).toBe('strict');
      expect(JSON.stringify(task.environmentVariables), task.taskId).not.toMatch(/API_KEY/);
    }
  });
});
