// @vitest-environment jsdom
import { createHydrator, type HydratorSnapshot } from '@cody/reducer';
import type { MessageItem } from '@cody/schema';
import { act, useRef } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { scriptedRun } from '../../test/support/run-events';
import { useStore } from '../hooks/use-store';
import { createFrameBatchedStore, type FrameBatchedStore } from './frame-batched-store';

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

function feed(hydrator: ReturnType<typeof createHydrator>, events: readonly unknown[]) {
  events.forEach((event, index) => {
    hydrator.push({ id: `1-${index}`, data: JSON.stringify(event) });
  });
}

/** Renders the length of one message and records each render. */
function Probe({
  source,
  messageId,
  renders,
}: {
  source: FrameBatchedStore<HydratorSnapshot>;
  messageId: string;
  renders: number[];
}) {
  const snapshot = useStore(source);
  const count = useRef(0);
  count.current += 1;
  renders.push(count.current);
  const item = snapshot.response?.output_items.find((i) => i.id === messageId) as MessageItem | undefined;
  return <p>{item?.content.length ?? 0}</p>;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('createFrameBatchedStore', () => {
  it('publishes a thousand changes as one notification at the next animation frame', async () => {
    const run = scriptedRun(Array.from({ length: 1000 }, (_, i) => `${i} `));
    const hydrator = createHydrator();
    const store = createFrameBatchedStore(hydrator);
    const before = store.getSnapshot();
    let notified = 0;
    cleanups.push(store.subscribe(() => (notified += 1)));

    feed(hydrator, run.events);
    expect(notified).toBe(0);
    // between frames React keeps seeing the last published value
    expect(store.getSnapshot()).toBe(before);

    await nextFrame();
    expect(notified).toBe(1);
    const snapshot = store.getSnapshot();
    expect(snapshot).toBe(hydrator.getSnapshot());
    expect(snapshot.done).toBe(true);
    const message = snapshot.response?.output_items.find((item) => item.id === run.messageId) as MessageItem;
    expect(message.content).toBe(run.text);

    await nextFrame();
    expect(notified).toBe(1);
  });

  it('stays quiet when the source notifies without a new snapshot', async () => {
    const run = scriptedRun(['a', 'b']);
    const hydrator = createHydrator();
    feed(hydrator, run.events);
    const store = createFrameBatchedStore(hydrator);
    let notified = 0;
    cleanups.push(store.subscribe(() => (notified += 1)));
    // redelivered events (at-least-once) do not change the hydrator
    for (const event of run.events) hydrator.push({ data: JSON.stringify(event) });
    await nextFrame();
    expect(notified).toBe(0);
  });

  it('flush() publishes at once and cancels the pending frame', async () => {
    const run = scriptedRun(['x']);
    const hydrator = createHydrator();
    const store = createFrameBatchedStore(hydrator);
    let notified = 0;
    cleanups.push(store.subscribe(() => (notified += 1)));
    feed(hydrator, run.events.slice(0, 3));
    store.flush();
    expect(notified).toBe(1);
    expect(store.getSnapshot().response?.output_items).toHaveLength(1);
    await nextFrame();
    expect(notified).toBe(1);
  });

  it('reads through while nobody listens and detaches from the source on the last unsubscribe', async () => {
    const run = scriptedRun(['x']);
    const hydrator = createHydrator();
    const store = createFrameBatchedStore(hydrator);
    let notified = 0;
    const unsubscribe = store.subscribe(() => (notified += 1));
    feed(hydrator, run.events.slice(0, 2));
    unsubscribe();
    await nextFrame();
    expect(notified).toBe(0);
    expect(store.getSnapshot()).toBe(hydrator.getSnapshot());
  });

  it('renders a React component once per frame however many events arrive', async () => {
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    const run = scriptedRun(Array.from({ length: 500 }, (_, i) => `w${i} `));
    const hydrator = createHydrator();
    const store = createFrameBatchedStore(hydrator);
    const renders: number[] = [];

    const container = document.createElement('div');
    document.body.append(container);
    const root = createRoot(container);
    cleanups.push(() => {
      act(() => root.unmount());
      container.remove();
    });
    await act(async () => root.render(<Probe source={store} messageId={run.messageId} renders={renders} />));
    const initialRenders = renders.length;

    await act(async () => {
      feed(hydrator, run.events.slice(0, 200));
      await nextFrame();
    });
    await act(async () => {
      feed(hydrator, run.events.slice(200));
      await nextFrame();
    });

    expect(renders.length - initialRenders).toBe(2);
    expect(container.textContent).toBe(String(run.text.length));
  });
});
