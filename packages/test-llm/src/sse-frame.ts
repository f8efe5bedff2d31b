/** One SSE event as written on the wire, without the blank line that ends it. */
export interface SseFrame {
  event: string;
  raw: string;
}

/** Frames an event exactly as both providers do: `event:` line, one `data:` line. */
export function sseFrame(event: string, data: unknown): SseFrame {
  return { event, raw: `event: ${event}\ndata: ${JSON.stringify(data)}` };
}

/** Splits a recorded SSE body into its events, keeping each event's bytes as they are. */
export function parseSseFrames(text: string): SseFrame[] {
  const frames: SseFrame[] = [];
  for (const block of text.replace(/\r\n/g, '\n').split(/\n\n+/)) {
    if (block.trim() === '') continue;
    const eventLine = block.split('\n').find((line) => line.startsWith('event:'));
    frames.push({ event: eventLine ? eventLine.slice('event:'.length).trim() : 'message', raw: block });
  }
  return frames;
}
