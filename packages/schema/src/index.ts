export {
  type ApprovalDecisionBody,
  ApprovalDecisionBodySchema,
  type ApprovalMode,
  ApprovalModeSchema,
  type ApprovalState,
  ApprovalStateSchema,
  type ApprovalStatus,
  ApprovalStatusSchema,
} from './approval';
export { type ErrorInfo, ErrorInfoSchema } from './error-info';
export { CodyError, type CodyErrorOptions } from './errors/cody-error';
export { ERROR_CODES, type ErrorCode } from './errors/error-codes';
export { ValidationError } from './errors/validation-error';
export { formatValidationError } from './format-validation-error';
export { CodyIdSchema, ProviderIdSchema } from './ids';
export {
  type McpServerState,
  McpServerStateSchema,
  type McpServerStatus,
  McpServerStatusSchema,
  type McpToolInfo,
  McpToolInfoSchema,
} from './mcp-server-status';
export { MCP_TOOL_PREFIX, parseMcpToolName } from './mcp-tool-name';
export {
  type ErrorItem,
  ErrorItemSchema,
  type FunctionCallItem,
  FunctionCallItemSchema,
  type FunctionCallOutputItem,
  FunctionCallOutputItemSchema,
  type ItemOrigin,
  ItemOriginSchema,
  type MessageItem,
  MessageItemSchema,
  type OutputItem,
  OutputItemSchema,
  type OutputItemType,
  OutputItemTypeSchema,
  type ProviderData,
  ProviderDataSchema,
  type ReasoningItem,
  ReasoningItemSchema,
  type ScriptExecutionItem,
  ScriptExecutionItemSchema,
  type ScriptExecutionOutputItem,
  ScriptExecutionOutputItemSchema,
} from './output-item';
export { type ParseResult, parseStreamEvent, safeParseStreamEvent } from './parse-stream-event';
export {
  FINISH_REASONS,
  type FinishReason,
  FinishReasonSchema,
  isTerminalStatus,
  type Response,
  ResponseSchema,
  type ResponseStatus,
  ResponseStatusSchema,
  TERMINAL_STATUSES,
  type TerminalStatus,
  TimestampSchema,
} from './response';
export {
  type PayloadOf,
  STREAM_EVENT_TYPES,
  type StreamEvent,
  StreamEventSchema,
  type StreamEventType,
  type StreamPayload,
  StreamPayloadSchema,
} from './stream-event';
export { compareStreamIds, StreamIdSchema } from './stream-id';
export { type Thread, ThreadSchema } from './thread';
export { type TraceContext, TraceContextSchema } from './trace-context';
export { type Usage, UsageSchema } from './usage';
