const marker = Symbol.for('cody.error');

export interface CodyErrorOptions {
  details?: unknown;
  cause?: unknown;
  /** Whether repeating the same operation may succeed (rate limits, dropped connections). */
  isRetryable?: boolean;
}

/**
 * Base of every error Cody raises on purpose. `code` is stable; `isInstance` survives two
 * copies of this package in one process, where `instanceof` would not.
 */
export class CodyError extends Error {
  readonly code: string;
  readonly details: unknown;
  readonly isRetryable: boolean;

  constructor(code: string, message: string, options: CodyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CodyError';
    this.code = code;
    this.details = options.details;
    this.isRetryable = options.isRetryable ?? false;
    // a global-symbol brand, so isInstance works across duplicate copies of this package
    Object.defineProperty(this, marker, { value: true });
  }

  static isInstance(value: unknown): value is CodyError {
    return typeof value === 'object' && value !== null && marker in value;
  }

  /** The `{code, message, details?}` shape events, snapshots and HTTP errors carry. */
  toInfo(): { code: string; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}
