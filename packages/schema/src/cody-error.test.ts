import { describe, expect, it } from 'vitest';
import { CodyError } from './errors/cody-error';

describe('CodyError', () => {
  it('is recognised across copies of the package through a global symbol', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('cody.error')]: true, code: 'X' });
    expect(CodyError.isInstance(foreign)).toBe(true);
    expect(CodyError.isInstance(new Error('plain'))).toBe(false);
    expect(CodyError.isInstance(null)).toBe(false);
  });

  it('carries a stable code and serialises to {code, message, details?}', () => {
    const error = new CodyError('THREAD_NOT_FOUND', 'no such thread', { details: { id: 't' } });
    expect(error.toInfo()).toEqual({
      code: 'THREAD_NOT_FOUND',
      message: 'no such thread',
      details: { id: 't' },
    });
    expect(new CodyError('A', 'b').toInfo()).toEqual({ code: 'A', message: 'b' });
    expect(error.isRetryable).toBe(false);
  });
});
