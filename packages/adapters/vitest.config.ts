import { codyVitestConfig } from '@cody/vitest-config';
import { defineConfig } from 'vitest/config';

const config = codyVitestConfig();
const ssrResolve = config.ssr?.resolve;
// The shared `module` condition makes vitest load @opentelemetry/api's build/esm (imported by
// @anthropic-ai/sdk), whose extensionless imports Node cannot resolve; plain `node` works.
if (ssrResolve?.conditions)
  ssrResolve.conditions = ssrResolve.conditions.filter((condition) => condition !== 'module');

export default defineConfig(config);
