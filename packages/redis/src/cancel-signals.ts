import { closeConnection } from './close-connection';
import type { RedisKeys } from './create-redis-keys';
import { RedisCommandError } from './errors/redis-command-error';
import { type Logger, silentLogger } from './logger';
import type { RedisClient } from './redis-client';

/** The flag outlives any run; `expireRun` shortens it once the run is persisted. */
const CANCEL_FLAG_TTL_SECONDS = 24 * 3600;

export type CancelListener = (runId: string) => void;

/**
 * Cancel requests, from any process: a durable flag `<p>run:{id}:cancel` (read it when
 * starting work or after a reconnect: pub/sub drops messages while disconnected) plus a
 * message for instant delivery to `onCancel` listeners. One subscriber connection per
 * instance (on a cluster: one per master), opened with the first listener.
 *
 * Single node: flag and PUBLISH on `<p>cancel` in one MULTI. Cluster: a PUBLISH would be
 * broadcast to every node, so the message goes by SPUBLISH to one of a fixed number of shard
 * channels `<p>cancel:{c<k>}` (k from the run id), which only the node owning that slot
 * relays. A fixed set, not a channel per run, because listeners hear every run's cancels:
 * each process SSUBSCRIBEs the 16 channels once instead of once per run it drives. The flag
 * and the channel are in different slots, so there they are two commands, flag first: a
 * listener that checks the flag on the message finds it.
 */
export class CancelSignals {
  private subscriber: RedisClient | undefined;
  private readonly listeners = new Set<CancelListener>();

  /** `sharded`: the Redis is a cluster (SPUBLISH / SSUBSCRIBE on the shard channels). */
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly connect: (name: string) => RedisClient,
    private readonly logger: Logger = silentLogger,
    private readonly sharded = false,
  ) {}

  /** Marks the run cancelled and tells every listening process. */
  async request(runId: string): Promise<void> {
    try {
      if (this.sharded) {
        await this.redis.set(this.keys.runCancel(runId), String(Date.now()), 'EX', CANCEL_FLAG_TTL_SECONDS);
        await this.redis.spublish(this.keys.cancelShardChannel(runId), runId);
        return;
      }
      await this.redis
        .multi()
        .set(this.keys.runCancel(runId), String(Date.now()), 'EX', CANCEL_FLAG_TTL_SECONDS)
        .publish(this.keys.cancelChannel, runId)
        .exec();
    } catch (error) {
      throw new RedisCommandError('cancel', error);
    }
  }

  async isRequested(runId: string): Promise<boolean> {
    try {
      return (await this.redis.exists(this.keys.runCancel(runId))) === 1;
    } catch (error) {
      throw new RedisCommandError('EXISTS cancel', error);
    }
  }

  /** Calls `listener` with the run id of every cancel requested from now on; returns the unsubscribe. */
  onCancel(listener: CancelListener): () => void {
    this.listeners.add(listener);
    this.ensureSubscriber();
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) await closeConnection(subscriber);
  }

  private ensureSubscriber(): void {
    if (this.subscriber) return;
    const subscriber = this.connect(`cody:cancel:${process.pid}`);
    this.subscriber = subscriber;
    const channels = new Set(this.sharded ? this.keys.cancelShardChannels : [this.keys.cancelChannel]);
    subscriber.on(this.sharded ? 'smessage' : 'message', (channel: string, runId: string) => {
      if (!channels.has(channel)) return;
      for (const listener of this.listeners) {
        try {
          listener(runId);
        } catch (error) {
          this.logger.error({ err: error, run_id: runId }, 'cancel listener threw');
        }
      }
    });
    // ioredis subscribes again by itself after a reconnect (a cluster: after a slot change too)
    const subscribed = this.sharded
      ? // one SSUBSCRIBE per channel: each is in its own slot
        Promise.all([...channels].map((channel) => subscriber.ssubscribe(channel)))
      : subscriber.subscribe(this.keys.cancelChannel);
    subscribed.catch((error: unknown) => {
      this.logger.error({ err: error }, 'cancel subscription failed');
    });
  }
}
