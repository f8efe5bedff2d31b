// Test support for packages that run their suites on a real Redis Cluster (`@cody/redis/testing`).
export {
  type RedisCluster,
  type RedisClusterNode,
  type RedisClusterOptions,
  startRedisCluster,
} from './redis-cluster';
export { type RedisSentinelSetup, startRedisSentinel } from './redis-sentinel';
