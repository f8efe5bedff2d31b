export { defaultScript } from './default-script';
export { providerErrorBody } from './provider-error-body';
export type { ProviderKind } from './provider-kind';
export type { RecordedRequest, RequestOutcome, ToolResultEntry } from './recorded-request';
export {
  fixturesDir,
  listRecordings,
  loadRecording,
  type RecordingInfo,
  recordingProvider,
} from './recordings';
export { replies } from './replies';
export type {
  HttpErrorReply,
  RecordingReply,
  Reply,
  ScriptedFinish,
  ScriptedPart,
  ScriptedUsage,
  StreamControls,
  TurnReply,
} from './reply';
export { matchesRequest, type RequestMatcher, type Rule } from './rule';
export { parseSseFrames, type SseFrame } from './sse-frame';
export { startTestLlm, type TestLlm, type TestLlmOptions } from './start-test-llm';
export type { DeclaredTool, TranscriptEntry } from './transcript';
export { signThinking } from './wire-ids';
