import { describe, expect, it } from 'vitest';
import { DEFAULT_TOOL_LIMITS, loadToolConfig, ToolConfigurationError } from '../src/index';

describe('loadToolConfig', () => {
  it('defaults to the current directory and the default limits', () => {
    expect(loadToolConfig({}, process.cwd())).toEqual({
      workspaceRoot: process.cwd(),
      limits: DEFAULT_TOOL_LIMITS,
    });
  });

  it('reads CODY_WORKSPACE and the limits', () => {
    const config = loadToolConfig(
      { CODY_WORKSPACE: '/tmp', CODY_TOOL_TIMEOUT_MS: '5000', CODY_SCRIPT_MEMORY_MB: '16' },
      '/',
    );
    expect(config.workspaceRoot).toBe('/tmp');
    expect(config.limits.toolTimeoutMs).toBe(5000);
    expect(config.limits.scriptMemoryBytes).toBe(16 * 1024 * 1024);
  });

  it('names the variable with a bad value', () => {
    expect(() => loadToolConfig({ CODY_EXEC_TIMEOUT_MS: 'soon' })).toThrow(
      'CODY_EXEC_TIMEOUT_MS: must be a positive integer, got "soon"',
    );
    expect(() => loadToolConfig({ CODY_WORKSPACE: '/definitely/not/here' })).toThrow(ToolConfigurationError);
    expect(() => loadToolConfig({ CODY_WORKSPACE: '/definitely/not/here' })).toThrow(/^CODY_WORKSPACE: /);
  });
});
