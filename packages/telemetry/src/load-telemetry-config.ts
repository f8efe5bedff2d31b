import { CodyError, ERROR_CODES } from '@cody/schema';
import { parseOtelList } from './parse-otel-list';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** One place spans are sent to. */
export interface OtlpDestination {
  name: 'otlp' | 'langfuse';
  /** The full traces URL (…/v1/traces). */
  url: string;
  headers: Record<string, string>;
  protocol: OtlpProtocol;
}

export interface TelemetryConfig {
  /** Empty: spans are made (ids for logs and trace_context) but none leaves the process. */
  destinations: OtlpDestination[];
  /** Print spans on stdout (OTEL_TRACES_EXPORTER=console). */
  console: boolean;
  /** OTEL_SDK_DISABLED=true: no tracer provider at all. */
  disabled: boolean;
  /** OTEL_SERVICE_NAME, else service.name of OTEL_RESOURCE_ATTRIBUTES, else the process' default. */
  serviceName: string | undefined;
  resourceAttributes: Record<string, string>;
  /** OTEL_BSP_SCHEDULE_DELAY; default 500 ms so a finished run shows within a second or two. */
  scheduleDelayMs: number;
  /**
   * CODY_TRACE_CONTENT=on: model-call and tool spans carry prompts, reasoning, answers, tool
   * arguments and results. Sensitive (whatever users and tools put in a run), so off by default.
   */
  traceContent: boolean;
}

export const LANGFUSE_CLOUD = 'https://cloud.langfuse.com';
const DEFAULT_SCHEDULE_DELAY_MS = 500;

const bad = (variable: string, why: string) =>
  new CodyError(ERROR_CODES.CONFIGURATION_ERROR, `invalid configuration: ${variable} ${why}`);
const text = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/**
 * Reads the OpenTelemetry settings as the OTel SDK specification defines them
 * (OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT / _HEADERS / _PROTOCOL, OTEL_SERVICE_NAME,
 * OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_EXPORTER, OTEL_SDK_DISABLED, OTEL_BSP_SCHEDULE_DELAY),
 * plus LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY / LANGFUSE_BASEURL for Langfuse's OTLP endpoint
 * and CODY_TRACE_CONTENT. A bad value throws a CONFIGURATION_ERROR naming the variable.
 */
export function loadTelemetryConfig(env: Record<string, string | undefined>): TelemetryConfig {
  const disabled = text(env.OTEL_SDK_DISABLED)?.toLowerCase() === 'true';
  const exporters = (text(env.OTEL_TRACES_EXPORTER) ?? 'otlp')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  for (const name of exporters) {
    if (!['otlp', 'console', 'none'].includes(name))
      throw bad('OTEL_TRACES_EXPORTER', `must list otlp, console or none (got ${JSON.stringify(name)})`);
  }
  const protocolVariable = text(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL)
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = text(env[protocolVariable]) ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw bad(
      protocolVariable,
      `must be http/protobuf or http/json (got ${JSON.stringify(protocol)}; gRPC is not supported)`,
    );
  }

  const destinations: OtlpDestination[] = [];
  const otlp = exporters.includes('otlp');
  const specific = text(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const general = text(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (otlp && (specific || general)) {
    const variable = specific ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
    const base = (specific ?? general) as string;
    if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol))
      throw bad(variable, `must be an http(s) URL (got ${JSON.stringify(base)})`);
    // the signal-specific endpoint is used as is; the general one gets the signal path appended
    const url = specific ?? `${base.replace(/\/+$/, '')}/v1/traces`;
    destinations.push({ name: 'otlp', url, headers: headersFrom(env), protocol });
  }

  const publicKey = text(env.LANGFUSE_PUBLIC_KEY);
  const secretKey = text(env.LANGFUSE_SECRET_KEY);
  if (publicKey && !secretKey) throw bad('LANGFUSE_SECRET_KEY', 'must be set with LANGFUSE_PUBLIC_KEY');
  if (secretKey && !publicKey) throw bad('LANGFUSE_PUBLIC_KEY', 'must be set with LANGFUSE_SECRET_KEY');
  if (publicKey && secretKey && otlp) {
    const baseVariable = text(env.LANGFUSE_BASEURL) ? 'LANGFUSE_BASEURL' : 'LANGFUSE_BASE_URL';
    const base = text(env[baseVariable]) ?? LANGFUSE_CLOUD;
    if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol))
      throw bad(baseVariable, `must be an http(s) URL (got ${JSON.stringify(base)})`);
    destinations.push({
      name: 'langfuse',
      url: `${base.replace(/\/+$/, '')}/api/public/otel/v1/traces`,
      headers: {
        authorization: `Basic ${Buffer.from(`${publicKey}:${secretKey}`).toString('base64')}`,
      },
      protocol,
    });
  }

  const resourceAttributes = parseOtelList(env.OTEL_RESOURCE_ATTRIBUTES);
  if (!resourceAttributes) throw bad('OTEL_RESOURCE_ATTRIBUTES', 'must be a list like key=value,key2=value2');

  const delay = text(env.OTEL_BSP_SCHEDULE_DELAY);
  const scheduleDelayMs = delay === undefined ? DEFAULT_SCHEDULE_DELAY_MS : Number(delay);
  if (!Number.isInteger(scheduleDelayMs) || scheduleDelayMs < 0)
    throw bad('OTEL_BSP_SCHEDULE_DELAY', 'must be a whole number of milliseconds');

  const content = text(env.CODY_TRACE_CONTENT)?.toLowerCase() ?? 'off';
  if (!['on', 'off', 'true', 'false', '1', '0'].includes(content))
    throw bad('CODY_TRACE_CONTENT', `must be on or off (got ${JSON.stringify(content)})`);

  return {
    destinations: disabled ? [] : destinations,
    console: !disabled && exporters.includes('console'),
    disabled,
    serviceName: text(env.OTEL_SERVICE_NAME) ?? resourceAttributes['service.name'],
    resourceAttributes,
    scheduleDelayMs,
    traceContent: ['on', 'true', '1'].includes(content),
  };
}

function headersFrom(env: Record<string, string | undefined>): Record<string, string> {
  const general = parseOtelList(env.OTEL_EXPORTER_OTLP_HEADERS);
  if (!general) throw bad('OTEL_EXPORTER_OTLP_HEADERS', 'must be a list like key=value,key2=value2');
  const specific = parseOtelList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS);
  if (!specific) throw bad('OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'must be a list like key=value,key2=value2');
  return { ...general, ...specific };
}
