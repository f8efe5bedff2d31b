// The tracer setup lives in @cody/telemetry, shared with the standalone worker process.
export { startTelemetry, type Telemetry, type TelemetryOptions } from '@cody/telemetry';
