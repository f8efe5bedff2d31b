import { createContext } from 'react';

export type ApprovalDecision = 'approve' | 'deny';

/** Decides a tool call waiting for approval (`POST /runs/:id/approvals/:callId`); rejects with an ApiError. */
export type DecideApproval = (
  runId: string,
  callId: string,
  decision: ApprovalDecision,
  reason?: string,
) => Promise<void>;

/** Given by the app, so a tool card deep in a run can decide its call without threading props. */
export const DecideApprovalContext = createContext<DecideApproval | undefined>(undefined);
