import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createModelCatalogue, createProvider, type ModelProvider } from '@cody/adapters';
import { RedisTransport } from '@cody/redis';
import { createStore, type Store } from '@cody/store';
import { toolDeclarations } from '@cody/tools';
import {
  mcpToolDeclarations,
  PersistenceWorker,
  READ_ONLY_TOOLS,
  RunDriver,
  readMcpCatalogue,
  ToolWorker,
} from '@cody/workers';
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import pretty from 'pino-pretty';
import type { ServerConfig } from './config';
import { selectHistory } from './history/select-history';
import { apiDescription } from './http/api-docs';
import { installBearerAuth } from './http/bearer-auth';
import { clientErrorHandler } from './http/client-error-handler';
import { installErrorHandler } from './http/error-handler';
import { hostAllowlist } from './http/host-allowlist';
import { collectMethodNotAllowed } from './http/method-not-allowed';
import { installRateLimits } from './http/rate-limits';
import { installRequestGuards } from './http/request-guards';
import { installSecurityHeaders } from './http/security-headers';
import { SseCapacity } from './http/sse-capacity';
import { configRoutes } from './routes/config-routes';
import { healthRoutes } from './routes/health-routes';
import { runRoutes } from './routes/run-routes';
import { streamRoutes } from './routes/stream-routes';
import { threadRoutes } from './routes/thread-routes';
import type { ServerContext } from './server-context';

export interface CodyServerOptions {
  config: ServerConfig;
  /** Where provider keys and base URLs are read (`OPENAI_API_KEY`, …); process.env by default. */
  env?: Record<string, string | undefined>;
  /** Milliseconds between SSE heartbeats on an idle stream; default 15000. */
  sseHeartbeatMs?: number;
  /** Log to stdout (pino JSON); default true. */
  logger?: boolean;
  /** Human-readable log lines (pino-pretty) instead of JSON; default false. */
  prettyLogs?: boolean;
}

export interface CodyServer {
  app: FastifyInstance;
  context: ServerContext;
  /** Starts listening on the configured host and port; resolves with the base URL. */
  listen(): Promise<string>;
  /** Stops accepting, drains runs, hands back worker entries, closes Redis. */
  close(): Promise<void>;
}

const webDistDefault = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

