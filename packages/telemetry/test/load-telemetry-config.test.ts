import { describe, expect, it } from 'vitest';
import { LANGFUSE_CLOUD, loadTelemetryConfig } from '../src/index';

describe('loadTelemetryConfig', () => {
  it('exports nothing and records no content by default', () => {
    const config = loadTelemetryConfig({});
    expect(config).toMatchObject({ destinations: [], console: false, disabled: false, traceContent: false });
    expect(config.scheduleDelayMs).toBe(500);
  });

  it('OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/traces appended; the traces endpoint is used as is', () => {
    expect(loadTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }).destinations).toEqual([
      { name: 'otlp', url: 'http://c:4318/v1/traces', headers: {}, protocol: 'http/protobuf' },
    ]);
    expect(
      loadTelemetryConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:1/custom',
      }).destinations[0]?.url,
    ).toBe('http://t:1/custom');
  });

  it('headers (percent-decoded, signal-specific wins), protocol, service name, resource attributes', () => {
    const config = loadTelemetryConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c',
      OTEL_EXPORTER_OTLP_HEADERS: 'a=1, authorization=Basic%20eHk6eg==',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'a=2',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.name=from-attrs',
    });
    expect(config.destinations[0]).toMatchObject({
      headers: { a: '2', authorization: 'Basic eHk6eg==' },
      protocol: 'http/json',
    });
    expect(config.serviceName).toBe('from-attrs');
    expect(config.resourceAttributes['deployment.environment']).toBe('prod');
    expect(
      loadTelemetryConfig({ OTEL_SERVICE_NAME: 'mine', OTEL_RESOURCE_ATTRIBUTES: 'service.name=x' })
        .serviceName,
    ).toBe('mine');
  });

  it("Langfuse keys add Langfuse's OTLP endpoint with basic auth (Cloud by default)", () => {
    const config = loadTelemetryConfig({ LANGFUSE_PUBLIC_KEY: 'pk', LANGFUSE_SECRET_KEY: 'sk' });
    expect(config.destinations).toEqual([
      {
        name: 'langfuse',
        url: `${LANGFUSE_CLOUD}/api/public/otel/v1/traces`,
        headers: { authorization: `Basic ${Buffer.from('pk:sk').toString('base64')}` },
        protocol: 'http/protobuf',
      },
    ]);
    expect(
      loadTelemetryConfig({
        LANGFUSE_PUBLIC_KEY: 'pk',
        LANGFUSE_SECRET_KEY: 'sk',
        LANGFUSE_BASEURL: 'http://lf:3000/',
      }).destinations[0]?.url,
    ).toBe('http://lf:3000/api/public/otel/v1/traces');
  });

  it('OTEL_SDK_DISABLED and OTEL_TRACES_EXPORTER=none export nothing; console prints', () => {
    expect(
      loadTelemetryConfig({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }),
    ).toMatchObject({
      disabled: true,
      destinations: [],
    });
    expect(
      loadTelemetryConfig({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' })
        .destinations,
    ).toEqual([]);
    expect(loadTelemetryConfig({ OTEL_TRACES_EXPORTER: 'console' }).console).toBe(true);
  });

  it('CODY_TRACE_CONTENT=on turns content on', () => {
    expect(loadTelemetryConfig({ CODY_TRACE_CONTENT: 'on' }).traceContent).toBe(true);
    expect(loadTelemetryConfig({ CODY_TRACE_CONTENT: 'off' }).traceContent).toBe(false);
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_EXPORTER_OTLP_HEADERS: 'novalue' },
      'OTEL_EXPORTER_OTLP_HEADERS',
    ],
    [{ LANGFUSE_PUBLIC_KEY: 'pk' }, 'LANGFUSE_SECRET_KEY'],
    [{ LANGFUSE_SECRET_KEY: 'sk' }, 'LANGFUSE_PUBLIC_KEY'],
    [{ CODY_TRACE_CONTENT: 'yes please' }, 'CODY_TRACE_CONTENT'],
    [{ OTEL_BSP_SCHEDULE_DELAY: 'soon' }, 'OTEL_BSP_SCHEDULE_DELAY'],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER'],
  ])('a bad value is a CONFIGURATION_ERROR naming the variable: %j', (env, variable) => {
    expect(() => loadTelemetryConfig(env)).toThrow(
      expect.objectContaining({ code: 'CONFIGURATION_ERROR', message: expect.stringContaining(variable) }),
    );
  });
});
