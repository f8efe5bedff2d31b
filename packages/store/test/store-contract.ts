import { CodyError, type OutputItem, type Response } from '@cody/schema';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_THREAD_TITLE,
  RunThreadMismatchError,
  type Store,
  ThreadAlreadyExistsError,
  ThreadNotFoundError,
} from '../src/index';

const MiB = 1024 * 1024;

/**
 * The behaviour every Store must have. `makeStore` returns a fresh, empty store for each test
 * (its own key prefix or its own backend), so tests never see each other's data.
 */
export function describeStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('threads', () => {
      it('creates a thread with a default title and reads it back', async () => {
        const thread = await store.createThread();
        expect(thread.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(thread.title).toBe(DEFAULT_THREAD_TITLE);
        expect(thread.updated_at).toBe(thread.created_at);
        expect(await store.getThread(thread.id)).toEqual(thread);
      });

      it('creates a thread with a given id, title and agent', async () => {
        const id = crypto.randomUUID();
        const thread = await store.createThread({ id, title: 'Ünïcode — 漢字 😀', agent_id: 'coder' });
        expect(thread).toMatchObject({ id, title: 'Ünïcode — 漢字 😀', agent_id: 'coder' });
        expect(await store.getThread(id)).toEqual(thread);
      });

      it('refuses a second thread with a taken id and keeps the first', async () => {
        const first = await store.createThread({ title: 'first' });
        await expectCodyError(
          store.createThread({ id: first.id, title: 'second' }),
          'THREAD_ALREADY_EXISTS',
          ThreadAlreadyExistsError,
        );
        expect(await store.getThread(first.id)).toEqual(first);
      });

      it('finds nothing for unknown or malformed ids', async () => {
        expect(await store.getThread(crypto.randomUUID())).toBeNull();
        expect(await store.getThread('not-a-uuid')).toBeNull();
        expect(await store.getThread('x}{y')).toBeNull();
        expect(await store.updateThread(crypto.randomUUID(), { title: 'x' })).toBeNull();
        expect(await store.deleteThread(crypto.randomUUID())).toBe(false);
        expect(await store.deleteThread('nope')).toBe(false);
        expect(await store.getRun(crypto.randomUUID())).toBeNull();
        expect(await store.getRun('nope')).toBeNull();
        expect(await store.listRunsByThread(crypto.randomUUID())).toEqual([]);
      });

      it('updates the title and bumps updated_at', async () => {
        const thread = await store.createThread({ title: 'before' });
        await nextMillisecond(thread.updated_at);
        const updated = await store.updateThread(thread.id, { title: 'after' });
        expect(updated).toMatchObject({ id: thread.id, title: 'after', created_at: thread.created_at });
        expect(updated!.updated_at).toBeGreaterThan(thread.updated_at);
        expect(await store.getThread(thread.id)).toEqual(updated);
      });

      it('rejects bad thread input with VALIDATION_ERROR naming the field, changing nothing', async () => {
        const thread = await store.createThread({ title: 'kept' });
        const tooLong = 'x'.repeat(501);
        const error = await expectCodyError(
          store.updateThread(thread.id, { title: tooLong }),
          'VALIDATION_ERROR',
        );
        expect(error.message).toContain('title');
        await expectCodyError(store.updateThread(thread.id, { title: 42 } as never), 'VALIDATION_ERROR');
        await expectCodyError(store.updateThread(thread.id, { name: 'x' } as never), 'VALIDATION_ERROR');
        await expectCodyError(store.createThread({ id: 'not-a-uuid' }), 'VALIDATION_ERROR');
        await expectCodyError(store.createThread({ title: tooLong }), 'VALIDATION_ERROR');
        expect(await store.getThread(thread.id)).toEqual(thread);
        expect((await store.listThreads()).threads).toEqual([thread]);
      });

      it('lists threads newest-updated first, page by page, without gaps or repeats', async () => {
        const created = [];
        for (let i = 0; i < 7; i++) created.push(await store.createThread({ title: `t${i}` }));
        const all = await store.listThreads({ limit: 100 });
        expect(all.nextCursor).toBeNull();
        expect(all.threads.map((t) => t.id).sort()).toEqual(created.map((t) => t.id).sort());
        expectNewestFirst(all.threads);

        const paged = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await store.listThreads({ limit: 3, cursor });
          expect(page.threads.length).toBeLessThanOrEqual(3);
          paged.push(...page.threads);
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== null);
        expect(pages).toBe(3);
        expect(paged).toEqual(all.threads);

        const exact = await store.listThreads({ limit: 7 });
        expect(exact.threads).toEqual(all.threads);
        expect(exact.nextCursor).toBeNull();
      });

      it('orders ties on updated_at consistently across pages', async () => {
        // threads created within one millisecond share updated_at: the cursor must still be exact
        const created = await Promise.all(Array.from({ length: 6 }, () => store.createThread()));
        const seen = [];
        let cursor: string | null = null;
        do {
          const page = await store.listThreads({ limit: 1, cursor });
          seen.push(...page.threads.map((t) => t.id));
          cursor = page.nextCursor;
        } while (cursor !== null);
        expect(seen.slice().sort()).toEqual(created.map((t) => t.id).sort());
        expect(new Set(seen).size).toBe(6);
      });

      it('moves a thread to the front when it gets a run or a new title', async () => {
        const older = await store.createThread({ title: 'older' });
        await nextMillisecond(older.updated_at);
        const newer = await store.createThread({ title: 'newer' });
        expect((await store.listThreads()).threads.map((t) => t.id)).toEqual([newer.id, older.id]);

        await nextMillisecond(newer.updated_at);
        await store.putRun({ response: makeResponse(older.id), lastStreamId: '1-0' });
        const afterRun = await store.listThreads();
        expect(afterRun.threads.map((t) => t.id)).toEqual([older.id, newer.id]);
        expect(afterRun.threads[0]!.updated_at).toBeGreaterThan(older.updated_at);

        await nextMillisecond(afterRun.threads[0]!.updated_at);
        await store.updateThread(newer.id, { title: 'renamed' });
        expect((await store.listThreads()).threads.map((t) => t.title)).toEqual(['renamed', 'older']);
      });

      it('rejects a bad page size or cursor', async () => {
        for (const limit of [0, -1, 101, 1.5, Number.NaN]) {
          await expectCodyError(store.listThreads({ limit }), 'VALIDATION_ERROR');
        }
        for (const cursor of ['garbage', '', btoa('12:nope')]) {
          await expectCodyError(store.listThreads({ cursor }), 'VALIDATION_ERROR');
        }
      });

      it('deletes a thread together with its runs, leaving other threads alone', async () => {
        const doomed = await store.createThread();
        const kept = await store.createThread();
        const doomedRuns = [makeResponse(doomed.id), makeResponse(doomed.id)];
        for (const response of doomedRuns) await store.putRun({ response, lastStreamId: '1-0' });
        const keptRun = makeResponse(kept.id);
        await store.putRun({ response: keptRun, lastStreamId: '1-0' });

        expect(await store.deleteThread(doomed.id)).toBe(true);
        expect(await store.getThread(doomed.id)).toBeNull();
        for (const response of doomedRuns) expect(await store.getRun(response.id)).toBeNull();
        expect(await store.listRunsByThread(doomed.id)).toEqual([]);
        expect((await store.listThreads()).threads.map((t) => t.id)).toEqual([kept.id]);
        expect(await store.deleteThread(doomed.id)).toBe(false);

        expect((await store.getRun(keptRun.id))?.response).toEqual(keptRun);
        expect(await store.listRunsByThread(kept.id)).toHaveLength(1);
      });
    });

    describe('runs', () => {
      it('stores a snapshot and reads it back with its stream id', async () => {
        const thread = await store.createThread();
        const response = makeResponse(thread.id, {
          status: 'complete',
          finish_reason: 'stop',
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, reasoning_tokens: 2 },
          agent_id: 'coder',
        });
        expect(await store.putRun({ response, lastStreamId: '1700000000000-3' })).toEqual({
          stored: true,
          lastStreamId: '1700000000000-3',
        });
        expect(await store.getRun(response.id)).toEqual({ response, lastStreamId: '1700000000000-3' });
      });

      it('stores a snapshot with no stream id yet', async () => {
        const thread = await store.createThread();
        const response = makeResponse(thread.id, { status: 'queued', output_items: [] });
        await store.putRun({ response, lastStreamId: null });
        expect(await store.getRun(response.id)).toEqual({ response, lastStreamId: null });
      });

      it('replaces a snapshot with a newer one', async () => {
        const thread = await store.createThread();
        const first = makeResponse(thread.id, { status: 'in_progress', output_items: [] });
        await store.putRun({ response: first, lastStreamId: '5-0' });
        const second = {
          ...first,
          status: 'complete' as const,
          finish_reason: 'stop',
          output_items: [agentMessage('done')],
        };
        expect((await store.putRun({ response: second, lastStreamId: '6-0' })).stored).toBe(true);
        expect(await store.getRun(first.id)).toEqual({ response: second, lastStreamId: '6-0' });
        expect(await store.listRunsByThread(thread.id)).toHaveLength(1);
      });

      it('lists a thread’s runs by created_at, whatever order they were written in', async () => {
        const thread = await store.createThread();
        const other = await store.createThread();
        const base = Date.now();
        const runs = [3, 1, 4, 2].map((n) => makeResponse(thread.id, { created_at: base + n * 1000 }));
        for (const response of runs) await store.putRun({ response, lastStreamId: `${n(response)}-0` });
        await store.putRun({ response: makeResponse(other.id), lastStreamId: '1-0' });

        const listed = await store.listRunsByThread(thread.id);
        expect(listed.map((run) => run.response.created_at)).toEqual(
          [1, 2, 3, 4].map((i) => base + i * 1000),
        );
        expect(listed.map((run) => run.response.thread_id)).toEqual(Array(4).fill(thread.id));

        function n(response: Response) {
          return response.created_at - base;
        }
      });

      it('refuses a write whose stream id is older than the stored one, comparing ids numerically', async () => {
        const thread = await store.createThread();
        const response = makeResponse(thread.id);
        const write = (lastStreamId: string | null, text: string) =>
          store.putRun({ response: { ...response, output_items: [agentMessage(text)] }, lastStreamId });
        const storedText = async () => {
          const run = await store.getRun(response.id);
          const item = run?.response.output_items[0] as { content: string } | undefined;
          return [item?.content, run?.lastStreamId];
        };

        expect(await write('10-0', 'a')).toEqual({ stored: true, lastStreamId: '10-0' });
        // as strings '9-99' > '10-0'; as stream ids it is older
        expect(await write('9-99', 'stale')).toEqual({ stored: false, lastStreamId: '10-0' });
        expect(await write(null, 'stale')).toEqual({ stored: false, lastStreamId: '10-0' });
        expect(await storedText()).toEqual(['a', '10-0']);

        expect(await write('10-9', 'b')).toEqual({ stored: true, lastStreamId: '10-9' });
        expect(await write('10-10', 'c')).toEqual({ stored: true, lastStreamId: '10-10' });
        expect(await write('10-9', 'stale')).toEqual({ stored: false, lastStreamId: '10-10' });
        // the same id again is the same state rewritten (the terminal write repeated)
        expect(await write('10-10', 'd')).toEqual({ stored: true, lastStreamId: '10-10' });
        expect(await write('100-0', 'e')).toEqual({ stored: true, lastStreamId: '100-0' });
        // sequence numbers beyond 2^53 still compare exactly
        expect(await write('100-18446744073709551614', 'f')).toMatchObject({ stored: true });
        expect(await write('100-18446744073709551613', 'stale')).toMatchObject({ stored: false });
        expect(await write('100-18446744073709551615', 'g')).toMatchObject({ stored: true });
        expect(await storedText()).toEqual(['g', '100-18446744073709551615']);
      });

      it('keeps the newest snapshot when writers race', async () => {
        const thread = await store.createThread();
        const response = makeResponse(thread.id);
        const ids = Array.from({ length: 20 }, (_, i) => `${1000 + i}-${i % 3}`);
        await Promise.all(
          shuffle(ids).map((id) =>
            store.putRun({ response: { ...response, output_items: [agentMessage(id)] }, lastStreamId: id }),
          ),
        );
        const newest = ids.at(-1)!;
        const run = await store.getRun(response.id);
        expect(run?.lastStreamId).toBe(newest);
        expect(run?.response.output_items[0]).toMatchObject({ content: newest });
      });

      it('refuses a run of an unknown thread and stores nothing', async () => {
        const response = makeResponse(crypto.randomUUID());
        await expectCodyError(
          store.putRun({ response, lastStreamId: '1-0' }),
          'THREAD_NOT_FOUND',
          ThreadNotFoundError,
        );
        expect(await store.getRun(response.id)).toBeNull();
      });

      it('leaves no run behind when a thread is deleted while its runs are being written', async () => {
        const thread = await store.createThread();
        const responses = Array.from({ length: 10 }, () => makeResponse(thread.id));
        const writes = responses.map((response) => store.putRun({ response, lastStreamId: '1-0' }));
        const deleted = store.deleteThread(thread.id);
        const outcomes = await Promise.allSettled(writes);
        expect(await deleted).toBe(true);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ThreadNotFoundError);
        }
        for (const response of responses) expect(await store.getRun(response.id)).toBeNull();
        expect(await store.listRunsByThread(thread.id)).toEqual([]);
        expect((await store.listThreads()).threads).toEqual([]);
      });

      it('refuses to move a run to another thread', async () => {
        const home = await store.createThread();
        const elsewhere = await store.createThread();
        const response = makeResponse(home.id);
        await store.putRun({ response, lastStreamId: '1-0' });
        await expectCodyError(
          store.putRun({ response: { ...response, thread_id: elsewhere.id }, lastStreamId: '2-0' }),
          'RUN_THREAD_MISMATCH',
          RunThreadMismatchError,
        );
        expect(await store.getRun(response.id)).toEqual({ response, lastStreamId: '1-0' });
        expect(await store.listRunsByThread(elsewhere.id)).toEqual([]);
      });

      it('rejects bad snapshots with VALIDATION_ERROR naming the field, keeping what is stored', async () => {
        const thread = await store.createThread();
        const response = makeResponse(thread.id);
        await store.putRun({ response, lastStreamId: '5-0' });
        const bad: [unknown, string][] = [
          [{ response: { ...response, status: 'done' }, lastStreamId: '6-0' }, 'response.status'],
          [{ response: { ...response, model_id: undefined }, lastStreamId: '6-0' }, 'response.model_id'],
          [
            { response: { ...response, output_items: [{ type: 'message', id: 'x' }] }, lastStreamId: '6-0' },
            'response.output_items.0',
          ],
          [{ response: { ...response, extra: true }, lastStreamId: '6-0' }, 'extra'],
          [{ response, lastStreamId: '12' }, 'lastStreamId'],
          [{ response, lastStreamId: '06-0' }, 'lastStreamId'],
          [{ response, lastStreamId: 6 }, 'lastStreamId'],
          [{ response }, 'lastStreamId'],
          [null, ''],
        ];
        for (const [input, field] of bad) {
          const error = await expectCodyError(store.putRun(input as never), 'VALIDATION_ERROR');
          expect(error.message).toContain(field);
        }
        expect(await store.getRun(response.id)).toEqual({ response, lastStreamId: '5-0' });
      });

      it('round-trips a 1 MiB response byte-exact', async () => {
        await roundTrip(store, 1 * MiB, 3);
      });

      it('round-trips a 10 MiB response byte-exact', async () => {
        await roundTrip(store, 10 * MiB, 5);
      });

      it('answers ping', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });
  });
}

