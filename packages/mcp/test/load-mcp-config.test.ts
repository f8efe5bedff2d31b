// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file syntax under test
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMcpConfig, McpConfigError } from '../src/index';

const dir = mkdtempSync(join(tmpdir(), 'cody-mcp-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(config: unknown, env: NodeJS.ProcessEnv = {}) {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return loadMcpConfig({ ...env, CODY_MCP_CONFIG: file });
}

function failure(config: unknown, env: NodeJS.ProcessEnv = {}): McpConfigError {
  try {
    load(config, env);
  } catch (error) {
    expect(error).toBeInstanceOf(McpConfigError);
    return error as McpConfigError;
  }
  throw new Error('the config was accepted');
}

describe('loadMcpConfig', () => {
  it('is undefined without CODY_MCP_CONFIG', () => {
    expect(loadMcpConfig({})).toBeUndefined();
  });

  it('reads stdio and Streamable HTTP servers in the Claude Desktop / Cursor shape', () => {
    const config = load({
      mcpServers: {
        everything: { command: 'npx', args: ['@modelcontextprotocol/server-everything'], env: { A: '1' } },
        remote: { url: 'https://example.com/mcp', headers: { authorization: 'Bearer t' } },
        plain: { type: 'stdio', command: 'srv' },
        typed: { type: 'http', url: 'http://127.0.0.1:9/mcp' },
      },
    });
    expect(config?.servers).toEqual({
      everything: {
        transport: 'stdio',
        command: 'npx',
        args: ['@modelcontextprotocol/server-everything'],
        env: { A: '1' },
      },
      remote: { transport: 'http', url: 'https://example.com/mcp', headers: { authorization: 'Bearer t' } },
      plain: { transport: 'stdio', type: 'stdio', command: 'srv', args: [], env: {} },
      typed: { transport: 'http', type: 'http', url: 'http://127.0.0.1:9/mcp', headers: {} },
    });
  });

  it('fills ${VAR} and ${VAR:-default} from the environment', () => {
    const config = load(
      {
        mcpServers: {
          remote: {
            url: 'https://${HOST}/mcp',
            headers: { authorization: 'Bearer ${TOKEN}', x: '${NOPE:-d}' },
          },
        },
      },
      { HOST: 'example.com', TOKEN: 'secret' },
    );
    expect(config?.servers.remote).toMatchObject({
      url: 'https://example.com/mcp',
      headers: { authorization: 'Bearer secret', x: 'd' },
    });
  });

  it('an unknown field names the server and the field', () => {
    const error = failure({ mcpServers: { everything: { comand: 'npx', command: 'npx' } } });
    expect(error.code).toBe('CONFIGURATION_ERROR');
    expect(error.message).toMatch(/^CODY_MCP_CONFIG: /);
    expect(error.message).toContain('server "everything"');
    expect(error.message).toContain('mcpServers.everything');
    expect(error.message).toContain('"comand"');
  });

  it('a missing command, a bad URL, a bad name, an unknown top-level field, bad JSON, no file', () => {
    expect(failure({ mcpServers: { a: { args: [] } } }).message).toContain('mcpServers.a.command');
    expect(failure({ mcpServers: { web: { url: 'ftp://x/mcp' } } }).message).toContain('mcpServers.web.url');
    expect(failure({ mcpServers: { two__parts: { command: 'x' } } }).message).toContain('two__parts');
    expect(failure({ mcpServers: {}, servers: {} }).message).toContain('"servers"');
    expect(failure('{"mcpServers": ').message).toContain('not valid JSON');
    expect(failure({ mcpServers: { a: { command: 'x', env: { K: '${UNSET_VAR}' } } } }).message).toContain(
      'server "a": env.K: ${UNSET_VAR} is not set',
    );
    expect(() => loadMcpConfig({ CODY_MCP_CONFIG: join(dir, 'missing.json') })).toThrow(/cannot read/);
  });
});
