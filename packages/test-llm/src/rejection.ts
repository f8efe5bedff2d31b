/** An error answer the server sends instead of a stream. */
export interface Rejection {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}
