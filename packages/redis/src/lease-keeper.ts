import { LeaseLostError } from './errors/lease-lost-error';
import { type Logger, silentLogger } from './logger';
import { DEFAULT_LEASE_TTL_MS, type RunLeases } from './run-leases';

export interface LeaseKeeperOptions {
  ttlMs?: number;
  /** Renewal period; default 1000 ms (a third of the TTL). */
  intervalMs?: number;
  logger?: Logger;
}

/**
 * Renews a held lease every `intervalMs` until stopped. When a renewal finds the lease gone
 * or taken, `signal` aborts with a LeaseLostError: the driver must stop, the run is no longer
 * its own. A failed renewal (Redis unreachable) is retried on the next tick.
 */
export class LeaseKeeper {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private renewing = false;
  private stopped = false;
  private streamStartId = '';

  constructor(
    private readonly leases: RunLeases,
    readonly runId: string,
    readonly owner: string,
    private readonly options: LeaseKeeperOptions = {},
  ) {
    this.timer = setInterval(() => void this.renew(), options.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Aborts (reason: LeaseLostError) when the lease was lost. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Names the run's first stream entry (its response_start, as the owner wrote it): a lease that
   * lapsed is taken back only while the stream still starts with it.
   */
  anchorStream(firstEntryId: string): void {
    this.streamStartId = firstEntryId;
  }

  /** Stops renewing; releases the lease unless `release` is false. */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    if (options.release !== false && !this.controller.signal.aborted) {
      await this.leases.release(this.runId, this.owner).catch((error: unknown) => {
        (this.options.logger ?? silentLogger).warn(
          { err: error, run_id: this.runId },
          'lease release failed',
        );
      });
    }
  }

  private async renew(): Promise<void> {
    if (this.renewing || this.stopped) return;
    this.renewing = true;
    try {
      const held = await this.leases.renew(
        this.runId,
        this.owner,
        this.options.ttlMs ?? DEFAULT_LEASE_TTL_MS,
        this.streamStartId,
      );
      if (!held && !this.stopped) {
        clearInterval(this.timer);
        this.stopped = true;
        this.controller.abort(new LeaseLostError(this.runId, this.owner));
      }
    } catch (error) {
      (this.options.logger ?? silentLogger).warn(
        { err: error, run_id: this.runId },
        'lease renewal failed; retrying',
      );
    } finally {
      this.renewing = false;
    }
  }
}
