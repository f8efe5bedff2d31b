import { useEffect, useRef, useState } from 'react';
import type { ConversationState } from '../lib/conversation';
import { ErrorBanner } from './error-banner';
import { RunView } from './run-view';

export interface ConversationViewProps {
  state: ConversationState;
  title: string | undefined;
  onRetry: () => void;
  /** Providers answered by the bundled test LLM. */
  testProviders: ReadonlySet<string>;
  /** Starts a new run of a finished turn (retry, regenerate, edit). */
  onReplace: (runId: string, prompt: string) => Promise<void>;
}

/** The selected thread's turns in order, kept scrolled to the newest text while the reader is at the bottom. */
export function ConversationView({ state, title, onRetry, testProviders, onReplace }: ConversationViewProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  // shown while the reader has scrolled up and new text arrives below
  const [behind, setBehind] = useState(false);

  useEffect(() => {
    const element = scroller.current;
    const inner = content.current;
    if (!element || !inner) return;
    const onScroll = () => {
      pinned.current = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
      if (pinned.current) setBehind(false);
    };
    // content grows while text streams: follow it if the reader has not scrolled up
    const observer = new ResizeObserver(() => {
      if (pinned.current) element.scrollTop = element.scrollHeight;
      else setBehind(true);
    });
    element.addEventListener('scroll', onScroll, { passive: true });
    observer.observe(inner);
    return () => {
      element.removeEventListener('scroll', onScroll);
      observer.disconnect();
    };
  }, []);

  // a newly opened thread starts at its end
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs again when the thread changes
  useEffect(() => {
    pinned.current = true;
    setBehind(false);
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [state.threadId]);

  const jumpToLatest = () => {
    const element = scroller.current;
    if (!element) return;
    pinned.current = true;
    setBehind(false);
    element.scrollTo({ top: element.scrollHeight, behavior: 'smooth' });
  };

  return (
    <section className="conversation" aria-label={title ? `Conversation: ${title}` : 'Conversation'}>
      <div className="conversation-scroll" ref={scroller}>
        <div className="conversation-content" ref={content}>
          <Body state={state} onRetry={onRetry} testProviders={testProviders} onReplace={onReplace} />
        </div>
      </div>
      {behind ? (
        <button type="button" className="jump-to-latest" onClick={jumpToLatest}>
          Jump to latest <span aria-hidden="true">↓</span>
        </button>
      ) : null}
    </section>
  );
}

function Body({
  state,
  onRetry,
  testProviders,
  onReplace,
}: Pick<ConversationViewProps, 'state' | 'onRetry' | 'testProviders' | 'onReplace'>) {
  if (state.phase === 'error' && state.runs.length === 0) {
    const notFound = state.error?.status === 404;
    return (
      <div className="empty-state">
        <h2>{notFound ? 'Thread not found' : 'Could not load this thread'}</h2>
        {state.error ? <ErrorBanner code={state.error.code} message={state.error.message} live /> : null}
        <p>
          {notFound ? null : (
            <button type="button" onClick={onRetry}>
              Try again
            </button>
          )}{' '}
          <a href="#/">Start a new conversation</a>
        </p>
      </div>
    );
  }
  if (state.phase === 'loading' && state.runs.length === 0) {
    return (
      <p className="loading" role="status">
        Loading conversation…
      </p>
    );
  }
  if (state.runs.length === 0) {
    return state.phase === 'new' ? (
      <div className="empty-state">
        <h2>What can Cody do for you?</h2>
        <p>
          Ask a question or give a task. Cody streams its answer, shows its reasoning, and runs tools (reading
          files, running commands, scripts) in the server's workspace.
        </p>
        <p className="muted">Enter sends, Shift+Enter starts a new line.</p>
      </div>
    ) : (
      <div className="empty-state">
        <h2>No messages yet</h2>
        <p>Write the first message of this thread below.</p>
      </div>
    );
  }
  // a replaced run stays in the thread's record; the screen shows the run that replaced it
  const visible = state.runs.filter((session) => !state.replaced.has(session.runId));
  return (
    <>
      {state.phase === 'error' && state.error ? (
        <ErrorBanner
          code={state.error.code}
          message={`Could not refresh this thread: ${state.error.message}`}
        />
      ) : null}
      {visible.map((session, index) => (
        <RunView
          key={session.runId}
          session={session}
          index={index}
          isLast={index === visible.length - 1}
          testProviders={testProviders}
          onReplace={onReplace}
        />
      ))}
    </>
  );
}
