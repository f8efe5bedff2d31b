import type { Response } from '@cody/schema';

/** One part of a snapshot as stored in Convex: part 0 is the header, part k is output item k-1. */
export interface EncodedPart {
  text: string;
  digest: string;
  item_id?: string;
  item_type?: string;
}

/**
 * Splits a Response into JSON texts: the header keeps every key in place (output_items is `[]`
 * there and filled back on read), so the reassembled snapshot serialises to the same text.
 */
export async function encodeParts(response: Response): Promise<EncodedPart[]> {
  const header = { text: JSON.stringify({ ...response, output_items: [] }) };
  const items = response.output_items.map((item) => ({
    text: JSON.stringify(item),
    item_id: item.id,
    item_type: item.type,
  }));
  return await Promise.all(
    [header, ...items].map(async (part) => ({ ...part, digest: await sha256(part.text) })),
  );
}

/** Puts the parts back together; the inverse of encodeParts. */
export function decodeParts(texts: readonly string[]): Response {
  const [header, ...items] = texts;
  if (header === undefined) throw new Error('a stored snapshot has no header part');
  const response = JSON.parse(header) as Response;
  response.output_items = items.map((text) => JSON.parse(text));
  return response;
}

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest));
}
