/** Which wire protocol a request or recording speaks. */
export type ProviderKind = 'openai' | 'anthropic';

/** The recordings folder of each protocol, under `fixtures/providers/`. */
export const RECORDING_FOLDERS: Record<ProviderKind, string> = {
  openai: 'openai-responses',
  anthropic: 'anthropic-messages',
};
