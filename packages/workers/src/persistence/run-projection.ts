import type { StreamEntry, TailSubscription } from '@cody/redis';
import { applyEvent, type ReducerState } from '@cody/reducer';
import { isTerminalStatus, type Response, type StreamEvent } from '@cody/schema';

export type ProjectionPhase = 'loading' | 'live' | 'finishing' | 'done';

/** What a persistence worker knows of one run it owns: reducer state, stream cursor, write bookkeeping. */
export class RunProjection {
  readonly runId: string;
  /** The announce entry that makes this worker the run's owner (pending for it until acked). */
  entryId: string;
  /** The announce entry said the run had a lease: the watchdog watches it from the start. */
  readonly hadLease: boolean;
  /** The lease was seen alive at least once. */
  leaseSeen = false;
  /** Since when (performance.now) the watchdog has seen the lease missing, in unbroken looks. */
  leaseMissingSince: number | undefined;
  phase: ProjectionPhase = 'loading';
  state: ReducerState | undefined;
  /** Id of the last stream entry reduced into `state`. */
  cursor = '0-0';
  /** Id of the first stream entry reduced (a live stream keeps it: it is never trimmed). */
  firstId: string | undefined;
  /** The last event applied (its trace context parents the persistence spans). */
  lastEvent: StreamEvent | undefined;
  /** Stream id the stored snapshot reflects, as far as this worker knows. */
  storedId: string | null = null;
  eventsSinceWrite = 0;
  /** An item finished since the last write: the next write is due soon. */
  itemFinished = false;
  writes = 0;
  lastWriteAt = 0;
  /** How long the last snapshot write took (ms). */
  lastWriteMs = 0;
  /** When (epoch ms) the planned write fires. */
  timerDue = 0;
  failures = 0;
  timer: NodeJS.Timeout | undefined;
  writing: Promise<unknown> | undefined;
  subscription: TailSubscription | undefined;

  constructor(runId: string, entryId: string, hadLease: boolean) {
    this.runId = runId;
    this.entryId = entryId;
    this.hadLease = hadLease;
  }

  get response(): Response | undefined {
    return this.state?.response;
  }

  /** The run reached complete, error or aborted. */
  get terminal(): boolean {
    const response = this.state?.response;
    return response !== undefined && isTerminalStatus(response.status);
  }

  /** The stream broke before any response_start: there is no Response to store, ever. */
  get unusable(): boolean {
    return this.state !== undefined && this.state.response === undefined && this.state.halted;
  }

  apply(entries: readonly StreamEntry[]): void {
    let state = this.state;
    if (this.firstId === undefined && this.cursor === '0-0') this.firstId = entries[0]?.id;
    for (const entry of entries) {
      state = applyEvent(state, entry.event);
      this.cursor = entry.id;
      if (typeof entry.event === 'object' && entry.event !== null) {
        this.lastEvent = entry.event;
        if (entry.event.type === 'item_done') this.itemFinished = true;
      }
    }
    this.eventsSinceWrite += entries.length;
    this.state = state;
  }

  stopReading(): void {
    this.subscription?.close();
    this.subscription = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
