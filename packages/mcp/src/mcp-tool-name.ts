import { createHash } from 'node:crypto';
import { MCP_TOOL_PREFIX } from '@cody/schema';

// OpenAI and Anthropic both accept ^[a-zA-Z0-9_-]{1,64}$ as a tool name
const MAX_NAME = 64;

/** The name the model calls for `tool` of `server`: `mcp__<server>__<tool>`, made provider-safe. */
export function mcpToolName(server: string, tool: string): string {
  const name = `${MCP_TOOL_PREFIX}${server}__${tool.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  if (name.length <= MAX_NAME && name === `${MCP_TOOL_PREFIX}${server}__${tool}`) return name;
  // changed or cut: a hash of the real name keeps two tools from colliding
  const hash = createHash('sha256').update(tool).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_NAME - 9)}_${hash}`;
}
