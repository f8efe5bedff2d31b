import type { ToolDeclaration } from '@cody/adapters';
import type { RedisTransport } from '@cody/redis';
import { type McpServerStatus, McpServerStatusSchema } from '@cody/schema';

// a worker refreshes its entries every few seconds; a dead worker's vanish after this
export const MCP_CATALOGUE_TTL_MS = 60_000;

/**
 * Writes what a tool worker knows of its MCP servers into `<prefix>mcp:servers` (one field per
 * server, JSON). The run driver, possibly in another process, declares their tools from it; the
 * server's GET /config shows it. Several workers with the same config overwrite each other's
 * fields with equivalent statuses.
 */
export async function publishMcpCatalogue(
  transport: RedisTransport,
  servers: readonly McpServerStatus[],
): Promise<void> {
  if (servers.length === 0) return;
  const key = transport.keys.mcpServers;
  const fields = servers.flatMap((server) => [server.name, JSON.stringify(server)]);
  await transport.redis
    .multi()
    .hset(key, ...fields)
    .pexpire(key, MCP_CATALOGUE_TTL_MS)
    .exec();
}

/** The MCP servers the tool workers published, by name order; entries that fail the schema are skipped. */
export async function readMcpCatalogue(transport: RedisTransport): Promise<McpServerStatus[]> {
  const raw = await transport.redis.hgetall(transport.keys.mcpServers);
  const servers: McpServerStatus[] = [];
  for (const value of Object.values(raw)) {
    try {
      const parsed = McpServerStatusSchema.safeParse(JSON.parse(value));
      if (parsed.success) servers.push(parsed.data);
    } catch {
      // not JSON: not ours to declare
    }
  }
  return servers.sort((a, b) => a.name.localeCompare(b.name));
}

/** The tools of published MCP servers as the adapters declare them (a server that is down keeps its last list). */
export function mcpToolDeclarations(servers: readonly McpServerStatus[]): ToolDeclaration[] {
  return servers
    .filter((server) => server.state !== 'stopped')
    .flatMap((server) =>
      server.tools.map((tool) => ({
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        parameters: tool.parameters,
      })),
    );
}
