import { isTerminalStatus, type Response as RunResponse, type Thread } from '@cody/schema';
import type { ApiClient } from './api-client';
import { type ApiError, toApiError } from './api-error';
import type { SubmitInput, SubmitResult } from './api-types';
import { createRunSession, type RunSession, type RunStreamTuning } from './run-session';
import { createValueStore, type ValueStore } from './value-store';

export interface ConversationState {
  /** `new`: no thread yet (the first submit creates one). */
  readonly phase: 'new' | 'loading' | 'ready' | 'error';
  readonly threadId: string | undefined;
  readonly thread: Thread | undefined;
  /** The thread's runs in order, each with its own hydrator and stream. */
  readonly runs: readonly RunSession[];
  /** Why the thread could not be loaded. */
  readonly error: ApiError | undefined;
  /** Runs another run replaced (retry, regenerate, edit): kept by the server, not shown. */
  readonly replaced: ReadonlySet<string>;
}

export interface Conversation {
  readonly state: ValueStore<ConversationState>;
  /** The thread shown; set by the first submit of a new conversation. */
  readonly threadId: string | undefined;
  /** Loads the thread (once) and follows its live runs. */
  activate(): void;
  /** Stops network activity; `activate` resumes every live run where it stopped. */
  deactivate(): void;
  reload(): Promise<void>;
  /**
   * Sends a prompt as the next turn (or, with `replacesRunId`, as a new run of a finished one);
   * throws an ApiError when the server refuses it.
   */
  submit(input: Omit<SubmitInput, 'threadId'>): Promise<SubmitResult>;
  /** Asks the server to stop a run; the stream then ends with the run `aborted`. */
  cancel(runId: string): Promise<void>;
  dispose(): void;
}

/** A thread on screen: loads its history and follows its live runs (framework-free). */
export function createConversation(
  api: ApiClient,
  initialThreadId: string | undefined,
  tuning?: RunStreamTuning,
): Conversation {
  let threadId = initialThreadId;
  let active = false;
  let loaded = threadId === undefined;
  let loading: AbortController | undefined;
  const fallbacks = new Map<string, RunResponse>();
  const state = createValueStore<ConversationState>({
    phase: threadId === undefined ? 'new' : 'loading',
    threadId,
    thread: undefined,
    runs: [],
    error: undefined,
    replaced: new Set(),
  });

  const newSession = (runId: string, streamUrl?: string, prompt?: string) =>
    createRunSession({
      runId,
      streamUrl: api.streamUrl(runId, streamUrl),
      headers: api.authHeaders,
      ...(prompt === undefined ? {} : { prompt }),
      ...(tuning ? { stream: tuning } : {}),
    });

  const followLive = () => {
    for (const session of state.getSnapshot().runs) {
      if (!session.isDone()) session.follow(fallbacks.get(session.runId));
    }
  };

  async function reload(): Promise<void> {
    if (threadId === undefined) return;
    loading?.abort();
    const controller = new AbortController();
    loading = controller;
    state.update((current) => ({ ...current, phase: 'loading', error: undefined }));
    let result: Awaited<ReturnType<ApiClient['getThread']>>;
    try {
      result = await api.getThread(threadId, controller.signal);
    } catch (error) {
      if (loading !== controller) return;
      loading = undefined;
      state.update((current) => ({ ...current, phase: 'error', error: toApiError(error) }));
      return;
    }
    if (loading !== controller) return;
    loading = undefined;
    loaded = true;

    const current = state.getSnapshot().runs;
    const byId = new Map(current.map((session) => [session.runId, session]));
    const listed = new Set(result.runs.map((run) => run.id));
    const runs: RunSession[] = result.runs.map((run) => {
      const existing = byId.get(run.id);
      if (existing) return existing;
      const session = newSession(run.id);
      if (isTerminalStatus(run.status)) session.load(run);
      // a live run replays from the start of its stream: same path as a fresh one
      else fallbacks.set(run.id, run);
      return session;
    });
    // runs submitted here that the server's list does not show yet stay at the end
    for (const session of current) if (!listed.has(session.runId)) runs.push(session);
    const replaced = new Set(state.getSnapshot().replaced);
    for (const run of result.runs) if (run.replaces_run_id) replaced.add(run.replaces_run_id);
    state.set({ phase: 'ready', threadId, thread: result.thread, runs, error: undefined, replaced });
    if (active) followLive();
  }

  const deactivate = () => {
    active = false;
    loading?.abort();
    loading = undefined;
    for (const session of state.getSnapshot().runs) session.pause();
  };

  return {
    state,
    get threadId() {
      return threadId;
    },
    activate() {
      if (active) return;
      active = true;
      if (!loaded && !loading) void reload();
      followLive();
    },
    deactivate,
    reload,
    async submit(input) {
      const wasNew = threadId === undefined;
      const result = await api.submit(threadId === undefined ? input : { ...input, threadId });
      if (threadId === undefined) threadId = result.threadId;
      loaded = true;
      const session = newSession(result.runId, result.streamUrl, input.prompt);
      state.update((current) => ({
        ...current,
        phase: current.phase === 'new' ? 'ready' : current.phase,
        threadId,
        runs: [...current.runs, session],
        replaced: input.replacesRunId
          ? new Set([...current.replaced, input.replacesRunId])
          : current.replaced,
      }));
      if (active) session.follow();
      // a new thread: fetch its record (title, dates) in the background
      if (wasNew) void reload();
      return result;
    },
    async cancel(runId) {
      await api.cancelRun(runId);
    },
    dispose() {
      deactivate();
      for (const session of state.getSnapshot().runs) session.dispose();
    },
  };
}
