import { describe, expect, it } from 'vitest';
import { compareStreamIds, StreamIdSchema } from './stream-id';

describe('compareStreamIds', () => {
  it('orders by time, then sequence, as numbers past 2^53; null first; a missing sequence is 0', () => {
    expect(compareStreamIds('9-0', '10-0')).toBe(-1);
    expect(compareStreamIds('10-2', '10-10')).toBe(-1);
    expect(compareStreamIds('5-18446744073709551615', '5-18446744073709551614')).toBe(1);
    expect(compareStreamIds('7-3', '7-3')).toBe(0);
    expect(compareStreamIds(null, '0-0')).toBe(-1);
    expect(compareStreamIds('0-0', null)).toBe(1);
    expect(compareStreamIds('5', '5-0')).toBe(0);
    expect(compareStreamIds('5', '5-1')).toBe(-1);
  });

  it('StreamIdSchema takes ids as Redis prints them only', () => {
    expect(StreamIdSchema.safeParse('1700000000000-0').success).toBe(true);
    for (const bad of ['01-0', '1-01', '1', '-1-0', '1-0 ', 'a-b'])
      expect(StreamIdSchema.safeParse(bad).success).toBe(false);
  });
});
