import { describe, expect, it } from 'vitest';
import { createMarkdownSplitter, splitMarkdown } from './markdown-splitter';

const paragraph = (i: number) => `Paragraph ${i}: ${'lorem ipsum dolor sit amet '.repeat(12)}\n\n`;
const fenceLines = (block: string) =>
  block.split('\n').filter((line) => /^ {0,3}(```|~~~)/.test(line)).length;

describe('createMarkdownSplitter', () => {
  it('keeps short text as a single open block', () => {
    const text = '# Title\n\nSome *text*.\n\n- a\n- b\n';
    expect(splitMarkdown(text)).toEqual({ blocks: [], tail: text });
  });

  it('cuts long text at blank lines into blocks that join back to the text', () => {
    const text = Array.from({ length: 200 }, (_, i) => paragraph(i)).join('');
    const { blocks, tail } = splitMarkdown(text);
    expect(blocks.length).toBeGreaterThan(5);
    expect(blocks.join('') + tail).toBe(text);
    for (const block of blocks) {
      expect(block.endsWith('\n\n')).toBe(true);
      expect(block.length).toBeLessThan(6000);
    }
  });

  it('never cuts inside a code fence or before an indented line', () => {
    const code = `\`\`\`js\n${'const x = 1;\n\n'.repeat(600)}\`\`\`\n\n`;
    const list = `- item\n\n    continued inside the item\n\n${'  more\n\n'.repeat(10)}`;
    const text = `${paragraph(0).repeat(20)}${code}${list}${paragraph(1).repeat(20)}`;
    const { blocks, tail } = splitMarkdown(text);
    expect(blocks.join('') + tail).toBe(text);
    for (const block of [...blocks, tail]) {
      expect(fenceLines(block) % 2).toBe(0);
      expect(block.startsWith(' ')).toBe(false);
    }
  });

  it('closes and reopens a giant code fence so every block parses on its own', () => {
    const text = `Intro\n\n\`\`\`python\n${'print("hello")\n'.repeat(10_000)}\`\`\`\n\nAfter.\n`;
    const { blocks, tail } = splitMarkdown(text);
    expect(blocks.length).toBeGreaterThan(3);
    for (const block of blocks) {
      expect(block.length).toBeLessThan(40_000);
      expect(fenceLines(block) % 2).toBe(0);
    }
    for (const block of blocks.slice(1)) expect(block.startsWith('```python\n')).toBe(true);
    const code = [...blocks, tail]
      .join('')
      .split('\n')
      .filter((line) => line === 'print("hello")');
    expect(code).toHaveLength(10_000);
  });

  it('keeps the open block small even for one giant line', () => {
    const text = 'word '.repeat(300_000);
    const { blocks, tail } = splitMarkdown(text);
    expect(blocks.join('') + tail).toBe(text);
    expect(tail.length).toBeLessThanOrEqual(32_768);
  });

  it('gives the same blocks whether the text arrives at once or in deltas, and never changes a closed block', () => {
    const text = Array.from({ length: 120 }, (_, i) =>
      i % 10 === 5 ? `\`\`\`ts\nconst n${i} = ${i};\n\nconsole.log(n${i});\n\`\`\`\n\n` : paragraph(i),
    ).join('');
    const split = createMarkdownSplitter();
    let closed: readonly string[] = [];
    for (let end = 0; end <= text.length; end += 97) {
      const { blocks } = split(text.slice(0, end));
      expect(blocks.slice(0, closed.length)).toEqual(closed);
      closed = blocks;
    }
    expect(split(text)).toEqual(splitMarkdown(text));
  });

  it('starts over when the text is replaced rather than extended', () => {
    const split = createMarkdownSplitter();
    const long = Array.from({ length: 100 }, (_, i) => paragraph(i)).join('');
    split(long);
    expect(split('short')).toEqual({ blocks: [], tail: 'short' });
  });
});
