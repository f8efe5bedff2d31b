export type BadgeTone = 'neutral' | 'busy' | 'success' | 'failure' | 'warning';

/** A short status word with a tone; the word carries the meaning, the colour only repeats it. */
export function StatusBadge({ tone, children }: { tone: BadgeTone; children: string }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
