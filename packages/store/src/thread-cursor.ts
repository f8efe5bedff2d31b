import { CodyIdSchema, TimestampSchema } from '@cody/schema';

/** Position after which the next page of threads starts (keyset pagination, newest first). */
export interface ThreadCursor {
  updatedAt: number;
  id: string;
}

/** Opaque to callers; it encodes the last thread of a page so pages stay stable under inserts. */
export function encodeThreadCursor(cursor: ThreadCursor): string {
  // the text is ASCII (digits, hex, ':' and '-'), so btoa needs no UTF-8 step
  return btoa(`${cursor.updatedAt}:${cursor.id}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The cursor `encodeThreadCursor` made, or null when `value` is not one. */
export function decodeThreadCursor(value: string): ThreadCursor | null {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return null;
  let text: string;
  try {
    text = atob(value.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return null;
  }
  const match = /^(\d{1,16}):(.+)$/.exec(text);
  if (!match) return null;
  const updatedAt = TimestampSchema.safeParse(Number(match[1]));
  const id = CodyIdSchema.safeParse(match[2]);
  if (!updatedAt.success || !id.success) return null;
  return { updatedAt: updatedAt.data, id: id.data };
}
