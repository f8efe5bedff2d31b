/**
 * The server's `inputSchema` as both providers take it: an object schema without `$schema`
 * (the adapters send it non-strict to OpenAI and as `input_schema` to Anthropic).
 */
export function mcpToolParameters(inputSchema: Record<string, unknown> | undefined): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = inputSchema ?? {};
  return { ...rest, type: 'object', properties: (rest.properties as object | undefined) ?? {} };
}
