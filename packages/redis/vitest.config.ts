import { codyVitestConfig } from '@cody/vitest-config';
import { defineConfig } from 'vitest/config';

// The OpenTelemetry SDK (a dev dependency, for the trace tests) ships bundler-only ESM that
// Node cannot import as is; pre-bundle it for the tests.
const otelSdk = ['@opentelemetry/core', '@opentelemetry/sdk-trace-base', '@opentelemetry/context-async-hooks'];

export default defineConfig(codyVitestConfig({ test: { deps: { optimizer: { ssr: { enabled: true, include: otelSdk } } } } }));
