/** Cuts a text into deltas of `size` characters (code points: an emoji is never split). */
export function splitDeltas(text: string, size: number): string[] {
  const chars = Array.from(text);
  const deltas: string[] = [];
  for (let i = 0; i < chars.length; i += size) deltas.push(chars.slice(i, i + size).join(''));
  return deltas;
}
