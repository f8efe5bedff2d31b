import { describe, expect, it } from 'vitest';
import { DEFAULT_TOOL_LIMITS, loadToolConfig, ToolConfigurationError } from '../src/index';

describe('loadToolConfig', () => {
  it('defaults to the current directory and the default limits', () => {
    expect(loadToolConfig({}, process.cwd())).toEqual({
      workspaceRoot: process.cwd(),
      limits: DEFAULT_TOOL_LIMITS,
      // commands run in bubblewrap without network; their environment is the allowlist only
      sandbox: { mode: 'bwrap', network: false },
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
    });
  });

  it('reads the sandbox settings and builds the command environment from an allowlist', () => {
    const config = loadToolConfig({
      CODY_EXEC_SANDBOX: 'off',
      CODY_EXEC_NETWORK: 'ON',
      CODY_EXEC_ENV: ' GIT_AUTHOR_NAME , NPM_CONFIG_REGISTRY,UNSET_ONE',
      GIT_AUTHOR_NAME: 'Ada',
      NPM_CONFIG_REGISTRY: 'https://registry.example',
      PATH: '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      OPENAI_API_KEY: 'sk-canary',
      DATABASE_DSN: 'postgres://admin:pw@db/x',
      MY_SERVICE_PWD: 'pw',
    });
    expect(config.sandbox).toEqual({ mode: 'off', network: true });
    expect(config.env).toEqual({
      PATH: '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      GIT_AUTHOR_NAME: 'Ada',
      NPM_CONFIG_REGISTRY: 'https://registry.example',
    });
  });

  it('names a bad sandbox setting', () => {
    expect(() => loadToolConfig({ CODY_EXEC_SANDBOX: 'no' })).toThrow(
      'CODY_EXEC_SANDBOX: must be on or off, got "no"',
    );
    expect(() => loadToolConfig({ CODY_EXEC_NETWORK: 'yes' })).toThrow(
      /^CODY_EXEC_NETWORK: must be on or off/,
    );
    expect(() => loadToolConfig({ CODY_EXEC_ENV: 'GOOD,not-a-name' })).toThrow(
      /^CODY_EXEC_ENV: must be a comma-separated list of variable names .*"not-a-name"/,
    );
    expect(() => loadToolConfig({ CODY_EXEC_ENV: 'HOME' })).toThrow(/^CODY_EXEC_ENV: /);
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
