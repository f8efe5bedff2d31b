/** Cuts text into pieces of `size` characters without splitting a surrogate pair. */
export function chunkText(text: string, size: number): string[] {
  const chars = Array.from(text);
  const step = Math.max(1, Math.floor(size));
  const chunks: string[] = [];
  for (let i = 0; i < chars.length; i += step) chunks.push(chars.slice(i, i + step).join(''));
  return chunks;
}
