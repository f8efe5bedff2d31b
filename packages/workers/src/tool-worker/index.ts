export {
  type AnswerOutcome,
  answerToolCall,
  isToolCallAnswered,
  type ScriptStartOutcome,
  scriptField,
  startScriptExecution,
} from './answer-tool-call';
export { enqueueToolRequest } from './enqueue-tool-request';
export {
  loadToolWorkerConfig,
  type McpToolWorkerConfig,
  type ToolWorkerConfig,
} from './load-tool-worker-config';
export {
  MCP_CATALOGUE_TTL_MS,
  mcpToolDeclarations,
  publishMcpCatalogue,
  readMcpCatalogue,
} from './mcp-catalogue';
export {
  functionCallOutputPayloads,
  scriptExecutionPayloads,
  scriptOutputPayloads,
} from './tool-output-payloads';
export {
  type ParsedToolRequest,
  parseToolRequest,
  type ToolRequest,
  toolRequestFields,
} from './tool-request';
export { startToolWorker, ToolWorker, type ToolWorkerOptions, type ToolWorkerStats } from './tool-worker';
