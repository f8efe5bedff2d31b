import type { ItemStatus } from '@cody/reducer';
import type { ScriptExecutionItem, ScriptExecutionOutputItem } from '@cody/schema';
import { memo } from 'react';
import { formatJson } from '../lib/format-json';
import { OutputBlock } from './output-block';
import { StatusBadge } from './status-badge';

export interface ScriptCardProps {
  script: ScriptExecutionItem | undefined;
  output: ScriptExecutionOutputItem | undefined;
  scriptStatus: ItemStatus | undefined;
  outputStatus: ItemStatus | undefined;
  runDone: boolean;
}

/** A script the model ran in the sandbox: its code, then its result, logs or error. */
export const ScriptCard = memo(function ScriptCard({
  script,
  output,
  scriptStatus,
  outputStatus,
  runDone,
}: ScriptCardProps) {
  const failed = output ? !output.success || outputStatus === 'error' : scriptStatus === 'error';
  const state = output
    ? outputStatus === 'streaming'
      ? 'running'
      : failed
        ? 'failure'
        : 'success'
    : scriptStatus === 'error' || scriptStatus === 'cancelled' || runDone
      ? 'cancelled'
      : 'running';
  const badge =
    state === 'success' ? (
      <StatusBadge tone="success">Succeeded</StatusBadge>
    ) : state === 'failure' ? (
      <StatusBadge tone="failure">Failed</StatusBadge>
    ) : state === 'cancelled' ? (
      <StatusBadge tone="warning">No result</StatusBadge>
    ) : (
      <StatusBadge tone="busy">Running…</StatusBadge>
    );
  return (
    // a labelled <section> would be a landmark per card; <fieldset> is for forms
    // biome-ignore lint/a11y/useSemanticElements: see above
    <div
      role="group"
      className={`card script-card script-card-${state}`}
      data-script-id={script?.id ?? output?.script_id}
      data-call-id={script?.call_id}
      data-status={state}
      aria-label="Script"
    >
      <header className="card-header">
        <span className="card-kind" aria-hidden="true">
          {'</>'}
        </span>
        <h3 className="card-title">Script</h3>
        {badge}
      </header>
      {script ? <OutputBlock label="Code" text={script.code} /> : null}
      {output?.logs && output.logs.length > 0 ? (
        <OutputBlock label="Console" text={output.logs.join('\n')} />
      ) : null}
      {output?.success ? <OutputBlock label="Result" text={formatJson(output.result)} /> : null}
      {output?.error ? (
        <OutputBlock
          label={`Error ${output.error.code}`}
          text={[output.error.message, output.error.stack].filter(Boolean).join('\n\n')}
          tone="error"
        />
      ) : output && !output.success && output.result ? (
        <OutputBlock label="Result" text={formatJson(output.result)} tone="error" />
      ) : null}
    </div>
  );
});
