import { CodyIdSchema, ResponseSchema, type Thread, ThreadSchema, ValidationError } from '@cody/schema';
import { z } from 'zod';
import type { CreateThreadInput, ListThreadsOptions, StoredRun } from './store';
import { StreamIdSchema } from './stream-id';
import { decodeThreadCursor, type ThreadCursor } from './thread-cursor';

/** Title of a thread created without one. */
export const DEFAULT_THREAD_TITLE = 'New thread';
export const DEFAULT_THREAD_PAGE_SIZE = 20;
export const MAX_THREAD_PAGE_SIZE = 100;

const StoredRunSchema = z.strictObject({
  response: ResponseSchema,
  lastStreamId: StreamIdSchema.nullable(),
});

const CreateThreadInputSchema = z.strictObject({
  id: CodyIdSchema.optional(),
  title: ThreadSchema.shape.title.optional(),
  agent_id: ThreadSchema.shape.agent_id,
});

const ThreadPatchSchema = z.strictObject({ title: ThreadSchema.shape.title.optional() });

const ListThreadsOptionsSchema = z.strictObject({
  limit: z.number().int().min(1).max(MAX_THREAD_PAGE_SIZE).default(DEFAULT_THREAD_PAGE_SIZE),
  cursor: z
    .string()
    .transform((value, ctx) => {
      const cursor = decodeThreadCursor(value);
      if (cursor === null) ctx.addIssue({ code: 'custom', message: 'is not a cursor this store returned' });
      return cursor as ThreadCursor;
    })
    .nullish(),
});

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(result.error, { what });
  return result.data;
}

/**
 * Validates a snapshot before it is written; throws ValidationError naming the fields. Returns
 * the caller's own object (not zod's copy), so the stored JSON keeps the caller's key order.
 */
export function parseStoredRun(input: unknown): StoredRun {
  parse(StoredRunSchema, input, 'putRun');
  return input as StoredRun;
}

/** Validates createThread's input and builds the thread it creates. */
export function buildNewThread(input: CreateThreadInput | undefined, now: number): Thread {
  const parsed = parse(CreateThreadInputSchema, input ?? {}, 'createThread');
  const thread: Thread = {
    id: parsed.id ?? crypto.randomUUID(),
    title: parsed.title ?? DEFAULT_THREAD_TITLE,
    created_at: now,
    updated_at: now,
  };
  if (parsed.agent_id !== undefined) thread.agent_id = parsed.agent_id;
  return thread;
}

export function parseThreadPatch(patch: unknown): { title?: string } {
  return parse(ThreadPatchSchema, patch ?? {}, 'updateThread');
}

export function parseListThreadsOptions(options: ListThreadsOptions | undefined): {
  limit: number;
  cursor: ThreadCursor | null;
} {
  const parsed = parse(ListThreadsOptionsSchema, options ?? {}, 'listThreads');
  return { limit: parsed.limit, cursor: parsed.cursor ?? null };
}

/** Ids are UUIDs: anything else cannot name a stored record (and must not reach a key). */
export function isStoreId(id: unknown): id is string {
  return CodyIdSchema.safeParse(id).success;
}
