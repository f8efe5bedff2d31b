import type {
  ErrorItem,
  FunctionCallItem,
  FunctionCallOutputItem,
  MessageItem,
  OutputItem,
  ReasoningItem,
  ScriptExecutionItem,
  ScriptExecutionOutputItem,
} from '@cody/schema';

/** One card of a run: an item, or a call rendered together with its output. */
export type RenderEntry =
  | { kind: 'message'; key: string; item: MessageItem }
  | { kind: 'reasoning'; key: string; item: ReasoningItem }
  /** `call` is undefined for an output whose call is not in this run. */
  | {
      kind: 'tool';
      key: string;
      call: FunctionCallItem | undefined;
      output: FunctionCallOutputItem | undefined;
    }
  | {
      kind: 'script';
      key: string;
      script: ScriptExecutionItem | undefined;
      output: ScriptExecutionOutputItem | undefined;
    }
  | { kind: 'error'; key: string; item: ErrorItem };

/**
 * Groups a run's items into cards in output order: each `function_call_output` joins the
 * earliest unanswered `function_call` with its `call_id`, each `script_execution_output` joins
 * its `script_execution` (by `script_id`). Outputs without a partner get a card of their own.
 * Linear in the number of items; entries hold the reducer's item objects unchanged, so
 * memoized cards skip re-rendering when their items did not change.
 */
export function pairItems(items: readonly OutputItem[]): RenderEntry[] {
  const entries: RenderEntry[] = [];
  const unansweredCalls = new Map<string, number[]>();
  const scripts = new Map<string, number>();

  for (const item of items) {
    switch (item.type) {
      case 'message':
      case 'reasoning':
      case 'error':
        entries.push({ kind: item.type, key: item.id, item } as RenderEntry);
        break;
      case 'function_call': {
        const queue = unansweredCalls.get(item.call_id);
        if (queue) queue.push(entries.length);
        else unansweredCalls.set(item.call_id, [entries.length]);
        entries.push({ kind: 'tool', key: item.id, call: item, output: undefined });
        break;
      }
      case 'function_call_output': {
        const index = unansweredCalls.get(item.call_id)?.shift();
        const entry = index === undefined ? undefined : entries[index];
        if (entry?.kind === 'tool') entries[index as number] = { ...entry, output: item };
        else entries.push({ kind: 'tool', key: item.id, call: undefined, output: item });
        break;
      }
      case 'script_execution':
        scripts.set(item.id, entries.length);
        entries.push({ kind: 'script', key: item.id, script: item, output: undefined });
        break;
      case 'script_execution_output': {
        const index = scripts.get(item.script_id);
        const entry = index === undefined ? undefined : entries[index];
        if (entry?.kind === 'script' && entry.output === undefined) {
          entries[index as number] = { ...entry, output: item };
        } else {
          entries.push({ kind: 'script', key: item.id, script: undefined, output: item });
        }
        break;
      }
    }
  }
  return entries;
}
