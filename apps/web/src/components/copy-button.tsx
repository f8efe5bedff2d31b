import { useEffect, useState } from 'react';

/** Copies `text()` to the clipboard and says "Copied" for a moment. */
export function CopyButton({ text, label, what }: { text: () => string; label?: string; what: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = () => {
    navigator.clipboard?.writeText(text()).then(
      () => setCopied(true),
      () => undefined,
    );
  };
  return (
    <button type="button" className="button-quiet button-small" onClick={copy}>
      {copied ? 'Copied' : (label ?? 'Copy')}
      <span className="visually-hidden"> {what}</span>
    </button>
  );
}
