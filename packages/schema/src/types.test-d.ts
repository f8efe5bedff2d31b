import { describe, expectTypeOf, it } from 'vitest';
import type { OutputItem, Response, StreamEvent } from './index';

describe('public types', () => {
  it('narrows payload by type', () => {
    const handle = (event: StreamEvent) => {
      if (event.type === 'item_delta') expectTypeOf(event.payload.delta_content).toEqualTypeOf<string>();
      if (event.payload.type === 'item_done')
        expectTypeOf(event.payload.final_item).toEqualTypeOf<OutputItem>();
    };
    expectTypeOf(handle).toBeFunction();
  });

  it('infers Response from the schema', () => {
    expectTypeOf<Response['status']>().toEqualTypeOf<
      'queued' | 'in_progress' | 'complete' | 'error' | 'aborted'
    >();
    expectTypeOf<Extract<OutputItem, { type: 'function_call' }>['call_id']>().toEqualTypeOf<string>();
  });
});
