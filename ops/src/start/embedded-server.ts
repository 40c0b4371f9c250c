import {
  createIdentity,
  type ErasureParticipant,
  fastifyAuth,
  type Identity,
  type Ledger,
} from '@pti/platform';
import {
  liveGeneration,
  PROJECTORS,
  type ProjectionLayout,
  type ProjectionLeaseOptions,
  type ProjectionRunner,
} from '@pti/projections';
import { type RateLimitSettings, readApiRoutes, registerReadApiDocs } from '@pti/read-api';
import { OPENAPI_PATH, WRITE_SIDE_ROUTER_OPTIONS } from '@pti/write-side';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { PlatformRuntime } from './platform-runtime.js';
import { createReadPorts, runnerProjectionStatus } from './read-ports-composition.js';
import {
  openReadModelStores,
  type ReadModelStores,
  readModelErasureParticipants,
  startReadModelProjections,
} from './read-side-composition.js';
import { rebuildRoutes } from './rebuild-routes.js';
import { registryProjectionStatus } from './registry-status.js';
import {
  type MountOptions,
  mountIdentityRoutes,
  mountWriteSideRoutes,
  type OpenedWriteSide,
  openPersonalDataLedger,
  openWriteSide,
  type PersonalDataLedger,
  resolveWriteSideSecrets,
} from './write-side-composition.js';

