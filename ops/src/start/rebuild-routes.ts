import { randomUUID } from 'node:crypto';
import { requireRole } from '@pti/platform';
import {
  type CatchUpProgress,
  PROJECTORS,
  type ProjectionRunner,
  type RebuildReport,
} from '@pti/projections';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/**
 * Blue/green rebuilds started over HTTP (back office ops page), in the process that runs the
 * projectors (`all` / `projections` roles), through its runner (`ProjectionRunner.rebuild`: the lane
 * shows `rebuilding`, keeps serving its live generation, and re-binds to the new one at the swap):
 *
 * | route                                           | who          | what                                  |
 * | ----------------------------------------------- | ------------ | ------------------------------------- |
 * | `POST /ops/projections/{name}/rebuild`          | admin_reseau | start (name: a read model or `all`) → 202 |
 * | `GET /ops/projections/rebuilds/latest`          | admin_reseau | progress of the last one started      |
 * | `GET /ops/projections/rebuilds/{id}`            | admin_reseau | progress of that one                  |
 *
 * One rebuild at a time per process (409 otherwise); 503 where no projector of that read model runs
 * here. Progress lives in memory (the last few rebuilds): a restart forgets it, the registry keeps
 * the generations.
 */
export interface RebuildRoutesOptions {
  /** The projectors of this process; undefined when it runs none (503). */
  readonly runner: ProjectionRunner | undefined;
  /** The read models that exist (404 for others); default every projector. */
  readonly readModels?: readonly string[];
  readonly now?: () => number;
}

export const REBUILD_STATES = ['running', 'done', 'failed'] as const;

const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  code: Type.String(),
  detail: Type.Optional(Type.String()),
});

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const RebuildGeneration = Type.Object({
  projector: Type.String(),
  previous: Nullable(Type.Integer()),
  generation: Type.Integer(),
  events: Type.Integer({ minimum: 0 }),
});

export const RebuildProgress = Type.Object({
  id: Type.String({ format: 'uuid' }),
  target: Type.String({ description: 'A read model, or `all`' }),
  projectors: Type.Array(Type.String()),
  state: Type.Union(REBUILD_STATES.map((s) => Type.Literal(s))),
  /** The read model being rebuilt now (null once finished). */
  current: Nullable(Type.String()),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
  eventsProcessed: Type.Integer({ minimum: 0 }),
  eventsPerSecond: Type.Number({ minimum: 0 }),
  etaSeconds: Nullable(Type.Number({ minimum: 0 })),
  percentage: Nullable(Type.Number({ minimum: 0, maximum: 100 })),
  generations: Type.Array(RebuildGeneration),
  error: Nullable(Type.String()),
});
export type RebuildProgress = Static<typeof RebuildProgress>;

const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 60 }) });
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

const PROBLEMS = { 401: Problem, 403: Problem } as const;

function sendProblem(reply: FastifyReply, status: 404 | 409 | 503, code: string, detail: string) {
  const titles = { 404: 'Not Found', 409: 'Conflict', 503: 'Service Unavailable' } as const;
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title: titles[status], status, code, detail });
}

/** Kept in memory: the last rebuilds started here. */
const KEPT = 20;

interface Tracked {
  progress: RebuildProgress;
  /** Events of the read models already swapped (a multi-model rebuild runs them one after another). */
  doneEvents: number;
  doneCount: number;
  lastEvents: number;
}

/** How far a catch-up is along the ledger's global positions (0..1), when the tail is known. */
function fractionOf(p: CatchUpProgress): number | null {
  if (p.done) return 1;
  const head = p.head === undefined ? 0 : Number(p.head.prepare);
  if (head <= 0) return null;
  return Math.min(1, Math.max(0, Number(p.position.prepare) / head));
}

function onProgress(tracked: Tracked, p: CatchUpProgress, now: number): void {
  const progress = tracked.progress;
  if (progress.current !== null && progress.current !== p.projector) {
    // The previous read model swapped: count it as done.
    tracked.doneEvents += tracked.lastEvents;
    tracked.doneCount += 1;
    tracked.lastEvents = 0;
  }
  tracked.lastEvents = p.events;
  const total = progress.projectors.length;
  const fraction = fractionOf(p);
  const percentage =
    fraction === null ? null : Math.min(100, ((tracked.doneCount + fraction) / Math.max(1, total)) * 100);
  const elapsedSeconds = (now - Date.parse(progress.startedAt)) / 1000;
  const eventsProcessed = tracked.doneEvents + p.events;
  tracked.progress = {
    ...progress,
    current: p.projector,
    eventsProcessed,
    eventsPerSecond: elapsedSeconds > 0 ? eventsProcessed / elapsedSeconds : 0,
    percentage,
    // One read model: the catch-up's own estimate; several: the time so far, pro rata.
    etaSeconds:
      total === 1
        ? (p.etaSeconds ?? null)
        : percentage !== null && percentage > 0
          ? (elapsedSeconds * (100 - percentage)) / percentage
          : null,
  };
}

function generationsOf(reports: readonly RebuildReport[]): RebuildProgress['generations'] {
  return reports.map((r) => ({
    projector: r.projector,
    previous: r.previous,
    generation: r.generation,
    events: r.events,
  }));
}

