import type { StreamEvent } from '@cody/schema';
import { fieldValue } from './field-value';

/** One entry of a run stream: its Redis id and the event it carries. */
export interface StreamEntry {
  id: string;
  /**
   * Parsed from field `e`. Events are validated when published and only parsed when read;
   * consumers that must not trust the stream validate again (`applyEvent` does).
   */
  event: StreamEvent;
  /**
   * The JSON text the entry holds, when it parsed: the bytes written to Redis, which an SSE
   * writer can send as they are instead of serialising `event` again.
   */
  json?: string;
}

/** Raw entries as Redis returns them: `[id, [field, value, ...]]`. */
export type RawStreamEntry = [id: string, fields: string[] | null];

/** Decodes raw XRANGE/XREAD entries; an entry whose `e` is not JSON carries the raw text. */
export function decodeStreamEntries(raw: readonly RawStreamEntry[]): StreamEntry[] {
  const entries: StreamEntry[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const [id, fields] = raw[i] as RawStreamEntry;
    entries[i] = decodeEntry(id, fields);
  }
  return entries;
}

function decodeEntry(id: string, fields: string[] | null): StreamEntry {
  const text = fieldValue(fields, 'e');
  if (text === undefined) return { id, event: null as unknown as StreamEvent };
  try {
    return { id, event: JSON.parse(text) as StreamEvent, json: text };
  } catch {
    // left to validating consumers, which turn it into an INVALID_EVENT error
    return { id, event: text as unknown as StreamEvent };
  }
}
