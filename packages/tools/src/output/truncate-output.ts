import { utf8Boundary } from './utf8-boundary';

/**
 * Caps a tool's text at `maxBytes` of UTF-8, keeping the start and the end (where errors and
 * summaries usually are) and saying how much was left out.
 */
export function truncateOutput(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 4) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const headEnd = utf8Boundary(bytes, Math.floor(maxBytes * 0.6));
  let tailStart = bytes.length - (maxBytes - headEnd);
  while (tailStart < bytes.length && ((bytes[tailStart] as number) & 0xc0) === 0x80) tailStart++;
  const omitted = tailStart - headEnd;
  return `${bytes.subarray(0, headEnd).toString('utf8')}\n[… ${omitted} bytes of output omitted (cap ${maxBytes} bytes) …]\n${bytes.subarray(tailStart).toString('utf8')}`;
}
