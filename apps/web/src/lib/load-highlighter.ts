import type { HLJSApi } from 'highlight.js';

let loading: Promise<HLJSApi> | undefined;

/**
 * highlight.js with its common languages (~40), loaded on first use as a chunk of its own, so
 * the first paint does not wait for it and pages without code never fetch it.
 */
export function loadHighlighter(): Promise<HLJSApi> {
  loading ??= import('highlight.js/lib/common').then((module) => module.default);
  return loading;
}
