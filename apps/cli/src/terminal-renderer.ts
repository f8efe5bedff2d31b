import type { HydratorSnapshot } from '@cody/reducer';
import type { OutputItem, Response, StreamEvent } from '@cody/schema';
import type { Colours } from './colours';

export interface Output {
  write(text: string): unknown;
}

/** Longest tool output or script result shown; the stored run keeps all of it. */
const MAX_SHOWN = 2000;

/**
 * Writes a run as it streams: the agent's answer to `out` as it arrives (so `cody run … > file`
 * captures just the answer), everything else to `err` — thinking dimmed, tool calls with their
 * arguments and results, errors and the final status.
 */
export class TerminalRenderer {
  private readonly written = new Map<string, number>();
  private lastTarget: Output | undefined;
  private lineOpen = false;

  constructor(
    private readonly out: Output,
    private readonly err: Output,
    private readonly c: Colours,
  ) {}

  event(event: StreamEvent, snapshot: HydratorSnapshot): void {
    const item = (id: string) => snapshot.response?.output_items.find((i) => i.id === id);
    const payload = event.payload;
    switch (payload.type) {
      case 'response_start':
        this.line(
          this.err,
          this.c.dim(`run ${payload.response_id} · ${payload.provider_id} ${payload.model_id}`),
        );
        break;
      case 'item_start': {
        const started = item(payload.item_id);
        if (started) this.start(started);
        break;
      }
      case 'item_delta': {
        const target = item(payload.item_id);
        if (target) this.delta(target, payload.delta_content);
        break;
      }
      case 'item_done':
        this.done(payload.final_item);
        break;
      case 'item_error':
        this.line(this.err, this.c.red(`✗ item failed: ${payload.error.code}: ${payload.error.message}`));
        break;
      case 'item_cancelled':
        this.line(this.err, this.c.yellow(`item cancelled: ${payload.reason}`));
        break;
      case 'turn_aborted_by_user':
        this.line(this.err, this.c.yellow(`aborted: ${payload.reason}`));
        break;
      case 'approval_requested':
        this.line(this.err, this.c.yellow(`? ${payload.tool} waits for approval (call ${payload.call_id})`));
        break;
      case 'approval_decided':
        this.line(
          this.err,
          payload.decision === 'approved'
            ? this.c.green(`✓ approved (${payload.decided_by ?? 'user'})`)
            : this.c.red(
                `✗ denied (${payload.decided_by ?? 'user'})${payload.reason ? `: ${payload.reason}` : ''}`,
              ),
        );
        break;
      case 'response_error':
        this.line(this.err, this.c.red(`error ${payload.error.code}: ${payload.error.message}`));
        break;
      case 'response_done':
        if (snapshot.response) this.summary(snapshot.response);
        break;
      default:
        break;
    }
  }

  /** Prints a stored item whole (`cody show`). */
  item(item: OutputItem): void {
    this.start(item);
    this.done(item);
  }

  summary(response: Response): void {
    const usage = response.usage;
    const tokens = usage
      ? ` · ${usage.prompt_tokens} in / ${usage.completion_tokens} out${usage.reasoning_tokens ? ` (${usage.reasoning_tokens} reasoning)` : ''} tokens`
      : '';
    const status =
      response.status === 'complete'
        ? this.c.green(response.status)
        : response.status === 'error'
          ? this.c.red(`${response.status} ${response.error?.code ?? ''}`.trim())
          : this.c.yellow(response.status);
    this.line(this.err, `${status}${this.c.dim(`${tokens} · finish ${response.finish_reason ?? '-'}`)}`);
  }

  private start(item: OutputItem): void {
    this.written.set(item.id, 0);
    switch (item.type) {
      case 'reasoning':
        this.begin(this.err, this.c.dim('thinking: '));
        break;
      case 'message':
        if (item.origin !== 'agent') this.begin(this.err, this.c.dim(`${item.origin}: `));
        else this.begin(this.out, '');
        break;
      case 'function_call':
        this.begin(this.err, this.c.cyan(`→ ${item.name} `));
        break;
      case 'function_call_output':
        this.begin(this.err, this.c.cyan('← '));
        break;
      case 'script_execution':
        this.begin(this.err, this.c.cyan('→ script '));
        break;
      case 'script_execution_output':
        this.begin(this.err, this.c.cyan('← script '));
        break;
      case 'error':
        this.begin(this.err, this.c.red(`error item ${item.code}: `));
        break;
    }
  }

  private delta(item: OutputItem, text: string): void {
    const target = this.targetOf(item);
    const shown = this.written.get(item.id) ?? 0;
    this.written.set(item.id, shown + text.length);
    if (target === this.out) {
      this.write(this.out, text);
      return;
    }
    const room = Math.max(0, MAX_SHOWN - shown);
    const styled = item.type === 'reasoning' ? this.c.dim : (s: string) => s;
    if (room > 0) this.write(target, styled(text.slice(0, room)));
  }

  private done(item: OutputItem): void {
    const shown = this.written.get(item.id) ?? 0;
    const full = contentOf(item);
    // items that arrive whole (tool results, say) or whose deltas were cut short
    if (full.length > shown) this.delta(item, full.slice(shown));
    if (this.targetOf(item) !== this.out && full.length > MAX_SHOWN) {
      this.write(this.err, this.c.dim(` … (${full.length - MAX_SHOWN} more characters)`));
    }
    if (item.type === 'function_call_output' && !item.success) this.write(this.err, this.c.red(' (failed)'));
    if (item.type === 'script_execution_output' && item.error) {
      this.write(this.err, this.c.red(` ${item.error.code}: ${item.error.message}`));
    }
    this.endLine();
    this.written.delete(item.id);
  }

  private targetOf(item: OutputItem): Output {
    return item.type === 'message' && item.origin === 'agent' ? this.out : this.err;
  }

  private begin(target: Output, prefix: string): void {
    if (this.lineOpen && this.lastTarget !== target) this.endLine();
    this.write(target, prefix);
  }

  private line(target: Output, text: string): void {
    this.endLine();
    this.write(target, `${text}\n`);
    this.lineOpen = false;
  }

  private write(target: Output, text: string): void {
    if (text === '') {
      this.lastTarget = target;
      return;
    }
    target.write(text);
    this.lastTarget = target;
    this.lineOpen = !text.endsWith('\n');
  }

  private endLine(): void {
    if (this.lineOpen && this.lastTarget) this.lastTarget.write('\n');
    this.lineOpen = false;
  }
}

function contentOf(item: OutputItem): string {
  switch (item.type) {
    case 'message':
    case 'reasoning':
      return item.content;
    case 'function_call':
      return item.arguments;
    case 'function_call_output':
      return item.output;
    case 'script_execution':
      return item.code;
    case 'script_execution_output':
      return item.result;
    case 'error':
      return item.message;
  }
}
