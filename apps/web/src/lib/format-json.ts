/** Pretty-prints JSON text; returns it unchanged when it is not (yet) valid JSON. */
export function formatJson(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return text;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return text;
  }
}
