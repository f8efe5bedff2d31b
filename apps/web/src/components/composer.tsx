import {
  type FormEvent,
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import type { ApiError } from '../lib/api-error';
import type { RunSession } from '../lib/run-session';
import { ErrorBanner } from './error-banner';

export interface ComposerProps {
  /** The newest run of the thread: while it streams, Stop replaces sending. */
  lastRun: RunSession | undefined;
  /** Why sending is impossible right now (no provider…); undefined when it is possible. */
  blockedReason: string | undefined;
  /** Resolves when the server accepted the prompt; rejects with an ApiError. */
  onSend: (prompt: string) => Promise<void>;
  onStop: (runId: string) => Promise<void>;
  /** The provider/model/reasoning controls. */
  children?: ReactNode;
  /** The message box takes the focus on mount and whenever this changes (another thread opened). */
  focusKey?: string | undefined;
  /** "Ask before running commands and edits": the next runs wait for Approve/Deny on such calls. */
  askBeforeTools?: boolean;
  onAskBeforeTools?: (ask: boolean) => void;
}

const noSubscription = () => () => {};

/** The message box: Enter sends, Shift+Enter adds a line; Stop while a run streams. */
export function Composer({
  lastRun,
  blockedReason,
  onSend,
  onStop,
  children,
  focusKey,
  askBeforeTools,
  onAskBeforeTools,
}: ComposerProps) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [stopping, setStopping] = useState<string | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const input = useRef<HTMLTextAreaElement>(null);

  // re-renders only when liveness flips, not on every streamed frame
  const subscribe = useCallback(
    (listener: () => void) => {
      if (!lastRun) return noSubscription();
      const views = lastRun.view.subscribe(listener);
      const connection = lastRun.connection.subscribe(listener);
      return () => {
        views();
        connection();
      };
    },
    [lastRun],
  );
  // a run whose stream failed for good no longer blocks the next turn
  const streaming = useSyncExternalStore(
    subscribe,
    () =>
      lastRun !== undefined &&
      !lastRun.view.getSnapshot().done &&
      lastRun.connection.getSnapshot()?.status !== 'failed',
    () => false,
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: focus again when another thread opens
  useEffect(() => {
    // not on touch screens: a focused box would open the keyboard over the conversation
    if (window.matchMedia?.('(pointer: coarse)').matches) return;
    input.current?.focus({ preventScroll: true });
  }, [focusKey]);

  // grow with the text up to the CSS max-height
  // biome-ignore lint/correctness/useExhaustiveDependencies: measure again whenever the text changes
  useEffect(() => {
    const element = input.current;
    if (!element) return;
    element.style.height = 'auto';
    element.style.height = `${element.scrollHeight}px`;
  }, [text]);

  const canSend = text.trim() !== '' && !sending && !streaming && blockedReason === undefined;

  const send = async () => {
    if (!canSend) return;
    setSending(true);
    setError(undefined);
    try {
      await onSend(text);
      setText('');
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setSending(false);
      input.current?.focus();
    }
  };

  const stop = async () => {
    if (!lastRun) return;
    setStopping(lastRun.runId);
    setError(undefined);
    try {
      await onStop(lastRun.runId);
    } catch (caught) {
      setError(caught as ApiError);
      setStopping(undefined);
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void send();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  const isStopping = streaming && stopping === lastRun?.runId;

  return (
    <form className="composer" onSubmit={onSubmit} aria-label="Compose a message">
      {error ? <ErrorBanner code={error.code} message={error.message} live /> : null}
      {blockedReason ? <p className="composer-blocked">{blockedReason}</p> : null}
      <div className="composer-box">
        <label htmlFor="composer-input" className="visually-hidden">
          Message
        </label>
        <textarea
          id="composer-input"
          ref={input}
          rows={1}
          value={text}
          placeholder="Message Cody…"
          aria-describedby="composer-hint"
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
        />
        <span id="composer-hint" className="visually-hidden">
          Enter sends, Shift+Enter adds a line.
        </span>
      </div>
      <div className="composer-bar">
        {children}
        {onAskBeforeTools ? (
          <label className="composer-option">
            <input
              type="checkbox"
              checked={askBeforeTools ?? false}
              onChange={(event) => onAskBeforeTools(event.target.checked)}
            />
            Ask before running commands and edits
          </label>
        ) : null}
        <div className="composer-actions">
          {streaming ? (
            <button type="button" className="button-stop" onClick={() => void stop()} disabled={isStopping}>
              {isStopping ? 'Stopping…' : 'Stop'}
            </button>
          ) : null}
          <button type="submit" className="button-primary" disabled={!canSend} aria-disabled={!canSend}>
            {sending ? 'Sending…' : 'Send'}
          </button>
        </div>
      </div>
    </form>
  );
}
