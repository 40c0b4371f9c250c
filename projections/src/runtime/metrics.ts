import type { Counter, Histogram, Metrics } from '@pti/platform';
import type { Lag } from './lag.js';

/** A running set of projectors whose lag the gauges report at scrape time. */
export interface LagSource {
  lags(): Promise<readonly { readonly projector: string; readonly lag: Lag | null }[]>;
}

export interface ProjectionMetrics {
  /** `pti_projection_events_total{projector}`: events applied (throughput = its rate). */
  readonly eventsTotal: Counter<'projector'>;
  /** `pti_projection_batch_seconds{projector,mode}`. */
  readonly batchSeconds: Histogram<'projector' | 'mode'>;
  /** Adds a runner's lanes to `pti_projection_lag_events` / `pti_projection_lag_seconds`; returns a remover. */
  register(source: LagSource): () => void;
}

const byRegistry = new WeakMap<Metrics, ProjectionMetrics>();

/**
 * The projection metrics of a `Metrics` registry, created once per registry (a runner restarted
 * in the same process reuses them). The lag gauges are computed when Prometheus scrapes.
 */
export function projectionMetrics(metrics: Metrics): ProjectionMetrics {
  const existing = byRegistry.get(metrics);
  if (existing !== undefined) return existing;
  const sources = new Set<LagSource>();
  const collectLags = async () =>
    (await Promise.all([...sources].map((s) => s.lags().catch(() => [])))).flat();
  metrics.gauge<'projector'>({
    name: 'projection_lag_events',
    help: 'Events appended to the ledger that a projector has not applied yet.',
    labelNames: ['projector'],
    collect: async (gauge) => {
      gauge.reset();
      for (const { projector, lag } of await collectLags())
        if (lag !== null) gauge.set({ projector }, lag.events);
    },
  });
  metrics.gauge<'projector'>({
    name: 'projection_lag_seconds',
    help: 'Age of the oldest event a projector has not applied yet, in seconds.',
    labelNames: ['projector'],
    collect: async (gauge) => {
      gauge.reset();
      for (const { projector, lag } of await collectLags())
        if (lag !== null) gauge.set({ projector }, lag.seconds);
    },
  });
  const created: ProjectionMetrics = {
    eventsTotal: metrics.counter<'projector'>({
      name: 'projection_events_total',
      help: 'Events applied by each projector (all generations).',
      labelNames: ['projector'],
    }),
    batchSeconds: metrics.histogram<'projector' | 'mode'>({
      name: 'projection_batch_seconds',
      help: 'Duration of one projection batch transaction.',
      labelNames: ['projector', 'mode'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
    register: (source) => {
      sources.add(source);
      return () => sources.delete(source);
    },
  };
  byRegistry.set(metrics, created);
  return created;
}
