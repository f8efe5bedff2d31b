import type { ItemStatus } from '@cody/reducer';
import type { MessageItem } from '@cody/schema';
import { memo } from 'react';
import { Markdown } from './markdown';

export interface MessageViewProps {
  item: MessageItem;
  status: ItemStatus | undefined;
}

/** A message: the user's prompt as typed, the model's answer as Markdown. */
export const MessageView = memo(function MessageView({ item, status }: MessageViewProps) {
  // an empty prompt (cut before its text arrived) is shown from what this client sent, if anything
  if (item.origin === 'user')
    return item.content === '' ? null : <UserPrompt text={item.content} itemId={item.id} />;
  return (
    <div className={`message message-${item.origin}`} data-item-id={item.id} data-item-status={status}>
      {item.origin === 'system' ? (
        <p className="message-system-text">{item.content}</p>
      ) : (
        <Markdown text={item.content} />
      )}
      {status === 'cancelled' ? <p className="item-note">Stopped before the end.</p> : null}
      {status === 'error' ? <p className="item-note item-note-error">Interrupted by an error.</p> : null}
    </div>
  );
});

/** The prompt of a turn; with `onEdit`, an "Edit" button offers to change and resend it. */
export const UserPrompt = memo(function UserPrompt({
  text,
  itemId,
  onEdit,
}: {
  text: string;
  itemId?: string | undefined;
  onEdit?: (() => void) | undefined;
}) {
  return (
    <div className="message message-user" data-item-id={itemId}>
      <h3 className="visually-hidden">You</h3>
      <p className="user-text">{text}</p>
      {onEdit ? (
        <button type="button" className="button-quiet button-small message-edit" onClick={onEdit}>
          Edit<span className="visually-hidden"> message</span>
        </button>
      ) : null}
    </div>
  );
});
