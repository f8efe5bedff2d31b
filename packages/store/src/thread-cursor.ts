import { CodyIdSchema, TimestampSchema } from '@cody/schema';

/** Position after which the next page of threads starts (keyset pagination, newest first). */
export interface ThreadCursor {
  updatedAt: number;
  id: string;
}

/** Opaque to callers; it encodes the last thread of a page so pages stay stable under inserts. */
export function encodeThreadCursor(cursor: ThreadCursor): string {
  return Buffer.from(`${cursor.updatedAt}:${cursor.id}`, 'utf8').toString('base64url');
}

/** The cursor `encodeThreadCursor` made, or null when `value` is not one. */
export function decodeThreadCursor(value: string): ThreadCursor | null {
  const text = Buffer.from(value, 'base64url').toString('utf8');
  const separator = text.indexOf(':');
  if (separator < 1) return null;
  const updatedAt = TimestampSchema.safeParse(Number(text.slice(0, separator)));
  const id = CodyIdSchema.safeParse(text.slice(separator + 1));
  if (!updatedAt.success || !id.success || !/^\d+$/.test(text.slice(0, separator))) return null;
  return { updatedAt: updatedAt.data, id: id.data };
}
