export { deniedCallOutput, needsApproval } from './approval-policy';
export {
  CANCELLED_CALL_OUTPUT,
  cancelOpenItemEvents,
  failedCallOutputEvents,
  unansweredCalls,
} from './cancel-events';
export { type HandoverRecord, HandoverRecordSchema, parseHandoverRecord } from './handover-record';
export {
  type CancelOutcome,
  type ResumeRunInput,
  RunDriver,
  type RunDriverOptions,
  type StartRunInput,
} from './run-driver';
export { type ApprovalGate, type AwaitToolOutputsOptions, awaitToolOutputs } from './tool-output-waiter';
