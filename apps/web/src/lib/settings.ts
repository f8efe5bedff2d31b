import type { ReasoningEffort } from './api-types';

/** What the user chose and the app remembers in localStorage. */
export interface Settings {
  /** Bearer token for a server started with CODY_API_TOKEN; empty when none. */
  apiToken: string;
  providerId: string | undefined;
  model: string | undefined;
  reasoning: ReasoningEffort;
  /** Ask before a command, an edit or a script runs (submits `approval: ask-mutating`); on by default. */
  askBeforeTools: boolean;
}

const KEY = 'cody.settings.v1';
const EFFORTS: readonly ReasoningEffort[] = ['default', 'minimal', 'low', 'medium', 'high'];

export const DEFAULT_SETTINGS: Settings = {
  apiToken: '',
  providerId: undefined,
  model: undefined,
  reasoning: 'default',
  askBeforeTools: true,
};

/** Reads settings, tolerating missing storage (private mode) and old or broken values. */
export function readSettings(storage: Pick<Storage, 'getItem'> | undefined = safeStorage()): Settings {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return DEFAULT_SETTINGS;
    const value = JSON.parse(raw) as Partial<Record<keyof Settings, unknown>>;
    return {
      apiToken: typeof value.apiToken === 'string' ? value.apiToken : '',
      providerId: typeof value.providerId === 'string' ? value.providerId : undefined,
      model: typeof value.model === 'string' ? value.model : undefined,
      reasoning: EFFORTS.includes(value.reasoning as ReasoningEffort)
        ? (value.reasoning as ReasoningEffort)
        : 'default',
      askBeforeTools: typeof value.askBeforeTools === 'boolean' ? value.askBeforeTools : true,
    };
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export function writeSettings(
  settings: Settings,
  storage: Pick<Storage, 'setItem'> | undefined = safeStorage(),
) {
  try {
    storage?.setItem(KEY, JSON.stringify(settings));
  } catch {
    // storage full or disabled: settings last for this page only
  }
}

function safeStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}
