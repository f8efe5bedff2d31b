export {
  type AnswerOutcome,
  answerToolCall,
  isToolCallAnswered,
  type ScriptStartOutcome,
  scriptField,
  startScriptExecution,
} from './answer-tool-call';
export { type CallStartOutcome, recordCallStart, startField } from './call-start-record';
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
export { ProcessReaper, REAPER_MARK_VARIABLE } from './process-reaper';
export { INTERRUPTED_MESSAGE, READ_ONLY_TOOLS, type ReclaimAction, reclaimPolicy } from './reclaim-policy';
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
