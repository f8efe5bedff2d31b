import { CodyError, ERROR_CODES } from '@cody/schema';

export interface SseCapacityLimits {
  /** Open streams this process serves at once. */
  total: number;
  /** Open streams of one run. */
  perRun: number;
}

/**
 * Counts this process's open SSE streams, in all and per run, so a crowd of viewers cannot
 * take the event loop the run's driver and lease renewal share. `acquire` either hands out a
 * slot (release it when the stream ends) or throws SSE_CAPACITY_REACHED.
 */
export class SseCapacity {
  private total = 0;
  private readonly byRun = new Map<string, number>();

  constructor(private readonly limits: SseCapacityLimits) {}

  acquire(runId: string): () => void {
    const forRun = this.byRun.get(runId) ?? 0;
    if (this.total >= this.limits.total) {
      throw capacityError(`this server already serves ${this.limits.total} streams; retry shortly`);
    }
    if (forRun >= this.limits.perRun) {
      throw capacityError(
        `run ${runId} already has ${this.limits.perRun} viewers on this server; retry shortly`,
      );
    }
    this.total++;
    this.byRun.set(runId, forRun + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byRun.get(runId) ?? 1) - 1;
      if (left === 0) this.byRun.delete(runId);
      else this.byRun.set(runId, left);
    };
  }

  /** Open streams of one run in this process. */
  viewers(runId: string): number {
    return this.byRun.get(runId) ?? 0;
  }

  stats(): { total: number; runs: number } {
    return { total: this.total, runs: this.byRun.size };
  }
}

function capacityError(message: string): CodyError {
  return new CodyError(ERROR_CODES.SSE_CAPACITY_REACHED, message, { isRetryable: true });
}
