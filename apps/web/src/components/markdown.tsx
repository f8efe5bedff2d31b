import { memo, useRef } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { createMarkdownSplitter, type MarkdownSplitter } from '../lib/markdown-splitter';
import { CodeBlock } from './code-block';

const remarkPlugins = [remarkGfm];

const components: Components = {
  pre: CodeBlock,
  a: ({ node: _node, href, children, ...props }) => (
    <a {...props} href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  ),
};

/** One independent piece of a long text: parsed again only when its own text changes. */
const MarkdownBlock = memo(function MarkdownBlock({ text }: { text: string }) {
  return (
    <ReactMarkdown remarkPlugins={remarkPlugins} components={components}>
      {text}
    </ReactMarkdown>
  );
});

/**
 * Markdown (GFM) that stays fast while it streams: the text is split into blocks and only the
 * open last block is parsed again when text arrives, so a 1 MiB message costs a few KiB per frame.
 */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const splitter = useRef<MarkdownSplitter | null>(null);
  splitter.current ??= createMarkdownSplitter();
  const { blocks, tail } = splitter.current(text);
  return (
    <div className="markdown">
      {blocks.map((block, index) => (
        // blocks only ever append, so the index is a stable identity
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <MarkdownBlock key={index} text={block} />
      ))}
      {tail === '' ? null : <MarkdownBlock key={blocks.length} text={tail} />}
    </div>
  );
});
