import type { ResponseStatus, Response as RunResponse } from '@cody/schema';
import { formatUsage } from '../lib/format-usage';
import type { RunStreamState } from '../lib/run-stream';
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
  onRetry: () => void;
}

/** Status, model, token usage and the live connection of a run. */
export function RunFooter({ status, done, response, connection, onRetry }: RunFooterProps) {
  const [label, tone] = STATUS[status];
  const note = response?.finish_reason ? FINISH_NOTES[response.finish_reason] : undefined;
  return (
    <footer className="run-meta">
      <StatusBadge tone={tone}>{label}</StatusBadge>
      {response ? (
        <span className="run-model">
          {response.provider_id} · {response.model_id}
        </span>
      ) : null}
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
          <button type="button" className="button-small" onClick={onRetry}>
            Reconnect
          </button>
        </span>
      ) : null}
    </footer>
  );
}
