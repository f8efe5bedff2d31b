import type { ItemStatus } from '@cody/reducer';
import { memo, useMemo, useState } from 'react';
import { useStore } from '../hooks/use-store';
import type { ApiError } from '../lib/api-error';
import { pairItems, type RenderEntry } from '../lib/pair-items';
import type { RunSession } from '../lib/run-session';
import { ErrorBanner } from './error-banner';
import { MessageView, UserPrompt } from './message-view';
import { PromptEditor } from './prompt-editor';
import { ReasoningCard } from './reasoning-card';
import { RunFooter } from './run-footer';
import { ScriptCard } from './script-card';
import { ToolCallCard } from './tool-call-card';

const NO_STATUS: Readonly<Record<string, ItemStatus>> = {};

export interface RunViewProps {
  session: RunSession;
  index: number;
  /** The thread's latest turn: only it offers Retry, Regenerate and Edit. */
  isLast: boolean;
  /** Providers answered by the bundled test LLM (`npm run demo`). */
  testProviders: ReadonlySet<string>;
  /** Starts a new run of this turn with `prompt`, replacing this one; rejects with an ApiError. */
  onReplace: (runId: string, prompt: string) => Promise<void>;
}

/** One turn: the prompt and everything the run produced, from a live stream or from history alike. */
export const RunView = memo(function RunView({
  session,
  index,
  isLast,
  testProviders,
  onReplace,
}: RunViewProps) {
  const snapshot = useStore(session.view);
  const connection = useStore(session.connection);
  const [editing, setEditing] = useState(false);
  const [replaceError, setReplaceError] = useState<ApiError | undefined>(undefined);
  const response = snapshot.response;
  const items = response?.output_items;
  const entries = useMemo(() => pairItems(items ?? []), [items]);
  const itemStatus = snapshot.state?.itemStatus ?? NO_STATUS;
  const error = response?.error ?? snapshot.state?.error;
  const status = response?.status ?? (error ? 'error' : 'queued');
  const promptItem = items?.find(
    (item) => item.type === 'message' && item.origin === 'user' && item.content !== '',
  );
  const prompt = promptItem?.type === 'message' ? promptItem.content : session.prompt;
  const canReplace = isLast && snapshot.done && response !== undefined && prompt !== undefined;
  const answer = () =>
    (items ?? [])
      .flatMap((item) => (item.type === 'message' && item.origin === 'agent' ? [item.content] : []))
      .join('\n\n');
  const hasAnswer =
    items?.some((item) => item.type === 'message' && item.origin === 'agent' && item.content !== '') ?? false;

  const replace = async (text: string) => {
    setReplaceError(undefined);
    try {
      await onReplace(session.runId, text);
      setEditing(false);
    } catch (caught) {
      setReplaceError(caught as ApiError);
      throw caught;
    }
  };

  return (
    <article
      className="run"
      data-run-id={session.runId}
      data-status={status}
      data-replaces-run-id={response?.replaces_run_id}
      aria-label={`Turn ${index + 1}`}
      aria-busy={!snapshot.done}
    >
      <div className="run-output">
        {editing && prompt !== undefined ? (
          <PromptEditor initial={prompt} onSend={replace} onCancel={() => setEditing(false)} />
        ) : prompt !== undefined ? (
          <UserPrompt
            text={prompt}
            itemId={promptItem?.id}
            onEdit={canReplace ? () => setEditing(true) : undefined}
          />
        ) : null}
        {entries.map((entry) =>
          entry.kind === 'message' && entry.item.origin === 'user' ? null : (
            <Entry
              key={entry.key}
              entry={entry}
              itemStatus={itemStatus}
              runDone={snapshot.done}
              runStatus={status}
              runId={session.runId}
            />
          ),
        )}
        {!snapshot.done &&
        entries.every((entry) => entry.kind === 'message' && entry.item.origin === 'user') ? (
          <p className="run-waiting">
            <span className="dots" aria-hidden="true" />
            {response ? 'Cody is thinking…' : 'Starting…'}
          </p>
        ) : null}
      </div>
      {error ? <ErrorBanner code={error.code} message={error.message} details={error.details} /> : null}
      {replaceError ? <ErrorBanner code={replaceError.code} message={replaceError.message} live /> : null}
      <RunFooter
        status={status}
        done={snapshot.done}
        response={response}
        connection={connection}
        testModel={response !== undefined && testProviders.has(response.provider_id)}
        onReconnect={() => session.follow()}
        answer={hasAnswer ? answer : undefined}
        onReplace={
          canReplace && !editing && prompt !== undefined
            ? () => replace(prompt).catch(() => undefined)
            : undefined
        }
      />
    </article>
  );
});

function Entry({
  entry,
  itemStatus,
  runDone,
  runStatus,
  runId,
}: {
  entry: RenderEntry;
  itemStatus: Readonly<Record<string, ItemStatus>>;
  runDone: boolean;
  runStatus: string;
  runId: string;
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
          runStopped={runStatus === 'aborted'}
          runId={runId}
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
