/**
 * The sandbox exec runs commands in, as found when it was prepared (see prepareExecSandbox):
 * bubblewrap that was probed and works, unconfined because a person set CODY_EXEC_SANDBOX=off,
 * or unavailable — then every exec call fails with SANDBOX_UNAVAILABLE and `reason`.
 */
export type ExecSandbox =
  | { kind: 'bwrap'; bwrapPath: string; version: string; network: boolean }
  | { kind: 'off' }
  | { kind: 'unavailable'; reason: string };
