/** The value of `name` in a flat `[field, value, ...]` list. */
export function fieldValue(fields: readonly string[] | null, name: string): string | undefined {
  if (fields === null) return undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
