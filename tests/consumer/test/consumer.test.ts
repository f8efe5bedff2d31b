// Packs @cody/schema and @cody/reducer as they would be published, installs the tarballs into
// a fresh project outside the workspace, type-checks and runs a TypeScript file using them.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const published = ['schema', 'reducer'].map((name) => join(root, 'packages', name));
const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const typesNode = dirname(require.resolve('@types/node/package.json'));

let project: string;

function pack(pkgDir: string, into: string): string {
  execFileSync('pnpm', ['pack', '--pack-destination', into], { cwd: pkgDir, stdio: 'pipe' });
  const name = readdirSync(into).find(
    (file) => file.includes(pkgDir.split('/').pop() as string) && file.endsWith('.tgz'),
  );
  if (!name) throw new Error(`no tarball for ${pkgDir}`);
  return join(into, name);
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'cody-consumer-'));
  const tarballs = published.map((dir) => pack(dir, project));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], {
    cwd: project,
    stdio: 'pipe',
  });
  copyFileSync(join(here, '../fixture/main.ts'), join(project, 'main.ts'));
  copyFileSync(join(here, '../fixture/tsconfig.json'), join(project, 'tsconfig.json'));
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('published packages in a fresh project', () => {
  it('type-check and run from the tarballs (ESM, types, JSON Schema file)', () => {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--typeRoots', dirname(typesNode)], {
      cwd: project,
      stdio: 'pipe',
    });
    const output = execFileSync(process.execPath, ['out/main.js'], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual({
      text: 'hello consumer',
      status: 'complete',
      replayEqual: true,
      hydratorLastId: '1-4',
      jsonSchemaTitle: 'stream-event',
    });
  });

  it('installs nothing but zod besides the two packages', () => {
    const installed = readdirSync(join(project, 'node_modules'))
      .flatMap((entry) =>
        entry.startsWith('@')
          ? readdirSync(join(project, 'node_modules', entry)).map((n) => `${entry}/${n}`)
          : [entry],
      )
      .filter((name) => !name.startsWith('.'));
    expect(installed.sort()).toEqual(['@cody/reducer', '@cody/schema', 'zod']);
  });

  it.each(published)('publint --strict passes on %s', async (pkgDir) => {
    const { messages } = await publint({ pkgDir, strict: true });
    expect(messages).toEqual([]);
  });
});
