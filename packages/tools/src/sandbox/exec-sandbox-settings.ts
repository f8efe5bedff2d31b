/** How exec confines commands (`CODY_EXEC_SANDBOX`, `CODY_EXEC_NETWORK`; see loadToolConfig). */
export interface ExecSandboxSettings {
  /** `bwrap`: every command runs inside bubblewrap; `off`: unconfined (a person chose it). */
  mode: 'bwrap' | 'off';
  /** Whether a sandboxed command may use the network; default false (only its own loopback). */
  network: boolean;
  /** The bubblewrap binary; default the first `bwrap` on PATH, else /usr/bin/bwrap. */
  bwrapPath?: string;
}

export const DEFAULT_EXEC_SANDBOX_SETTINGS: Readonly<ExecSandboxSettings> = Object.freeze({
  mode: 'bwrap',
  network: false,
});
