import type { HLJSApi } from 'highlight.js';
import { type ComponentPropsWithoutRef, isValidElement, type ReactNode, useEffect, useState } from 'react';
import type { ExtraProps } from 'react-markdown';
import { loadHighlighter } from '../lib/load-highlighter';
import { CopyButton } from './copy-button';

// nothing to colour: left as react-markdown renders it
const PLAIN = new Set(['text', 'txt', 'plaintext', 'plain']);

/** A fenced code block with its language, syntax highlighting (highlight.js, lazy) and a copy button. */
export function CodeBlock({ node: _node, children, ...props }: ComponentPropsWithoutRef<'pre'> & ExtraProps) {
  const codeProps = isValidElement<{ className?: string; children?: ReactNode }>(children)
    ? children.props
    : undefined;
  const className = codeProps?.className;
  const language = /language-([\w+#.-]+)/.exec(className ?? '')?.[1];
  const text = textOf(codeProps?.children);
  const highlighter = useHighlighter(language !== undefined && !PLAIN.has(language.toLowerCase()));
  const known =
    language !== undefined &&
    !PLAIN.has(language.toLowerCase()) &&
    highlighter?.getLanguage(language) !== undefined;
  // highlight.js escapes the text it is given: its HTML holds only its own <span class="hljs-…">
  const html =
    known && highlighter ? highlighter.highlight(text, { language, ignoreIllegals: true }).value : undefined;

  return (
    <div className="code-block">
      <div className="code-block-bar">
        <span className="code-block-language">{language ?? 'code'}</span>
        <CopyButton text={() => text} what={`code${language ? ` (${language})` : ''}`} />
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
      <pre {...props} tabIndex={0}>
        {html === undefined ? (
          children
        ) : (
          // biome-ignore lint/security/noDangerouslySetInnerHtml: highlight.js output of escaped text
          <code className={`${className ?? ''} hljs`} dangerouslySetInnerHTML={{ __html: html }} />
        )}
      </pre>
    </div>
  );
}

function useHighlighter(wanted: boolean): HLJSApi | undefined {
  const [highlighter, setHighlighter] = useState<HLJSApi | undefined>(undefined);
  useEffect(() => {
    if (!wanted || highlighter) return;
    let live = true;
    loadHighlighter().then(
      (loaded) => {
        if (live) setHighlighter(loaded);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [wanted, highlighter]);
  return highlighter;
}

function textOf(node: ReactNode): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  return '';
}
