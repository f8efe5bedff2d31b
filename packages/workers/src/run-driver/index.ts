export {
  CANCELLED_CALL_OUTPUT,
  cancelOpenItemEvents,
  failedCallOutputEvents,
  unansweredCalls,
} from './cancel-events';
export { type CancelOutcome, RunDriver, type RunDriverOptions, type StartRunInput } from './run-driver';
export { type AwaitToolOutputsOptions, awaitToolOutputs } from './tool-output-waiter';
