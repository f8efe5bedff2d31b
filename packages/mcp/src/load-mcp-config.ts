import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatValidationError } from '@cody/schema';
import type { z } from 'zod';
import { McpConfigError } from './errors/mcp-config-error';
import { expandVariables } from './expand-variables';
import {
  type McpConfig,
  McpConfigFileSchema,
  McpHttpServerConfigSchema,
  type McpServerConfig,
  McpStdioServerConfigSchema,
} from './mcp-config-schema';

/**
 * Reads the file `CODY_MCP_CONFIG` names (relative to `cwd`); undefined when the variable is
 * unset. `${VAR}` references in commands, args, env, URLs and headers are filled from `env`.
 * Anything wrong — no file, bad JSON, an unknown field, a missing variable — throws an
 * McpConfigError naming the server and the field.
 */
export function loadMcpConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): McpConfig | undefined {
  const raw = env.CODY_MCP_CONFIG?.trim();
  if (!raw) return undefined;
  const file = path.resolve(cwd, raw);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new McpConfigError(`cannot read ${file}: ${(error as Error).message}`);
  }
  return parseMcpConfig(text, file, env);
}

/** Validates the text of a config file (see loadMcpConfig). */
export function parseMcpConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): McpConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new McpConfigError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const top = McpConfigFileSchema.safeParse(json);
  if (!top.success) throw new McpConfigError(`${file}: ${formatValidationError(top.error)}`);

  const servers: Record<string, McpServerConfig> = {};
  for (const [name, value] of Object.entries(top.data.mcpServers)) {
    const where = `${file}: server "${name}"`;
    const http = typeof value === 'object' && value !== null && 'url' in value;
    const schema: z.ZodType = http ? McpHttpServerConfigSchema : McpStdioServerConfigSchema;
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      throw new McpConfigError(`${where}: ${formatValidationError(parsed.error, `mcpServers.${name}`)}`);
    const expanded = expandAll(parsed.data, env, where);
    servers[name] = { transport: http ? 'http' : 'stdio', ...(expanded as object) } as McpServerConfig;
  }
  return { path: file, servers };
}

function expandAll(value: unknown, env: NodeJS.ProcessEnv, where: string, field = ''): unknown {
  if (typeof value === 'string') {
    const { value: out, missing } = expandVariables(value, env);
    if (missing.length > 0)
      throw new McpConfigError(`${where}: ${field}: \${${missing[0]}} is not set in the environment`);
    return out;
  }
  if (Array.isArray(value)) return value.map((item, i) => expandAll(item, env, where, `${field}[${i}]`));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        expandAll(item, env, where, field ? `${field}.${key}` : key),
      ]),
    );
  return value;
}
