import { type ComponentPropsWithoutRef, isValidElement, useEffect, useRef, useState } from 'react';
import type { ExtraProps } from 'react-markdown';

/** A fenced code block with its language and a copy button. */
export function CodeBlock({ node: _node, children, ...props }: ComponentPropsWithoutRef<'pre'> & ExtraProps) {
  const ref = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState(false);
  const className = isValidElement<{ className?: string }>(children) ? children.props.className : undefined;
  const language = /language-([\w+#.-]+)/.exec(className ?? '')?.[1];

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = () => {
    const text = ref.current?.textContent ?? '';
    navigator.clipboard?.writeText(text).then(
      () => setCopied(true),
      () => undefined,
    );
  };

  return (
    <div className="code-block">
      <div className="code-block-bar">
        <span className="code-block-language">{language ?? 'code'}</span>
        <button type="button" className="button-quiet button-small" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
          <span className="visually-hidden"> code{language ? ` (${language})` : ''}</span>
        </button>
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
      <pre ref={ref} {...props} tabIndex={0}>
        {children}
      </pre>
    </div>
  );
}
