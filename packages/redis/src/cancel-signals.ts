import type { Redis } from 'ioredis';
import { closeConnection } from './close-connection';
import type { RedisKeys } from './create-redis-keys';
import { RedisCommandError } from './errors/redis-command-error';
import { type Logger, silentLogger } from './logger';

/** The flag outlives any run; `expireRun` shortens it once the run is persisted. */
const CANCEL_FLAG_TTL_SECONDS = 24 * 3600;

export type CancelListener = (runId: string) => void;

/**
 * Cancel requests, from any process: a durable flag `<p>run:{id}:cancel` (read it when
 * starting work or after a reconnect: pub/sub drops messages while disconnected) plus a
 * message on `<p>cancel` for instant delivery to `onCancel` listeners. One subscriber
 * connection per instance, opened with the first listener.
 */
export class CancelSignals {
  private subscriber: Redis | undefined;
  private readonly listeners = new Set<CancelListener>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly connect: (name: string) => Redis,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Marks the run cancelled and tells every listening process. */
  async request(runId: string): Promise<void> {
    try {
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
    subscriber.on('message', (channel: string, runId: string) => {
      if (channel !== this.keys.cancelChannel) return;
      for (const listener of this.listeners) {
        try {
          listener(runId);
        } catch (error) {
          this.logger.error({ err: error, run_id: runId }, 'cancel listener threw');
        }
      }
    });
    // ioredis subscribes again by itself after a reconnect
    subscriber.subscribe(this.keys.cancelChannel).catch((error: unknown) => {
      this.logger.error({ err: error }, 'cancel subscription failed');
    });
  }
}
