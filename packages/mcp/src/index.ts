export { McpConfigError } from './errors/mcp-config-error';
export { expandVariables } from './expand-variables';
export { loadMcpConfig, parseMcpConfig } from './load-mcp-config';
export type { Logger } from './logger';
export { type McpCallOutput, mapCallToolResult } from './map-call-tool-result';
export {
  type McpConfig,
  McpConfigFileSchema,
  type McpHttpServerConfig,
  McpHttpServerConfigSchema,
  type McpServerConfig,
  McpServerNameSchema,
  type McpStdioServerConfig,
  McpStdioServerConfigSchema,
} from './mcp-config-schema';
export { type McpCallOptions, McpHub, type McpHubOptions } from './mcp-hub';
export { McpServerConnection, type McpServerConnectionOptions } from './mcp-server-connection';
export { mcpToolName } from './mcp-tool-name';
export { mcpToolParameters } from './mcp-tool-parameters';
export { type McpToolResult, mcpFailure } from './mcp-tool-result';
export {
  SandboxedStdioTransport,
  type SandboxedStdioTransportOptions,
} from './sandboxed-stdio-transport';
export {
  type ReadOnlyPath,
  ServerCommandNotFoundError,
  type ServerProgram,
  type ServerProgramOptions,
  serverProgramPaths,
} from './server-program-paths';
export { stdioSandboxUnavailableMessage } from './stdio-sandbox-unavailable-message';
export { stdioServerEnv } from './stdio-server-env';
