import type { Thread } from '@cody/schema';
import type { ApiClient } from './api-client';
import { type ApiError, toApiError } from './api-error';
import { createValueStore, type ValueStore } from './value-store';

export interface ThreadListState {
  readonly phase: 'idle' | 'loading' | 'ready' | 'error';
  readonly threads: readonly Thread[];
  readonly nextCursor: string | null;
  readonly loadingMore: boolean;
  readonly error: ApiError | undefined;
}

export interface ThreadList {
  readonly state: ValueStore<ThreadListState>;
  /** Reloads the first page (pagination restarts). */
  refresh(): Promise<void>;
  loadMore(): Promise<void>;
  create(title?: string): Promise<Thread>;
  rename(id: string, title: string): Promise<Thread>;
  remove(id: string): Promise<void>;
}

/** The sidebar's threads: cursor pagination and CRUD, framework-free. */
export function createThreadList(api: ApiClient, pageSize = 30): ThreadList {
  const state = createValueStore<ThreadListState>({
    phase: 'idle',
    threads: [],
    nextCursor: null,
    loadingMore: false,
    error: undefined,
  });
  let generation = 0;

  return {
    state,
    async refresh() {
      const mine = ++generation;
      state.update((s) => ({ ...s, phase: s.threads.length > 0 ? s.phase : 'loading', error: undefined }));
      try {
        const page = await api.listThreads({ limit: pageSize });
        if (mine !== generation) return;
        state.set({
          phase: 'ready',
          threads: page.threads,
          nextCursor: page.nextCursor ?? null,
          loadingMore: false,
          error: undefined,
        });
      } catch (error) {
        if (mine !== generation) return;
        state.update((s) => ({ ...s, phase: 'error', loadingMore: false, error: toApiError(error) }));
      }
    },
    async loadMore() {
      const { nextCursor, loadingMore } = state.getSnapshot();
      if (!nextCursor || loadingMore) return;
      const mine = generation;
      state.update((s) => ({ ...s, loadingMore: true, error: undefined }));
      try {
        const page = await api.listThreads({ limit: pageSize, cursor: nextCursor });
        if (mine !== generation) return;
        state.update((s) => {
          const known = new Set(s.threads.map((thread) => thread.id));
          return {
            ...s,
            threads: [...s.threads, ...page.threads.filter((thread) => !known.has(thread.id))],
            nextCursor: page.nextCursor ?? null,
            loadingMore: false,
          };
        });
      } catch (error) {
        if (mine !== generation) return;
        state.update((s) => ({ ...s, loadingMore: false, error: toApiError(error) }));
      }
    },
    async create(title) {
      const thread = await api.createThread(title);
      state.update((s) => ({
        ...s,
        phase: 'ready',
        threads: [thread, ...s.threads.filter((t) => t.id !== thread.id)],
      }));
      return thread;
    },
    async rename(id, title) {
      const thread = await api.renameThread(id, title);
      state.update((s) => ({ ...s, threads: s.threads.map((t) => (t.id === id ? thread : t)) }));
      return thread;
    },
    async remove(id) {
      await api.deleteThread(id);
      state.update((s) => ({ ...s, threads: s.threads.filter((t) => t.id !== id) }));
    },
  };
}
