import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  /** OTLP/HTTP collector base URL (Langfuse and others accept it); unset: nothing is exported. */
  otlpEndpoint?: string | undefined;
  /** Extra processors, e.g. an in-memory exporter that a test reads. */
  spanProcessors?: SpanProcessor[];
  serviceName?: string;
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Registers a tracer provider with W3C propagation and async context, so a run's submit, model
 * calls, publishes, persistence and tools join one trace. Without an endpoint or processors,
 * spans are still created (ids for logs and trace_context) but nothing leaves the process.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const processors = [...(options.spanProcessors ?? [])];
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? 'cody-server' }),
    spanProcessors: processors,
  });
  provider.register();
  return {
    async shutdown() {
      await provider.shutdown().catch(() => {});
      trace.disable();
    },
  };
}
