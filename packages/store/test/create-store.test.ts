import { describe, expect, it } from 'vitest';
import { ConvexStore, createStore, RedisStore } from '../src/index';

describe('createStore', () => {
  it('uses Convex when a deployment URL is given', async () => {
    const store = createStore({
      convexUrl: 'https://happy-animal-123.convex.cloud',
      redis: 'redis://127.0.0.1:1',
    });
    expect(store).toBeInstanceOf(ConvexStore);
    expect(store.kind).toBe('convex');
    await store.close();
  });

  it('uses Redis otherwise, under the given prefix', async () => {
    const prefix = `test:store:create:${crypto.randomUUID()}:`;
    const store = createStore({
      convexUrl: '',
      redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      prefix,
    });
    expect(store).toBeInstanceOf(RedisStore);
    expect((store as RedisStore).prefix).toBe(prefix);
    await store.ping();
    await store.close();
  });
});
