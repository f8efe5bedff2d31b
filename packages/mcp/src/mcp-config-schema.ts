import { z } from 'zod';

// `mcp__<server>__<tool>` must stay parseable and within what providers accept for tool names
const serverName = /^[A-Za-z0-9][A-Za-z0-9-]*(?:_[A-Za-z0-9-]+)*$/;

/** A name under `mcpServers`: letters, digits, `-`, single `_` (never `__`), at most 32 characters. */
export const McpServerNameSchema = z
  .string()
  .max(32)
  .regex(serverName, 'letters, digits, "-" and single "_" only (it becomes part of mcp__<server>__<tool>)');

/** A server Cody starts and talks to over stdin/stdout (Claude Desktop / Cursor / Claude Code shape). */
export const McpStdioServerConfigSchema = z.strictObject({
  type: z.literal('stdio').optional(),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  /** Added to the allowlisted environment (never the worker's whole environment). */
  env: z.record(z.string(), z.string()).default({}),
});
export type McpStdioServerConfig = z.infer<typeof McpStdioServerConfigSchema>;

/** A server reached over Streamable HTTP. */
export const McpHttpServerConfigSchema = z.strictObject({
  type: z.enum(['http', 'streamable-http']).optional(),
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).default({}),
});
export type McpHttpServerConfig = z.infer<typeof McpHttpServerConfigSchema>;

export type McpServerConfig =
  | ({ transport: 'stdio' } & McpStdioServerConfig)
  | ({ transport: 'http' } & McpHttpServerConfig);

/** The file `CODY_MCP_CONFIG` names: `{"mcpServers": {"<name>": {...}}}`. */
export const McpConfigFileSchema = z.strictObject({
  mcpServers: z.record(McpServerNameSchema, z.unknown()),
});

/** The servers of a valid file, by name. */
export interface McpConfig {
  /** The file it was read from. */
  path: string;
  servers: Record<string, McpServerConfig>;
}
