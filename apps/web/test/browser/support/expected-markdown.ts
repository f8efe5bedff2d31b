// What the app must show for a text: the app's own Markdown component rendered to HTML in Node.
// The browser's DOM is compared with it, so a lost, doubled or reordered character shows.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { Markdown } from '../../../src/components/markdown';

export function markdownHtml(text: string): string {
  return renderToStaticMarkup(createElement(Markdown, { text }));
}

/** The text after each delta: every state a correct stream can be seen in. */
export function prefixes(deltas: readonly string[]): string[] {
  const result: string[] = [];
  let text = '';
  for (const delta of deltas) {
    text += delta;
    result.push(text);
  }
  return result;
}
