import type { ApprovalMode, Response as RunResponse, Thread } from '@cody/schema';

/** Reasoning effort the composer offers; `default` sends none and leaves the choice to the server. */
export type ReasoningEffort = 'default' | 'minimal' | 'low' | 'medium' | 'high';

export interface SubmitInput {
  prompt: string;
  providerId?: string;
  model?: string;
  threadId?: string;
  reasoning?: Exclude<ReasoningEffort, 'default'>;
  /** Retry, regenerate or edit: the finished run the new one replaces. */
  replacesRunId?: string;
  /** When the server asks before a tool call runs; absent: the server's default. */
  approval?: ApprovalMode;
}

export interface SubmitResult {
  runId: string;
  turnId: string;
  threadId: string;
  streamUrl: string;
}

export interface ThreadPage {
  threads: Thread[];
  nextCursor: string | null;
}

export interface ThreadWithRuns {
  thread: Thread;
  runs: RunResponse[];
}

export interface ModelInfo {
  id: string;
  reasoning: boolean;
  tools: boolean;
}

export interface ProviderInfo {
  id: string;
  configured: boolean;
  /** The provider answers from the bundled test LLM (`npm run demo`): no real model, no key used. */
  testLlm?: boolean;
  models: ModelInfo[];
}

export interface ServerConfig {
  providers: ProviderInfo[];
  defaultProvider?: string;
  defaultModel?: string;
}