/** Writes a response of about `bytes` bytes of UTF-8 (1–4 byte characters, a lone surrogate) and reads it back. */
async function roundTrip(store: Store, bytes: number, itemCount: number): Promise<void> {
  const thread = await store.createThread();
  // one item holds most of the bytes, so a single item's content spans many storage chunks
  const items: OutputItem[] = [
    {
      id: crypto.randomUUID(),
      type: 'message',
      origin: 'user',
      content: 'Prompt with \ud800 a lone surrogate and \u0000 a NUL',
    },
    agentMessage(utf8Text(Math.floor(bytes * 0.7))),
  ];
  for (let i = 2; i < itemCount; i++) {
    items.push({
      id: crypto.randomUUID(),
      type: 'function_call_output',
      origin: 'tool_harness',
      call_id: `call_${i}`,
      output: utf8Text(Math.floor((bytes * 0.3) / (itemCount - 2))),
      success: true,
    });
  }
  const response = makeResponse(thread.id, {
    status: 'complete',
    finish_reason: 'stop',
    output_items: items,
  });
  const json = JSON.stringify(response);
  expect(utf8Length(json)).toBeGreaterThan(bytes * 0.95);

  expect(await store.putRun({ response, lastStreamId: '42-7' })).toEqual({
    stored: true,
    lastStreamId: '42-7',
  });
  const run = await store.getRun(response.id);
  expect(run?.lastStreamId).toBe('42-7');
  // compare the text, not a deep equal: byte-exact is the claim
  expect(JSON.stringify(run?.response)).toBe(json);
  const listed = await store.listRunsByThread(thread.id);
  expect(listed).toHaveLength(1);
  expect(JSON.stringify(listed[0]?.response)).toBe(json);
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

function utf8Text(bytes: number): string {
  // 1 + 2 + 3 + 4 bytes per round, boundaries fall everywhere inside multi-byte characters
  const unit = 'aé漢😀 line\n';
  const unitBytes = utf8Length(unit);
  return unit.repeat(Math.max(1, Math.floor(bytes / unitBytes)));
}

export function makeResponse(threadId: string, overrides: Partial<Response> = {}): Response {
  const now = Date.now();
  return {
    id: crypto.randomUUID(),
    turn_id: crypto.randomUUID(),
    thread_id: threadId,
    model_id: 'gpt-5-mini',
    provider_id: 'openai',
    created_at: now,
    updated_at: now,
    status: 'in_progress',
    output_items: [
      { id: crypto.randomUUID(), type: 'message', origin: 'user', content: 'Hello' },
      agentMessage('Hi there'),
    ],
    finish_reason: null,
    ...overrides,
  };
}

function agentMessage(content: string): OutputItem {
  return { id: crypto.randomUUID(), type: 'message', origin: 'agent', content };
}

async function expectCodyError(
  promise: Promise<unknown>,
  code: string,
  type?: abstract new (...args: never[]) => Error,
): Promise<CodyError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a ${code} error, but the call succeeded`);
    },
    (e: unknown) => e,
  );
  expect(CodyError.isInstance(error), String(error)).toBe(true);
  expect((error as CodyError).code).toBe(code);
  if (type) expect(error).toBeInstanceOf(type);
  return error as CodyError;
}

function expectNewestFirst(threads: { updated_at: number }[]): void {
  for (let i = 1; i < threads.length; i++) {
    expect(threads[i - 1]!.updated_at).toBeGreaterThanOrEqual(threads[i]!.updated_at);
  }
}

/** Waits until the clock has passed `ms`, so the next write gets a later timestamp. */
async function nextMillisecond(ms: number): Promise<void> {
  while (Date.now() <= ms) await new Promise((resolve) => setTimeout(resolve, 1));
}

function shuffle<T>(values: T[]): T[] {
  const copy = values.slice();
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