/** What one process runs (`pti start [role]`): everything, or one part of the services topology. */
export const ROLES = ['all', 'write-side', 'read-api', 'projections', 'sagas'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** The saga composition (`mountSagas` of `sagas-composition.ts`): runs the process managers, mounts their routes. */
export type MountSagas = (
  app: FastifyInstance,
  runtime: PlatformRuntime,
  parts: { readonly writeSide: OpenedWriteSide['writeSide']; readonly ledger: Ledger },
) => Promise<{ readonly sagas: { readonly erasure: ErasureParticipant } }>;

export interface ServerOptions extends MountOptions {
  /** Default `all`. */
  readonly role?: Role;
  /** Read models in a namespaced layout (tests on a shared PostgreSQL). */
  readonly layout?: ProjectionLayout;
  /** Run a subset of the projectors; default all. */
  readonly projectors?: readonly string[];
  /** Several projections replicas: run only the read models whose lease this process holds (`projectionLeaseFromEnv`). */
  readonly projectionLease?: ProjectionLeaseOptions;
  /** Read API rate limits; `false` turns them off (benchmarks). */
  readonly rateLimit?: Partial<RateLimitSettings> | false;
  /** How long availability answers are reused in process (read API default 1 s; 0: never). */
  readonly availabilityCacheMs?: number;
  /** The saga composition, for the `sagas` and `all` roles; none mounted when absent. */
  readonly mountSagas?: MountSagas;
  /**
   * The static clients (`staticClients` of `static-clients.ts`), registered after the API routes in
   * the `all` and `read-api` roles; they serve `/` then. Without them `/` is a small French page.
   */
  readonly serveClients?: (app: FastifyInstance) => Promise<void>;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  version: string;
  role: Role;
  uptimeSeconds: number;
  ledger: { adapter: string; state: 'up' | 'down'; error?: string };
}

/** What a composed process holds besides its HTTP server. */
export interface PlatformServer {
  readonly app: FastifyInstance;
  readonly role: Role;
  readonly identity: Identity;
  /** The projectors of this process (`all`, `projections`). */
  readonly projections: ProjectionRunner | undefined;
  readonly writeSide: OpenedWriteSide | undefined;
  readonly personal: PersonalDataLedger | undefined;
  readonly readModels: ReadModelStores | undefined;
}

const VERSION = '0.1.0';

const WRITE_SIDE_TAGS = [
  { name: 'calendar', description: 'A centre’s day: blocks, reassignments, waitlist (commands)' },
  { name: 'manage', description: 'What a customer does with the manage link (commands)' },
];

const has = (role: Role, part: Exclude<Role, 'all'>) => role === 'all' || role === part;

/**
 * Composes one process: the operational routes (`/health`, `/ready`, `/metrics`) on every role, and
 * by role the identity routes, the command API, the read API (one OpenAPI document at `/docs`,
 * Swagger UI, JSON at `/docs/json` and `/api/v1/openapi.json`), the projectors and the sagas.
 * Everything opened here closes with the app (`app.close()`), projectors first.
 */
export async function buildPlatformServer(
  runtime: PlatformRuntime,
  options: ServerOptions = {},
): Promise<PlatformServer> {
  const role = options.role ?? 'all';
  // Request lines stay out of the log (warn and above only): the hot routes would drown it.
  // Typed as Fastify's logger interface, so the instance fits plugins written against the default.
  const loggerInstance: FastifyBaseLogger = runtime.logger.child(
    { component: 'http', role },
    { level: 'warn' },
  );
  const app = Fastify({ loggerInstance, routerOptions: { ...WRITE_SIDE_ROUTER_OPTIONS } });
  const closers: (() => Promise<void>)[] = [];
  // Closed in reverse order of opening: projectors stop before the stores and the ledger they use.
  app.addHook('onClose', async () => {
    for (const close of closers.reverse()) await close();
  });
  const startedAt = Date.now();
  const identity = await createIdentity(runtime.config);
  await app.register(fastifyAuth, { verifier: identity.verifier });

  const servesHttpApi = has(role, 'write-side') || has(role, 'read-api');
  if (servesHttpApi) {
    await registerReadApiDocs(app, { version: VERSION, extraTags: WRITE_SIDE_TAGS });
    app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
    mountIdentityRoutes(app, identity);
  }

  let parts: Omit<PlatformServer, 'app' | 'role' | 'identity'> = {
    projections: undefined,
    writeSide: undefined,
    personal: undefined,
    readModels: undefined,
  };
  try {
    const personal = await openPersonalDataLedger(runtime);
    closers.push(() => personal.vault.close());
    parts = { ...parts, personal };

    let writeSide: OpenedWriteSide | undefined;
    if (has(role, 'write-side') || has(role, 'sagas')) {
      writeSide = await openWriteSide(runtime, identity, {
        seedDemo: options.seedDemo === true && has(role, 'write-side'),
        personal,
      });
      closers.push(() => writeSide?.close() ?? Promise.resolve());
      parts = { ...parts, writeSide };
    }
    if (has(role, 'write-side') && writeSide !== undefined)
      await mountWriteSideRoutes(app, runtime, writeSide);

    let readModels: ReadModelStores | undefined;
    if (has(role, 'read-api') || has(role, 'projections')) {
      readModels = await openReadModelStores(runtime, { layout: options.layout });
      closers.push(() => readModels?.close() ?? Promise.resolve());
      parts = { ...parts, readModels };
    }

    let projections: ProjectionRunner | undefined;
    if (has(role, 'projections') && readModels !== undefined) {
      projections = await startReadModelProjections(runtime, personal.ledger, readModels, {
        only: options.projectors,
        lease: options.projectionLease,
      });
      const runner = projections;
      closers.push(() => runner.stop());
      // Erasure and export in this process cover the read models, as `pti gdpr` does offline.
      for (const participant of readModelErasureParticipants(runner, readModels.db, readModels.layout)) {
        personal.personalData.participants.register(participant);
      }
      parts = { ...parts, projections };
    }

    if (has(role, 'read-api') && readModels !== undefined) {
      const stores = readModels;
      const ports = createReadPorts({
        db: stores.db,
        cache: stores.cache,
        live: stores.live,
        layout: stores.layout,
        ledger: personal.ledger,
        projectionStatus: () =>
          projections !== undefined
            ? runnerProjectionStatus(projections)
            : registryProjectionStatus(runtime.ledger, stores),
      });
      // The read API alone still verifies manage links: the same secrets as the write side's.
      const secrets = writeSide?.secrets ?? (await resolveWriteSideSecrets(runtime.config));
      await readApiRoutes(
        app,
        { ports, manageTokenSecrets: secrets.manageTokenSecrets },
        { rateLimit: options.rateLimit, availabilityCacheMs: options.availabilityCacheMs },
      );
    }

    if (has(role, 'sagas') && writeSide !== undefined && options.mountSagas !== undefined) {
      const mounted = await options.mountSagas(app, runtime, {
        writeSide: writeSide.writeSide,
        ledger: writeSide.ledger,
      });
      // Erasure also covers the sagas' tables (payment records, the notification outbox).
      personal.personalData.participants.register(mounted.sagas.erasure);
    }
    // Rebuilds over HTTP (back office): run here when this process runs projectors, else 503.
    if (servesHttpApi || has(role, 'projections'))
      await app.register(rebuildRoutes, { prefix: '/api/v1', runner: parts.projections });
    const stores = parts.readModels;
    registerOperationalRoutes(app, runtime, role, startedAt, {
      projections: parts.projections,
      // A read API without projectors of its own serves once every read model has a live generation.
      unbuiltReadModels:
        has(role, 'read-api') && parts.projections === undefined && stores !== undefined
          ? () => unbuiltReadModels(stores)
          : undefined,
    });
    if (has(role, 'read-api') && options.serveClients !== undefined) await options.serveClients(app);
    else registerHomePage(app);
  } catch (error) {
    await app.close();
    throw error;
  }

  return { app, role, identity, ...parts };
}

/** The embedded all-in-one server (or one role's): the Fastify app of {@link buildPlatformServer}. */
export async function buildEmbeddedServer(
  runtime: PlatformRuntime,
  options: ServerOptions = {},
): Promise<FastifyInstance> {
  return (await buildPlatformServer(runtime, options)).app;
}

/** The read models without a live generation yet (their views do not exist: queries would answer 503). */
async function unbuiltReadModels(stores: ReadModelStores): Promise<string[]> {
  const missing: string[] = [];
  for (const projector of PROJECTORS) {
    if ((await liveGeneration(stores.db, stores.layout, projector.name)) === undefined) {
      missing.push(`${projector.name} (not built)`);
    }
  }
  return missing;
}

interface ReadinessSources {
  readonly projections: ProjectionRunner | undefined;
  readonly unbuiltReadModels: (() => Promise<string[]>) | undefined;
}

/**
 * `/health` (the ledger answers), `/ready` (healthy and, where projectors run, each has caught up
 * its initial build once — a process still building generation 1 serves stale or no read models, so
 * it takes no traffic yet; later lag does not flip it back, `/metrics` shows it; a `read-api` role
 * alone waits for every read model to have a live generation, built by the `projections` role), `/metrics`
 * (Prometheus text, with `pti_projection_lag_events` / `_seconds` per projector), a French home page
 * and problem+json 404s.
 */
function registerOperationalRoutes(
  app: FastifyInstance,
  runtime: PlatformRuntime,
  role: Role,
  startedAt: number,
  sources: ReadinessSources,
): void {
  const { projections, unbuiltReadModels: unbuilt } = sources;
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
      role,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      ledger: { adapter: runtime.ledger.kind, state, ...(error ? { error } : {}) },
    };
  }

  // Latched: once caught up (or built), later lag or a rebuild does not take the process out of service.
  let caughtUp = projections === undefined && unbuilt === undefined;
  async function projectionsReady(): Promise<{ ready: boolean; building: string[] }> {
    if (caughtUp) return { ready: true, building: [] };
    const building =
      projections !== undefined
        ? (await projections.status())
            // A read model owned by another replica (lease mode) is that replica's readiness.
            .filter((lane) => lane.state !== 'live' && lane.lease?.mine !== false)
            .map((lane) => `${lane.name} (${lane.state})`)
        : ((await unbuilt?.().catch(() => ['read models (unreachable)'])) ?? []);
    if (building.length === 0) caughtUp = true;
    return { ready: caughtUp, building };
  }

  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    const report = await health();
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });

  app.get('/ready', { schema: { hide: true } }, async (_req, reply) => {
    const report = await health();
    const projectionState = await projectionsReady();
    const ready = report.status === 'ok' && projectionState.ready;
    return reply
      .code(ready ? 200 : 503)
      .send(
        ready
          ? { ready }
          : { ready, ...(projectionState.building.length > 0 ? { building: projectionState.building } : {}) },
      );
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    return reply.type(runtime.metrics.contentType).send(await runtime.metrics.metricsText());
  });

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
}

/** `/` when no client is served: where things are. */
function registerHomePage(app: FastifyInstance): void {
  app.get('/', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>PTI Calendar</title></head>
<body><h1>PTI Calendar</h1><p>Plateforme de réservation des centres de contrôle technique.</p>
<ul><li><a href="/docs">Documentation de l’API</a></li><li><a href="/health">État du service</a></li><li><a href="/metrics">Métriques</a></li></ul></body></html>`),
  );
}
