const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Splits well-formed text into pieces of at most `maxBytes` UTF-8 bytes, never inside a
 * character, so each piece is valid text on its own and the pieces join back to `text` exactly.
 * (JSON.stringify output is always well-formed: it escapes lone surrogates.)
 */
export function splitUtf8(text: string, maxBytes: number): { pieces: string[]; bytes: number } {
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return { pieces: [text], bytes: bytes.length };
  const pieces: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + maxBytes, bytes.length);
    // back off continuation bytes (10xxxxxx) so the cut falls between characters
    while (end < bytes.length && end > start && (bytes[end]! & 0xc0) === 0x80) end--;
    pieces.push(decoder.decode(bytes.subarray(start, end)));
    start = end;
  }
  return { pieces, bytes: bytes.length };
}
