import type { ApiClient } from './api-client';
import type { Colours } from './colours';
import type { Output } from './terminal-renderer';

/** What every command gets: the API client, the output streams and the environment. */
export interface CliContext {
  client: ApiClient;
  out: Output;
  err: Output;
  colours: Colours;
  env: Record<string, string | undefined>;
  /** Aborted on the second Ctrl-C, or when the caller gives up. */
  signal: AbortSignal;
  /** Registers what the first Ctrl-C does (cancel the run, say); returns the unregister. */
  onInterrupt(handler: () => void): () => void;
  /** Asks a question on the terminal and resolves with the answer; absent when stdin is no terminal. */
  ask?: (question: string) => Promise<string>;
}
