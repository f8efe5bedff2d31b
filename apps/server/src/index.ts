export { loadConfig, type ServerConfig, ServerConfigSchema } from './config';
export { type CodyServer, type CodyServerOptions, createCodyServer } from './create-cody-server';
export type { ServerContext } from './server-context';
export { startTelemetry, type Telemetry, type TelemetryOptions } from './telemetry';
