import { type FormEvent, useContext, useId, useState } from 'react';
import type { ApiError } from '../lib/api-error';
import { type ApprovalDecision, DecideApprovalContext } from '../lib/approval-context';
import { ErrorBanner } from './error-banner';

export interface ApprovalPanelProps {
  runId: string;
  callId: string;
  /** The tool's name, for the buttons' accessible names. */
  tool: string;
  /** When the call is denied if nobody decides (epoch ms). */
  expiresAt: number | undefined;
}

/**
 * Approve or Deny for a call that waits for the person; Deny takes an optional reason, which the
 * model reads. Plain buttons and a text field: reachable and usable from the keyboard.
 */
export function ApprovalPanel({ runId, callId, tool, expiresAt }: ApprovalPanelProps) {
  const decide = useContext(DecideApprovalContext);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<ApprovalDecision | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const reasonId = useId();

  const send = async (decision: ApprovalDecision) => {
    if (!decide || busy) return;
    setBusy(decision);
    setError(undefined);
    try {
      const text = reason.trim();
      await decide(runId, callId, decision, decision === 'deny' && text !== '' ? text : undefined);
      // the card changes when approval_decided arrives on the stream
    } catch (caught) {
      setError(caught as ApiError);
      setBusy(undefined);
    }
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void send('deny');
  };

  return (
    <form className="approval-panel" onSubmit={onSubmit} aria-label={`Approve or deny ${tool}`}>
      <p className="approval-question">
        Cody wants to run <strong>{tool}</strong>. Allow it?
        {expiresAt ? (
          <span className="muted"> Denied automatically at {new Date(expiresAt).toLocaleTimeString()}.</span>
        ) : null}
      </p>
      {error ? <ErrorBanner code={error.code} message={error.message} live /> : null}
      <div className="approval-actions">
        <button
          type="button"
          className="button-primary"
          onClick={() => void send('approve')}
          disabled={busy !== undefined}
        >
          {busy === 'approve' ? 'Approving…' : 'Approve'}
        </button>
        <label htmlFor={reasonId} className="visually-hidden">
          Reason for denying (optional)
        </label>
        <input
          id={reasonId}
          className="approval-reason"
          type="text"
          maxLength={2000}
          placeholder="Reason (optional)"
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          disabled={busy !== undefined}
        />
        <button type="submit" className="button-secondary" disabled={busy !== undefined}>
          {busy === 'deny' ? 'Denying…' : 'Deny'}
        </button>
      </div>
    </form>
  );
}
