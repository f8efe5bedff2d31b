import { z } from 'zod';

/** One tool of an MCP server as Cody declares it to the model. */
export const McpToolInfoSchema = z.strictObject({
  /** The name the model calls: `mcp__<server>__<tool>` (characters a provider refuses replaced). */
  name: z.string(),
  /** The tool's own name on its server. */
  tool: z.string(),
  description: z.string().optional(),
  /** JSON Schema of the arguments (the server's `inputSchema`, `type: 'object'`). */
  parameters: z.record(z.string(), z.unknown()),
  /** The server marked it `readOnlyHint`; every other MCP tool is treated as having side effects. */
  readOnly: z.boolean(),
});
export type McpToolInfo = z.infer<typeof McpToolInfoSchema>;

export const McpServerStateSchema = z.enum(['connecting', 'ready', 'down', 'stopped']);
export type McpServerState = z.infer<typeof McpServerStateSchema>;

/** What a tool worker knows about one configured MCP server (published to Redis, shown by GET /config). */
export const McpServerStatusSchema = z.strictObject({
  name: z.string(),
  transport: z.enum(['stdio', 'http']),
  state: McpServerStateSchema,
  /** Why it is down, when it is. */
  error: z.string().optional(),
  /** The last tool list it gave (kept while it restarts). */
  tools: z.array(McpToolInfoSchema),
  /** Epoch ms of this status. */
  updatedAt: z.number(),
});
export type McpServerStatus = z.infer<typeof McpServerStatusSchema>;
