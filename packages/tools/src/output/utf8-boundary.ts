/** The largest index <= `end` that does not split a UTF-8 sequence in `bytes`. */
export function utf8Boundary(bytes: Uint8Array, end: number): number {
  let index = Math.min(end, bytes.length);
  // back off continuation bytes (10xxxxxx) so the cut lands on a character start
  while (index > 0 && index < bytes.length && ((bytes[index] as number) & 0xc0) === 0x80) index--;
  return index;
}
