import type { ItemStatus } from '@cody/reducer';
import type { ReasoningItem } from '@cody/schema';
import { memo, useEffect, useRef, useState } from 'react';
import { Markdown } from './markdown';

export interface ReasoningCardProps {
  item: ReasoningItem;
  status: ItemStatus | undefined;
}

/** The model's reasoning: open while it streams, folded once done (unless the reader opened it). */
export const ReasoningCard = memo(function ReasoningCard({ item, status }: ReasoningCardProps) {
  const streaming = status === 'streaming';
  const [open, setOpen] = useState(streaming);
  const touched = useRef(false);

  useEffect(() => {
    if (!streaming && !touched.current) setOpen(false);
  }, [streaming]);

  return (
    <details
      className="thinking"
      data-item-id={item.id}
      data-item-status={status}
      open={open}
      onToggle={(event) => {
        const next = event.currentTarget.open;
        if (next !== open) {
          touched.current = true;
          setOpen(next);
        }
      }}
    >
      <summary>
        <span className="thinking-label">Thinking</span>
        {streaming ? <span className="thinking-live">…</span> : null}
        {!streaming && item.content ? (
          <span className="thinking-size"> · {wordCount(item.content)} words</span>
        ) : null}
      </summary>
      <div className="thinking-body">
        {item.content ? (
          <Markdown text={item.content} />
        ) : (
          <p className="muted">
            {streaming
              ? 'Thinking…'
              : status === 'cancelled' || status === 'error'
                ? 'Stopped before any reasoning arrived.'
                : 'The provider did not share this reasoning.'}
          </p>
        )}
      </div>
    </details>
  );
});

function wordCount(text: string): number {
  // a cheap count; exactness does not matter for a hint
  const matches = text.length > 200_000 ? null : text.match(/\S+/g);
  return matches ? matches.length : Math.round(text.length / 6);
}
