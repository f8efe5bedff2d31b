/**
 * Parses the `key=value,key2=value2` lists of OTEL_EXPORTER_OTLP_HEADERS and
 * OTEL_RESOURCE_ATTRIBUTES (W3C Baggage syntax: values percent-decoded, blanks trimmed).
 * Returns undefined for a malformed list so the caller can name the variable.
 */
export function parseOtelList(text: string | undefined): Record<string, string> | undefined {
  const result: Record<string, string> = {};
  if (!text?.trim()) return result;
  for (const pair of text.split(',')) {
    if (!pair.trim()) continue;
    const at = pair.indexOf('=');
    if (at <= 0) return undefined;
    const key = pair.slice(0, at).trim();
    try {
      result[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      return undefined;
    }
    if (!key) return undefined;
  }
  return result;
}
