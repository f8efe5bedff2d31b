import { trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { LazySpanExporter } from './lazy-span-exporter';
import { loadTelemetryConfig, type OtlpDestination, type TelemetryConfig } from './load-telemetry-config';

export interface TelemetryOptions {
  /** From `loadTelemetryConfig(env)`; default: read from `env` (or process.env). */
  config?: TelemetryConfig;
  env?: Record<string, string | undefined>;
  /** Extra processors, e.g. an in-memory exporter that a test reads. */
  spanProcessors?: SpanProcessor[];
  /** Used when OTEL_SERVICE_NAME does not say (cody-server, cody-worker). */
  serviceName?: string;
}

export interface Telemetry {
  readonly config: TelemetryConfig;
  /** Exports what is buffered now. */
  flush(): Promise<void>;
  /** Flushes, then stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Registers a tracer provider with W3C propagation and async context, so a run's submit, model
 * calls, publishes, persistence and tools join one trace across processes. Each configured
 * destination (OTLP endpoint, Langfuse) gets a batch processor with a short delay; with none,
 * spans are still created (ids for logs and trace_context) but nothing leaves the process.
 */
export function startTelemetry(options: TelemetryOptions = {}): Telemetry {
  const config = options.config ?? loadTelemetryConfig(options.env ?? process.env);
  if (config.disabled) {
    return { config, flush: async () => {}, shutdown: async () => {} };
  }
  const processors = [...(options.spanProcessors ?? [])];
  const batch = (exporter: SpanExporter) =>
    new BatchSpanProcessor(exporter, { scheduledDelayMillis: config.scheduleDelayMs });
  for (const destination of config.destinations) processors.push(batch(exporterFor(destination)));
  if (config.console) processors.push(batch(new ConsoleSpanExporter()));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      ...config.resourceAttributes,
      [ATTR_SERVICE_NAME]: config.serviceName ?? options.serviceName ?? 'cody',
    }),
    spanProcessors: processors,
  });
  provider.register();
  return {
    config,
    flush: () => provider.forceFlush().catch(() => {}),
    async shutdown() {
      await provider.shutdown().catch(() => {});
      trace.disable();
    },
  };
}

function exporterFor(destination: OtlpDestination): SpanExporter {
  const options = { url: destination.url, headers: destination.headers };
  return new LazySpanExporter(async () =>
    destination.protocol === 'http/json'
      ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter(options)
      : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter(options),
  );
}
