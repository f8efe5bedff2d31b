import type { OutputItem, Response } from '@cody/schema';

/**
 * The items a new turn sends to the provider as the conversation so far: the thread's finished
 * runs in order, leaving out every run another run replaced (retry, regenerate, edit). When the
 * new run replaces `replacesRunId`, only runs created before that one count, so the replaced
 * turn and whatever came after it are not part of the conversation the replacement continues.
 */
export function selectHistory(runs: readonly Response[], replacesRunId?: string): OutputItem[] {
  const replaced = new Set(runs.flatMap((run) => (run.replaces_run_id ? [run.replaces_run_id] : [])));
  const cutoff = replacesRunId ? runs.findIndex((run) => run.id === replacesRunId) : -1;
  const considered = cutoff === -1 ? runs : runs.slice(0, cutoff);
  return considered
    .filter((run) => run.status !== 'in_progress' && run.status !== 'queued' && !replaced.has(run.id))
    .flatMap((run) => run.output_items);
}
