import type { ResponseStatus, Response as RunResponse } from '@cody/schema';
import { formatUsage } from '../lib/format-usage';
import type { RunStreamState } from '../lib/run-stream';
import { CopyButton } from './copy-button';
import { RelativeTime } from './relative-time';
import { type BadgeTone, StatusBadge } from './status-badge';

const STATUS: Record<ResponseStatus, [string, BadgeTone]> = {
  queued: ['Queued', 'neutral'],
  in_progress: ['Streaming', 'busy'],
  complete: ['Complete', 'success'],
  error: ['Failed', 'failure'],
  aborted: ['Stopped', 'warning'],
};

const FINISH_NOTES: Record<string, string> = {
  length: 'The answer hit the output token limit.',
  content_filter: "The provider's content filter stopped the answer.",
};

export interface RunFooterProps {
  status: ResponseStatus;
  done: boolean;
  response: RunResponse | undefined;
  connection: RunStreamState | undefined;
  /** The run was answered by the bundled test LLM. */
  testModel: boolean;
  onReconnect: () => void;
  /** The run's answer text, for "Copy"; undefined when there is none. */
  answer: (() => string) | undefined;
  /** Retry (failed or stopped) / Regenerate (complete); undefined when not offered. */
  onReplace: (() => void) | undefined;
}

/** Status, model, token usage and the live connection of a run. */
export function RunFooter({
  status,
  done,
  response,
  connection,
  testModel,
  onReconnect,
  answer,
  onReplace,
}: RunFooterProps) {
  const [label, tone] = STATUS[status];
  const note = response?.finish_reason ? FINISH_NOTES[response.finish_reason] : undefined;
  return (
    <footer className="run-meta">
      <StatusBadge tone={tone}>{label}</StatusBadge>
      {response ? <RelativeTime className="run-time" timestamp={response.created_at} /> : null}
      {testModel ? (
        <span
          className="badge badge-neutral run-test-model"
          title="Answered by the bundled test LLM (npm run demo)"
        >
          Test model — no API key used
        </span>
      ) : null}
      {response ? (
        <span className="run-model">
          {response.provider_id} · {response.model_id}
        </span>
      ) : null}
      {response?.replaces_run_id ? <span className="run-note">Replaces an earlier attempt</span> : null}
      {response?.usage ? (
        <span className="run-usage" data-total-tokens={response.usage.total_tokens}>
          {formatUsage(response.usage)}
        </span>
      ) : null}
      {note ? <span className="run-note">{note}</span> : null}
      {!done && connection?.status === 'reconnecting' ? (
        <span className="run-connection" role="status">
          Connection lost, reconnecting{connection.attempt > 1 ? ` (attempt ${connection.attempt})` : ''}…
        </span>
      ) : null}
      {!done && (connection?.status === 'failed' || connection?.status === 'closed') ? (
        <span className="run-connection run-connection-failed">
          {connection.status === 'failed'
            ? `Live updates stopped: ${connection.error?.message ?? 'the stream failed'}`
            : 'Live updates paused.'}{' '}
          <button type="button" className="button-small" onClick={onReconnect}>
            Reconnect
          </button>
        </span>
      ) : null}
      {done && (answer || onReplace) ? (
        <span className="run-actions">
          {answer ? <CopyButton text={answer} what="answer" /> : null}
          {onReplace ? (
            <button type="button" className="button-small" onClick={onReplace}>
              {status === 'complete' ? 'Regenerate' : 'Retry'}
            </button>
          ) : null}
        </span>
      ) : null}
    </footer>
  );
}
