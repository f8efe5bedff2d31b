export {
  LANGFUSE_CLOUD,
  loadTelemetryConfig,
  type OtlpDestination,
  type OtlpProtocol,
  type TelemetryConfig,
} from './load-telemetry-config';
export { parseOtelList } from './parse-otel-list';
export { startTelemetry, type Telemetry, type TelemetryOptions } from './start-telemetry';
