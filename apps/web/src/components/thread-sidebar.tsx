import type { Thread } from '@cody/schema';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../lib/api-error';
import { formatHashRoute } from '../lib/hash-route';
import type { ThreadListState } from '../lib/thread-list';
import { ConfirmDialog } from './confirm-dialog';
import { ErrorBanner } from './error-banner';
import { RelativeTime } from './relative-time';

export interface ThreadSidebarProps {
  id: string;
  state: ThreadListState;
  selectedId: string | undefined;
  hidden: boolean;
  onNew: () => Promise<void>;
  onRename: (id: string, title: string) => Promise<void>;
  onDelete: (id: string) => Promise<void>;
  onLoadMore: () => void;
  onRetry: () => void;
  /** Called after a thread link is followed (a phone layout closes the drawer). */
  onNavigate: () => void;
}

export const threadTitle = (thread: Thread) => thread.title.trim() || 'Untitled thread';

/** The thread list: open, create, rename, delete (with confirmation), load more. */
export function ThreadSidebar(props: ThreadSidebarProps) {
  const { id, state, selectedId, hidden, onNew, onLoadMore, onRetry } = props;
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [deleting, setDeleting] = useState<Thread | undefined>(undefined);
  const [deleteBusy, setDeleteBusy] = useState(false);

  const create = async () => {
    setCreating(true);
    setError(undefined);
    try {
      await onNew();
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setCreating(false);
    }
  };

  const confirmDelete = async () => {
    if (!deleting) return;
    setDeleteBusy(true);
    setError(undefined);
    try {
      await props.onDelete(deleting.id);
      setDeleting(undefined);
    } catch (caught) {
      setError(caught as ApiError);
      setDeleting(undefined);
    } finally {
      setDeleteBusy(false);
    }
  };

  const listError = error ?? state.error;

  return (
    <nav id={id} className="sidebar" aria-label="Threads" hidden={hidden}>
      <div className="sidebar-head">
        <h2 className="sidebar-title">Threads</h2>
        <button type="button" className="button-primary" onClick={() => void create()} disabled={creating}>
          {creating ? 'Creating…' : 'New thread'}
        </button>
      </div>
      {listError ? (
        <div className="sidebar-error">
          <ErrorBanner code={listError.code} message={listError.message} live />
          {state.phase === 'error' ? (
            <button type="button" className="button-small" onClick={onRetry}>
              Try again
            </button>
          ) : null}
        </div>
      ) : null}
      {state.phase === 'loading' ? (
        <p className="muted sidebar-note" role="status">
          Loading threads…
        </p>
      ) : null}
      {state.phase === 'ready' && state.threads.length === 0 ? (
        <p className="muted sidebar-note">No threads yet. Send a message to start one.</p>
      ) : null}
      <ul className="thread-list">
        {state.threads.map((thread) => (
          <ThreadRow
            key={thread.id}
            thread={thread}
            selected={thread.id === selectedId}
            onRename={props.onRename}
            onAskDelete={setDeleting}
            onNavigate={props.onNavigate}
            onError={setError}
          />
        ))}
      </ul>
      {state.nextCursor ? (
        <button type="button" className="load-more" onClick={onLoadMore} disabled={state.loadingMore}>
          {state.loadingMore ? 'Loading…' : 'Load more threads'}
        </button>
      ) : null}
      <ConfirmDialog
        open={deleting !== undefined}
        title="Delete thread?"
        message={
          deleting
            ? `“${threadTitle(deleting)}” and all its runs will be deleted. This cannot be undone.`
            : ''
        }
        confirmLabel="Delete"
        busy={deleteBusy}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setDeleting(undefined)}
      />
    </nav>
  );
}

interface ThreadRowProps {
  thread: Thread;
  selected: boolean;
  onRename: (id: string, title: string) => Promise<void>;
  onAskDelete: (thread: Thread) => void;
  onNavigate: () => void;
  onError: (error: ApiError | undefined) => void;
}

function ThreadRow({ thread, selected, onRename, onAskDelete, onNavigate, onError }: ThreadRowProps) {
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(thread.title);
  const [saving, setSaving] = useState(false);
  const renameButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  const name = threadTitle(thread);

  // back to the Rename button once editing ends, so keyboard users keep their place
  useEffect(() => {
    if (wasEditing.current && !editing) renameButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const next = title.trim();
    if (next === '' || next === thread.title) {
      setEditing(false);
      return;
    }
    setSaving(true);
    onError(undefined);
    try {
      await onRename(thread.id, next);
      setEditing(false);
    } catch (caught) {
      onError(caught as ApiError);
    } finally {
      setSaving(false);
    }
  };

  if (editing) {
    return (
      <li className="thread-row thread-row-editing" data-thread-id={thread.id}>
        <form onSubmit={(event) => void save(event)} className="rename-form">
          <label className="visually-hidden" htmlFor={`rename-${thread.id}`}>
            Thread title
          </label>
          <input
            id={`rename-${thread.id}`}
            value={title}
            maxLength={500}
            // biome-ignore lint/a11y/noAutofocus: the field the user just asked for
            autoFocus
            onChange={(event) => setTitle(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') {
                event.preventDefault();
                setEditing(false);
              }
            }}
          />
          <button type="submit" className="button-small" disabled={saving}>
            Save
          </button>
          <button type="button" className="button-small button-quiet" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      </li>
    );
  }

  return (
    <li className={`thread-row${selected ? ' thread-row-selected' : ''}`} data-thread-id={thread.id}>
      <a
        className="thread-link"
        href={formatHashRoute({ view: 'thread', threadId: thread.id })}
        aria-current={selected ? 'page' : undefined}
        onClick={onNavigate}
      >
        <span className="thread-link-title">{name}</span>
        <RelativeTime className="thread-link-time" timestamp={thread.updated_at} />
      </a>
      <div className="thread-actions">
        <button
          ref={renameButton}
          type="button"
          className="button-small button-quiet"
          aria-label={`Rename thread ${name}`}
          onClick={() => {
            setTitle(thread.title);
            setEditing(true);
          }}
        >
          Rename
        </button>
        <button
          type="button"
          className="button-small button-quiet"
          aria-label={`Delete thread ${name}`}
          onClick={() => onAskDelete(thread)}
        >
          Delete
        </button>
      </div>
    </li>
  );
}
