/** A block is closed at the first safe blank line after this many characters. */
const TARGET_BLOCK_CHARS = 4096;
/** Past this size a block is closed at a line end (or inside a giant line) even without a blank line. */
const MAX_BLOCK_CHARS = 32_768;

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;

interface Fence {
  char: string;
  length: number;
  /** The opening line, repeated at the top of a block that continues the code. */
  opener: string;
}

interface SplitState {
  /** Offset where the open (last) block starts. */
  end: number;
  /** A code fence open at `end`, continued from the previous block. */
  fence: Fence | undefined;
  blocks: readonly string[];
}

export interface MarkdownSplit {
  /** Blocks that will never change again (memoize them by text). */
  blocks: readonly string[];
  /** The open block that later text may still extend. */
  tail: string;
}

export type MarkdownSplitter = (text: string) => MarkdownSplit;

const INITIAL: SplitState = { end: 0, fence: undefined, blocks: [] };

/**
 * Splits growing Markdown into independent blocks so a streaming message re-parses only its
 * last few KiB per frame instead of the whole text. Blocks end at blank lines outside code
 * fences (never before an indented line, which may continue a list or code); a very long
 * fence is closed and reopened across blocks. Text up to ~4 KiB stays one block, so short
 * messages render exactly as one document. Successive calls with extended text reuse the
 * work already done, so a 1 MiB message costs linear time overall.
 */
export function createMarkdownSplitter(): MarkdownSplitter {
  let lastText = '';
  let state = INITIAL;
  return (text) => {
    const extendsLast = text.length >= state.end && text.startsWith(lastText.slice(0, state.end));
    state = scan(text, extendsLast ? state : INITIAL);
    lastText = text;
    const prefix = state.fence ? `${state.fence.opener}\n` : '';
    return { blocks: state.blocks, tail: prefix + text.slice(state.end) };
  };
}

/** One-shot form of the splitter. */
export function splitMarkdown(text: string): MarkdownSplit {
  return createMarkdownSplitter()(text);
}

function scan(text: string, from: SplitState): SplitState {
  let blockStart = from.end;
  // the fence the open block continues from the previous one (its opener is repeated on top)
  let startFence = from.fence;
  let fence = from.fence;
  let appended: string[] | undefined;
  const close = (end: number, suffix: string) => {
    const prefix = startFence ? `${startFence.opener}\n` : '';
    appended ??= [];
    appended.push(prefix + text.slice(blockStart, end) + suffix);
    blockStart = end;
    startFence = fence;
  };

  let pos = blockStart;
  let previousBlank = false;
  for (;;) {
    const newline = text.indexOf('\n', pos);
    if (newline === -1) break;
    const line = text.slice(pos, newline);
    if (
      fence === undefined &&
      previousBlank &&
      pos - blockStart >= TARGET_BLOCK_CHARS &&
      line.length > 0 &&
      line[0] !== ' ' &&
      line[0] !== '\t'
    ) {
      close(pos, '');
    }
    if (fence !== undefined) {
      if (closesFence(line, fence)) fence = undefined;
    } else {
      const match = FENCE_OPEN.exec(line);
      const marker = match?.[1];
      // a backtick fence's info string cannot contain a backtick (that is inline code)
      if (marker && !(marker[0] === '`' && line.slice(match[0].length).includes('`'))) {
        fence = { char: marker[0] as string, length: marker.length, opener: line };
      }
    }
    previousBlank = fence === undefined && line.trim() === '';
    pos = newline + 1;
    if (pos - blockStart >= MAX_BLOCK_CHARS) {
      close(pos, fence ? fence.char.repeat(fence.length) : '');
      previousBlank = false;
    }
  }
  // a giant unfinished line: cut at a space (or anywhere) so the open block stays small
  while (text.length - blockStart > MAX_BLOCK_CHARS) {
    const limit = blockStart + MAX_BLOCK_CHARS;
    const space = text.lastIndexOf(' ', limit);
    let cut = space > blockStart + MAX_BLOCK_CHARS / 2 ? space + 1 : limit;
    // never split a surrogate pair
    const code = text.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    close(cut, fence ? `\n${fence.char.repeat(fence.length)}` : '');
  }
  const blocks = appended ? [...from.blocks, ...appended] : from.blocks;
  return { end: blockStart, fence: startFence, blocks };
}

function closesFence(line: string, fence: Fence): boolean {
  let start = 0;
  while (start < 3 && line[start] === ' ') start += 1;
  let end = line.length;
  while (end > start && (line[end - 1] === ' ' || line[end - 1] === '\t' || line[end - 1] === '\r')) end -= 1;
  if (end - start < fence.length) return false;
  for (let i = start; i < end; i += 1) if (line[i] !== fence.char) return false;
  return true;
}
