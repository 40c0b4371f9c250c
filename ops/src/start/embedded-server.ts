import { createIdentity, fastifyAuth } from '@pti/platform';
import { registerOpenApi, WRITE_SIDE_ROUTER_OPTIONS } from '@pti/write-side';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { PlatformRuntime } from './platform-runtime.js';
import { type MountOptions, mountWriteSide } from './write-side-composition.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  version: string;
  uptimeSeconds: number;
  ledger: { adapter: string; state: 'up' | 'down'; error?: string };
}

const VERSION = '0.1.0';

/**
 * The embedded all-in-one HTTP server: the operational routes, identity (embedded login or OIDC) and
 * the command API with its OpenAPI document (`/api/v1/openapi.json`); the query routes and the
 * static clients mount here as their packages arrive.
 */
export async function buildEmbeddedServer(runtime: PlatformRuntime, options: MountOptions = {}) {
  // Request lines stay out of the log (warn and above only): the hot routes would drown it.
  // Typed as Fastify's logger interface, so the instance fits plugins written against the default.
  const loggerInstance: FastifyBaseLogger = runtime.logger.child({ component: 'http' }, { level: 'warn' });
  const app = Fastify({ loggerInstance, routerOptions: { ...WRITE_SIDE_ROUTER_OPTIONS } });
  const startedAt = Date.now();
  const identity = await createIdentity(runtime.config);
  await app.register(fastifyAuth, { verifier: identity.verifier });
  await registerOpenApi(app, { version: VERSION });
  await mountWriteSide(app, runtime, identity, options);

  async function health(): Promise<HealthReport> {
    let state: 'up' | 'down' = 'up';
    let error: string | undefined;
    try {
      await runtime.ledger.ping();
    } catch (err) {
      state = 'down';
      error = err instanceof Error ? err.message : String(err);
    }
    return {
      status: state === 'up' ? 'ok' : 'degraded',
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      ledger: { adapter: runtime.ledger.kind, state, ...(error ? { error } : {}) },
    };
  }

  app.get('/health', async (_req, reply) => {
    const report = await health();
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });

  app.get('/ready', async (_req, reply) => {
    const report = await health();
    return reply.code(report.status === 'ok' ? 200 : 503).send({ ready: report.status === 'ok' });
  });

  app.get('/metrics', async (_req, reply) => {
    return reply.type(runtime.metrics.contentType).send(await runtime.metrics.metricsText());
  });

  app.get('/', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>PTI Calendar</title></head>
<body><h1>PTI Calendar</h1><p>Plateforme de réservation des centres de contrôle technique.</p>
<ul><li><a href="/health">État du service</a></li><li><a href="/metrics">Métriques</a></li></ul></body></html>`),
  );

  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .type('application/problem+json')
      .send({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        code: 'not_found',
        detail: `${req.method} ${req.url}`,
      }),
  );

  return app;
}
