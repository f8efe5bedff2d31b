import { memo, useState } from 'react';

const PREVIEW_CHARS = 20_000;

export interface OutputBlockProps {
  label: string;
  text: string;
  tone?: 'normal' | 'error';
}

/** Pre-formatted text (tool output, results) that shows the first 20k characters until asked for all. */
export const OutputBlock = memo(function OutputBlock({ label, text, tone = 'normal' }: OutputBlockProps) {
  const [full, setFull] = useState(false);
  const long = text.length > PREVIEW_CHARS;
  const shown = long && !full ? text.slice(0, PREVIEW_CHARS) : text;
  return (
    <div className={`output-block output-block-${tone}`}>
      <div className="output-block-label">{label}</div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
      <pre tabIndex={0}>{shown === '' ? <span className="muted">(empty)</span> : shown}</pre>
      {long ? (
        <button type="button" className="button-quiet button-small" onClick={() => setFull((v) => !v)}>
          {full ? 'Show less' : `Show all (${formatSize(text.length)})`}
        </button>
      ) : null}
    </div>
  );
});

function formatSize(chars: number): string {
  if (chars < 1024) return `${chars} characters`;
  if (chars < 1024 * 1024) return `${(chars / 1024).toFixed(0)} K characters`;
  return `${(chars / 1024 / 1024).toFixed(1)} M characters`;
}
