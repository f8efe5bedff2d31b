import { parseMcpToolName } from '@cody/schema';
import { commandEnv } from '@cody/tools';
import { describe, expect, it } from 'vitest';
import { mapCallToolResult, mcpToolName, mcpToolParameters, stdioServerEnv } from '../src/index';

describe('mcpToolName', () => {
  it('is mcp__<server>__<tool>, parseable back', () => {
    expect(mcpToolName('everything', 'echo')).toBe('mcp__everything__echo');
    expect(parseMcpToolName('mcp__everything__trigger-long-running-operation')).toEqual({
      server: 'everything',
      tool: 'trigger-long-running-operation',
    });
    expect(parseMcpToolName('readFile')).toBeUndefined();
  });

  it('replaces characters providers refuse and keeps long names within 64, without collisions', () => {
    const dotted = mcpToolName('s', 'files.read');
    expect(dotted).toMatch(/^mcp__s__files_read_[0-9a-f]{8}$/);
    expect(dotted).not.toBe(mcpToolName('s', 'files_read'));
    const long = mcpToolName('server', 'x'.repeat(100));
    expect(long.length).toBe(64);
    expect(long).not.toBe(mcpToolName('server', `${'x'.repeat(99)}y`));
    for (const name of [dotted, long]) expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});

describe('mcpToolParameters', () => {
  it('drops $schema and is always an object schema', () => {
    expect(
      mcpToolParameters({ $schema: 'x', type: 'object', required: ['a'], properties: { a: {} } }),
    ).toEqual({
      type: 'object',
      required: ['a'],
      properties: { a: {} },
    });
    expect(mcpToolParameters(undefined)).toEqual({ type: 'object', properties: {} });
  });
});

describe('mapCallToolResult', () => {
  it('joins text and summarises images and resources with their MIME type', () => {
    expect(
      mapCallToolResult({
        content: [
          { type: 'text', text: 'one' },
          { type: 'image', data: 'AAAA', mimeType: 'image/png' },
          { type: 'resource', resource: { uri: 'file:///a.txt', mimeType: 'text/plain', text: 'hello' } },
          {
            type: 'resource',
            resource: { uri: 'file:///b.bin', mimeType: 'application/zip', blob: 'AAAAAA==' },
          },
          { type: 'resource_link', uri: 'file:///c', name: 'c', mimeType: 'text/x' },
        ],
      }),
    ).toEqual({
      success: true,
      output: [
        'one',
        '[image: image/png, 3 bytes]',
        '[resource: file:///a.txt (text/plain)]\nhello',
        '[resource: file:///b.bin (application/zip), 4 bytes]',
        '[resource link: file:///c (text/x)]',
      ].join('\n'),
    });
  });

  it('isError is a failure with the server text; structured content stands in for no content', () => {
    expect(mapCallToolResult({ isError: true, content: [{ type: 'text', text: 'bad' }] })).toEqual({
      success: false,
      output: 'bad',
    });
    expect(mapCallToolResult({ content: [], structuredContent: { a: 1 } })).toEqual({
      success: true,
      output: '{"a":1}',
    });
  });
});

describe('stdioServerEnv', () => {
  // what exec's commands get: the tool config builds it from CODY_EXEC_ENV (here SHARED, MISSING)
  const worker = {
    PATH: '/bin',
    HOME: '/home/u',
    LANG: 'C',
    OPENAI_API_KEY: 'sk',
    REDIS_URL: 'redis://',
    CODY_REDIS_PREFIX: 'cody:',
    SHARED: 'yes',
  };
  const exec = commandEnv(worker, ['SHARED', 'MISSING']);

  it('is exec’s environment — PATH, LANG, TERM, the CODY_EXEC_ENV names — with HOME the workspace, plus the config env', () => {
    expect(stdioServerEnv({ EXTRA: 'x' }, '/ws', exec)).toEqual({
      PATH: '/bin',
      HOME: '/ws',
      LANG: 'C',
      SHARED: 'yes',
      EXTRA: 'x',
    });
  });

  it('the config env wins, HOME included', () => {
    expect(stdioServerEnv({ HOME: '/override', PATH: '/opt/bin' }, '/ws', exec)).toMatchObject({
      HOME: '/override',
      PATH: '/opt/bin',
    });
  });
});
