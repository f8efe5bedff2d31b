import { CodyError } from '@cody/schema';
import { describe, expect, it } from 'vitest';
import {
  compareStreamIds,
  createRedisKeys,
  DEFAULT_REDIS_PREFIX,
  RedisConfigurationError,
  reconnectBackoff,
} from '../src/index';

describe('createRedisKeys', () => {
  it('builds every key from the prefix, with the run id as hash tag', () => {
    const keys = createRedisKeys('tenant-a:');
    const run = '0b9c6f6e-1a53-4c8f-9d3c-5b4a7f1e2d3c';
    expect(keys.runEvents(run)).toBe(`tenant-a:run:{${run}}:events`);
    expect(keys.runLease(run)).toBe(`tenant-a:run:{${run}}:lease`);
    expect(keys.runCancel(run)).toBe(`tenant-a:run:{${run}}:cancel`);
    expect(keys.runCalls(run)).toBe(`tenant-a:run:{${run}}:calls`);
    expect(keys.announce).toBe('tenant-a:runs:announce');
    expect(keys.toolRequests).toBe('tenant-a:tools:requests');
    expect(keys.cancelChannel).toBe('tenant-a:cancel');
    expect(keys.mcpServers).toBe('tenant-a:mcp:servers');
    expect(keys.runExpiring(run)).not.toContain(keys.runLease(run));
  });

  it('defaults to codex:', () => {
    expect(DEFAULT_REDIS_PREFIX).toBe('codex:');
    expect(createRedisKeys().announce).toBe('codex:runs:announce');
  });

  it('rejects a prefix that would break the hash tag, naming the setting', () => {
    const attempt = () => createRedisKeys('bad{prefix}:');
    expect(attempt).toThrow(RedisConfigurationError);
    expect(attempt).toThrow(/CODY_REDIS_PREFIX/);
    try {
      attempt();
    } catch (error) {
      expect(CodyError.isInstance(error) && error.code).toBe('CONFIGURATION_ERROR');
    }
    expect(() => createRedisKeys('')).toThrow(/must not be empty/);
  });
});

describe('compareStreamIds', () => {
  it('orders ids numerically, not as text', () => {
    expect(compareStreamIds('9-0', '10-0')).toBe(-1);
    expect(compareStreamIds('10-2', '10-10')).toBe(-1);
    expect(compareStreamIds('10-10', '10-10')).toBe(0);
    expect(compareStreamIds('1700000000001-0', '1700000000000-99')).toBe(1);
    expect(compareStreamIds('0-0', '1-0')).toBe(-1);
    expect(compareStreamIds('5-18446744073709551615', '5-18446744073709551614')).toBe(1);
  });
});

describe('reconnectBackoff', () => {
  it('grows from ~50 ms and stays under the cap', () => {
    expect(reconnectBackoff(1)).toBeLessThanOrEqual(60);
    for (let attempt = 1; attempt < 100; attempt++)
      expect(reconnectBackoff(attempt, 2000)).toBeLessThanOrEqual(2400);
    expect(reconnectBackoff(40, 2000)).toBeGreaterThanOrEqual(1600);
  });
});