/** Composes the packages into the HTTP server; the in-process workers start with it. */
export async function createCodyServer(options: CodyServerOptions): Promise<CodyServer> {
  const { config } = options;
  const env = options.env ?? process.env;
  const app = Fastify({
    bodyLimit: config.CODY_BODY_LIMIT_BYTES,
    // the router's defaults, stated because the attack suite pins what they mean: a path
    // matches one spelling only (percent-escapes decoded), so `/API`, `//api`, `/api/./v2`,
    // `/api/v2/threads;x` or a trailing slash match no route (useSemicolonDelimiter is off too)
    routerOptions: { caseSensitive: true, ignoreTrailingSlash: false, ignoreDuplicateSlashes: false },
    // a missing Host is answered by our own check, in the JSON envelope
    http: { requireHostHeader: false },
    clientErrorHandler,
    // SSE responses are long-lived: close must not wait for their clients
    forceCloseConnections: true,
    logger:
      options.logger === false
        ? false
        : {
            level: config.LOG_LEVEL,
            ...(options.prettyLogs
              ? {
                  stream: pretty({
                    colorize: true,
                    singleLine: true,
                    translateTime: 'SYS:HH:MM:ss',
                    ignore: 'pid,hostname',
                  }),
                }
              : {}),
            // every line carries the trace it belongs to
            mixin() {
              const span = trace.getActiveSpan()?.spanContext();
              return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
            },
          },
  }).withTypeProvider<ZodTypeProvider>();
  const log = app.log;

  const transport = new RedisTransport({
    topology: config.redis ?? { kind: 'single', url: config.REDIS_URL },
    prefix: config.CODY_REDIS_PREFIX,
    logger: log,
    name: 'cody-server',
  });
  // a Redis the configuration does not describe (a cluster node as REDIS_URL) would half work
  await transport.assertTopology().catch(async (error: unknown) => {
    await transport.close();
    throw error;
  });
  const store: Store = createStore({
    convexUrl: config.CONVEX_URL,
    redis: transport.redis,
    prefix: config.CODY_REDIS_PREFIX,
    logger: log,
  });
  const catalogue = createModelCatalogue({ env });
  const providers = new Map<string, ModelProvider>();
  const driver = new RunDriver({
    transport,
    // MCP tools come from whichever tool worker (this process or another) published its servers
    tools: async () => [...toolDeclarations(), ...mcpToolDeclarations(await readMcpCatalogue(transport))],
    maxSteps: config.CODY_MAX_STEPS,
    redisOutageMs: config.CODY_REDIS_OUTAGE_MS,
    logger: log,
    traceContent: config.telemetry?.traceContent ?? false,
    defaultApproval: config.CODY_TOOL_APPROVAL,
    approvalTimeoutMs: config.CODY_APPROVAL_TIMEOUT_MS,
    // MCP tools ask for approval unless their server marks them readOnlyHint
    readOnlyTools: async () =>
      new Set([
        ...READ_ONLY_TOOLS,
        ...(await readMcpCatalogue(transport)).flatMap((server) =>
          server.tools.filter((tool) => tool.readOnly).map((tool) => tool.name),
        ),
      ]),
    // a run another server handed over (it stopped while a call waited for approval) continues here
    resumeRun: async (record, response) => {
      const runs = (await store.listRunsByThread(record.threadId))
        .map((run) => run.response)
        .filter((run) => run.id !== record.runId && run.created_at <= response.created_at);
      return {
        provider: context.provider(record.providerId),
        model: catalogue.resolve(record.providerId, record.modelId),
        history: selectHistory(runs, response.replaces_run_id),
      };
    },
  });

  const context: ServerContext = {
    config: { ...config, sseHeartbeatMs: options.sseHeartbeatMs ?? 15_000 },
    transport,
    store,
    driver,
    sseCapacity: new SseCapacity({
      total: config.CODY_SSE_MAX_CONNECTIONS,
      perRun: config.CODY_SSE_MAX_CONNECTIONS_PER_RUN,
    }),
    catalogue,
    provider(id) {
      let provider = providers.get(id);
      if (!provider) {
        provider = createProvider(id, env, { logger: log });
        providers.set(id, provider);
      }
      return provider;
    },
    isConfigured(id) {
      try {
        context.provider(id);
        return true;
      } catch {
        return false;
      }
    },
  };

  const workers: { start(): Promise<void>; stop(): Promise<void> }[] = [];
  if (config.CODY_WORKERS === 'inprocess') {
    workers.push(
      new PersistenceWorker({
        transport,
        store,
        runTtlSeconds: config.CODY_RUN_TTL_SECONDS,
        ownerGraceMs: config.CODY_LEASE_GRACE_MS,
        logger: log,
      }),
      new ToolWorker({
        transport,
        workspaceRoot: config.tools?.workspaceRoot ?? config.CODY_WORKSPACE,
        ...(config.tools
          ? {
              limits: config.tools.limits,
              concurrency: config.tools.concurrency,
              maxAttempts: config.tools.maxAttempts,
              sandbox: config.tools.sandbox,
              env: config.tools.env,
              ...(config.tools.mcp ? { mcp: config.tools.mcp } : {}),
            }
          : {}),
        logger: log,
        traceContent: config.telemetry?.traceContent ?? false,
      }),
    );
  }

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  // order matters: the checks every request passes (target length, Host, Origin) and the
  // security headers come first, then CORS for listed origins only; on each route the rate
  // limit runs before the token check, so refused guesses count
  installRequestGuards(app, {
    isAllowedHost: hostAllowlist(config.HOST, config.CODY_ALLOWED_HOSTS),
    corsOrigins: config.CODY_CORS_ORIGINS,
  });
  installSecurityHeaders(app);
  if (config.CODY_CORS_ORIGINS.length > 0) {
    await app.register(cors, {
      origin: config.CODY_CORS_ORIGINS,
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'last-event-id'],
      exposedHeaders: ['content-type', 'retry-after'],
      maxAge: 600,
    });
  }
  const rateLimitRedis = transport.createConnection(
    'rate-limit',
    { enableOfflineQueue: false },
    { enableOfflineQueue: false },
  );
  await installRateLimits(app, {
    redis: rateLimitRedis,
    keyPrefix: `${config.CODY_REDIS_PREFIX}rate-limit:`,
    api: config.CODY_RATE_LIMIT_API,
    submit: config.CODY_RATE_LIMIT_SUBMIT,
    windowSeconds: config.CODY_RATE_LIMIT_WINDOW_SECONDS,
  });
  installBearerAuth(app, config.CODY_API_TOKEN);
  const methodNotAllowed = collectMethodNotAllowed(app);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Cody API',
        version: '2.0.0',
        description: apiDescription(config.CODY_API_TOKEN !== undefined),
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'CODY_API_TOKEN; required only when the server sets it',
          },
        },
      },
      ...(config.CODY_API_TOKEN ? { security: [{ bearer: [] }] } : {}),
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Swagger UI sets inline styles as it renders; only its own pages get that allowance
    transformStaticCSP: (header) => header.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  });
  await app.register(healthRoutes(context));
  await app.register(
    async (api) => {
      await api.register(runRoutes(context));
      await api.register(streamRoutes(context));
      await api.register(threadRoutes(context));
      await api.register(configRoutes(context));
    },
    { prefix: '/api/v2' },
  );
  const webDist = config.CODY_WEB_DIST ?? webDistDefault;
  if (existsSync(join(webDist, 'index.html'))) {
    // the app routes with the URL hash, so serving files is all it needs; wildcard mode also
    // serves files a rebuild added after start-up. The files hold no data: public.
    await app.register(async (files) => {
      files.addHook('onRoute', (route) => {
        route.config = { ...route.config, public: true };
      });
      await files.register(fastifyStatic, { root: webDist, wildcard: true });
    });
  }
  methodNotAllowed.answer();

  for (const worker of workers) await worker.start();
  driver.startAdopting();

  let closed = false;
  return {
    app,
    context,
    async listen() {
      return app.listen({ port: config.PORT, host: config.HOST });
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await driver.stop({ drainMs: 2000 });
      for (const worker of workers) await worker.stop();
      await store.close().catch(() => {});
      rateLimitRedis.disconnect();
      await transport.close();
    },
  };
}
