import { type KeyboardEvent, useEffect, useRef, useState } from 'react';

export interface PromptEditorProps {
  initial: string;
  /** Resolves when the server accepted the edited prompt; rejects to keep the editor open. */
  onSend: (prompt: string) => Promise<void>;
  onCancel: () => void;
}

/** Edits a sent prompt in place; "Send edited message" starts a new run that replaces the turn. */
export function PromptEditor({ initial, onSend, onCancel }: PromptEditorProps) {
  const [text, setText] = useState(initial);
  const [sending, setSending] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    element.focus();
    element.setSelectionRange(element.value.length, element.value.length);
  }, []);
  const canSend = text.trim() !== '' && !sending;
  const send = async () => {
    if (!canSend) return;
    setSending(true);
    try {
      await onSend(text);
    } catch {
      setSending(false);
    }
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape') onCancel();
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };
  return (
    <div className="message message-user prompt-editor">
      <label className="visually-hidden" htmlFor="prompt-editor-input">
        Edit message
      </label>
      <textarea
        id="prompt-editor-input"
        ref={box}
        value={text}
        rows={Math.min(10, Math.max(2, text.split('\n').length))}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="prompt-editor-actions">
        <button type="button" className="button-quiet button-small" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="button-primary button-small"
          disabled={!canSend}
          onClick={() => void send()}
        >
          {sending ? 'Sending…' : 'Send edited message'}
        </button>
      </div>
    </div>
  );
}
