import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * A SpanExporter that loads the real one on first use: the OTLP exporters (protobufjs and
 * friends) cost a second of start-up on a busy machine, which a process that exports nothing,
 * or not yet, should not pay.
 */
export class LazySpanExporter implements SpanExporter {
  private real: Promise<SpanExporter> | undefined;

  constructor(private readonly load: () => Promise<SpanExporter>) {}

  private exporter(): Promise<SpanExporter> {
    this.real ??= this.load();
    return this.real;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.exporter().then(
      (exporter) => exporter.export(spans, resultCallback),
      (error: Error) => resultCallback({ code: ExportResultCode.FAILED, error }),
    );
  }

  async shutdown(): Promise<void> {
    if (this.real) await (await this.real).shutdown();
  }

  async forceFlush(): Promise<void> {
    if (this.real) await (await this.real).forceFlush?.();
  }
}
