import type { ItemStatus } from '@cody/reducer';
import { memo, useMemo } from 'react';
import { useStore } from '../hooks/use-store';
import { pairItems, type RenderEntry } from '../lib/pair-items';
import type { RunSession } from '../lib/run-session';
import { ErrorBanner } from './error-banner';
import { MessageView, UserPrompt } from './message-view';
import { ReasoningCard } from './reasoning-card';
import { RunFooter } from './run-footer';
import { ScriptCard } from './script-card';
import { ToolCallCard } from './tool-call-card';

const NO_STATUS: Readonly<Record<string, ItemStatus>> = {};

/** One turn: the prompt and everything the run produced, from a live stream or from history alike. */
export const RunView = memo(function RunView({ session, index }: { session: RunSession; index: number }) {
  const snapshot = useStore(session.view);
  const connection = useStore(session.connection);
  const response = snapshot.response;
  const items = response?.output_items;
  const entries = useMemo(() => pairItems(items ?? []), [items]);
  const itemStatus = snapshot.state?.itemStatus ?? NO_STATUS;
  const error = response?.error ?? snapshot.state?.error;
  const status = response?.status ?? (error ? 'error' : 'queued');
  const hasPrompt =
    items?.some((item) => item.type === 'message' && item.origin === 'user' && item.content !== '') ?? false;

  return (
    <article
      className="run"
      data-run-id={session.runId}
      data-status={status}
      aria-label={`Turn ${index + 1}`}
      aria-busy={!snapshot.done}
    >
      {!hasPrompt && session.prompt !== undefined ? <UserPrompt text={session.prompt} /> : null}
      <div className="run-output">
        {entries.map((entry) => (
          <Entry key={entry.key} entry={entry} itemStatus={itemStatus} runDone={snapshot.done} />
        ))}
        {!snapshot.done &&
        entries.every((entry) => entry.kind === 'message' && entry.item.origin === 'user') ? (
          <p className="run-waiting">
            <span className="dots" aria-hidden="true" />
            {response ? 'Cody is thinking…' : 'Starting…'}
          </p>
        ) : null}
      </div>
      {error ? <ErrorBanner code={error.code} message={error.message} details={error.details} /> : null}
      <RunFooter
        status={status}
        done={snapshot.done}
        response={response}
        connection={connection}
        onRetry={() => session.follow()}
      />
    </article>
  );
});

function Entry({
  entry,
  itemStatus,
  runDone,
}: {
  entry: RenderEntry;
  itemStatus: Readonly<Record<string, ItemStatus>>;
  runDone: boolean;
}) {
  switch (entry.kind) {
    case 'message':
      return <MessageView item={entry.item} status={itemStatus[entry.item.id]} />;
    case 'reasoning':
      return <ReasoningCard item={entry.item} status={itemStatus[entry.item.id]} />;
    case 'tool':
      return (
        <ToolCallCard
          call={entry.call}
          output={entry.output}
          callStatus={entry.call ? itemStatus[entry.call.id] : undefined}
          outputStatus={entry.output ? itemStatus[entry.output.id] : undefined}
          runDone={runDone}
        />
      );
    case 'script':
      return (
        <ScriptCard
          script={entry.script}
          output={entry.output}
          scriptStatus={entry.script ? itemStatus[entry.script.id] : undefined}
          outputStatus={entry.output ? itemStatus[entry.output.id] : undefined}
          runDone={runDone}
        />
      );
    case 'error':
      return <ErrorBanner code={entry.item.code} message={entry.item.message} details={entry.item.details} />;
  }
}
