/** Names of tools that come from MCP servers start with this, then `<server>__<tool>`. */
export const MCP_TOOL_PREFIX = 'mcp__';

/** `mcp__<server>__<tool>` → its parts; undefined for any other name. Server names never hold `__`. */
export function parseMcpToolName(name: string): { server: string; tool: string } | undefined {
  if (!name.startsWith(MCP_TOOL_PREFIX)) return undefined;
  const rest = name.slice(MCP_TOOL_PREFIX.length);
  const cut = rest.indexOf('__');
  if (cut <= 0 || cut + 2 >= rest.length) return undefined;
  return { server: rest.slice(0, cut), tool: rest.slice(cut + 2) };
}
