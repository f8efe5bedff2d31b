import type { ReasoningEffort, ServerConfig } from '../lib/api-types';
import type { ModelChoice } from '../lib/model-choice';

export interface ModelPickerProps {
  /** Undefined when the server does not list its models: it then uses its defaults. */
  config: ServerConfig | undefined;
  choice: ModelChoice | undefined;
  reasoning: ReasoningEffort;
  disabled: boolean;
  onProvider: (providerId: string) => void;
  onModel: (model: string) => void;
  onReasoning: (effort: ReasoningEffort) => void;
}

const EFFORTS: [ReasoningEffort, string][] = [
  ['default', 'Default'],
  ['minimal', 'Minimal'],
  ['low', 'Low'],
  ['medium', 'Medium'],
  ['high', 'High'],
];

/** Provider, model and reasoning effort for the next turn. */
export function ModelPicker({
  config,
  choice,
  reasoning,
  disabled,
  onProvider,
  onModel,
  onReasoning,
}: ModelPickerProps) {
  const reasoningSupported = choice?.model ? choice.model.reasoning : true;
  return (
    <div className="model-picker">
      {config ? (
        <>
          <label className="field">
            <span className="field-label">Provider</span>
            <select
              value={choice?.provider?.id ?? ''}
              disabled={disabled || !choice?.provider}
              onChange={(event) => onProvider(event.target.value)}
            >
              {choice?.provider ? null : <option value="">None configured</option>}
              {config.providers.map((provider) => (
                <option key={provider.id} value={provider.id} disabled={!provider.configured}>
                  {provider.id}
                  {provider.configured ? '' : ' (no API key)'}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">Model</span>
            <select
              value={choice?.model?.id ?? ''}
              disabled={disabled || !choice?.provider}
              onChange={(event) => onModel(event.target.value)}
            >
              {choice?.provider?.models.map((model) => (
                <option key={model.id} value={model.id}>
                  {model.id}
                </option>
              )) ?? <option value="">—</option>}
            </select>
          </label>
        </>
      ) : (
        <span className="muted model-picker-default">Server's default model</span>
      )}
      <label className="field">
        <span className="field-label">Reasoning effort</span>
        <select
          value={reasoningSupported ? reasoning : 'default'}
          disabled={disabled || !reasoningSupported}
          title={reasoningSupported ? undefined : 'This model does not reason'}
          onChange={(event) => onReasoning(event.target.value as ReasoningEffort)}
        >
          {EFFORTS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