export const rebuildRoutes: FastifyPluginAsync<RebuildRoutesOptions> = async (app, options) => {
  const { runner } = options;
  const now = options.now ?? Date.now;
  const known = new Set(options.readModels ?? PROJECTORS.map((p) => p.name));
  const rebuilds = new Map<string, Tracked>();
  let latest: string | undefined;
  const running = () => [...rebuilds.values()].find((t) => t.progress.state === 'running');

  app.post(
    '/ops/projections/:name/rebuild',
    {
      preHandler: requireRole('admin_reseau'),
      schema: {
        operationId: 'startProjectionRebuild',
        tags: ['ops'],
        summary: 'Start a blue/green rebuild of a read model (or `all`) in this process',
        security: [{ bearerAuth: [] }],
        params: NameParams,
        response: { 202: RebuildProgress, ...PROBLEMS, 404: Problem, 409: Problem, 503: Problem },
      },
    },
    async (request, reply) => {
      const { name } = request.params as Static<typeof NameParams>;
      if (name !== 'all' && !known.has(name))
        return sendProblem(reply, 404, 'unknown_read_model', `no read model named ${name}`);
      if (runner === undefined)
        return sendProblem(
          reply,
          503,
          'projections_not_running_here',
          'this process runs no projectors (start the `projections` or `all` role)',
        );
      // Only the read models whose lane runs here (a subset, or the leases this replica holds).
      const lanes = (await runner.status()).filter((lane) => lane.lease?.mine !== false);
      const here = lanes.map((lane) => lane.name).filter((n) => name === 'all' || n === name);
      if (here.length === 0)
        return sendProblem(
          reply,
          503,
          'read_model_not_running_here',
          `the projector of ${name} does not run in this process`,
        );
      const busy = running();
      if (busy !== undefined)
        return sendProblem(
          reply,
          409,
          'rebuild_in_progress',
          `rebuild ${busy.progress.id} (${busy.progress.target}) is still running`,
        );
      const id = randomUUID();
      const tracked: Tracked = {
        progress: {
          id,
          target: name,
          projectors: here,
          state: 'running',
          current: null,
          startedAt: new Date(now()).toISOString(),
          finishedAt: null,
          eventsProcessed: 0,
          eventsPerSecond: 0,
          etaSeconds: null,
          percentage: 0,
          generations: [],
          error: null,
        },
        doneEvents: 0,
        doneCount: 0,
        lastEvents: 0,
      };
      rebuilds.set(id, tracked);
      latest = id;
      for (const old of [...rebuilds.keys()].slice(0, Math.max(0, rebuilds.size - KEPT)))
        rebuilds.delete(old);
      // Runs after the answer; its outcome is read through the progress route.
      runner
        .rebuild(name, { onProgress: (p) => onProgress(tracked, p, now()) })
        .then((reports) => {
          const events = reports.reduce((sum, r) => sum + r.events, 0);
          const elapsedSeconds = (now() - Date.parse(tracked.progress.startedAt)) / 1000;
          tracked.progress = {
            ...tracked.progress,
            state: 'done',
            current: null,
            finishedAt: new Date(now()).toISOString(),
            eventsProcessed: events,
            eventsPerSecond: elapsedSeconds > 0 ? events / elapsedSeconds : 0,
            etaSeconds: 0,
            percentage: 100,
            generations: generationsOf(reports),
          };
        })
        .catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          app.log.error({ err: error, rebuild: id, target: name }, 'projection rebuild failed');
          tracked.progress = {
            ...tracked.progress,
            state: 'failed',
            current: null,
            finishedAt: new Date(now()).toISOString(),
            etaSeconds: null,
            error: message,
          };
        });
      return reply
        .code(202)
        .header('location', `${request.url.replace(/\/[^/]+\/rebuild$/, '')}/rebuilds/${id}`)
        .send(tracked.progress);
    },
  );

  const progressRoute = (path: string, operationId: string, summary: string, withId: boolean) =>
    app.get(
      path,
      {
        preHandler: requireRole('admin_reseau'),
        schema: {
          operationId,
          tags: ['ops'],
          summary,
          security: [{ bearerAuth: [] }],
          ...(withId ? { params: IdParams } : {}),
          response: { 200: RebuildProgress, ...PROBLEMS, 404: Problem },
        },
      },
      async (request, reply) => {
        const id = withId ? (request.params as Static<typeof IdParams>).id : latest;
        const tracked = id === undefined ? undefined : rebuilds.get(id);
        if (tracked === undefined)
          return sendProblem(
            reply,
            404,
            'rebuild_not_found',
            withId ? `no rebuild ${id} in this process` : 'no rebuild started in this process',
          );
        reply.header('cache-control', 'no-store');
        return tracked.progress;
      },
    );
  progressRoute(
    '/ops/projections/rebuilds/latest',
    'getLatestProjectionRebuild',
    'Progress of the last rebuild started in this process',
    false,
  );
  progressRoute(
    '/ops/projections/rebuilds/:id',
    'getProjectionRebuild',
    'Progress of a rebuild: state, events processed, events/s, ETA, percentage',
    true,
  );
};
