import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics for `/metrics` (DESIGN.md §8). Each `createMetrics()` owns its registry (not
 * prom-client's global one), so tests and embedded-mode components do not collide.
 *
 * Our metrics are named `pti_<name>`; Node's default process metrics keep their standard names
 * (`process_cpu_seconds_total`, `nodejs_eventloop_lag_seconds`, …) so stock dashboards work.
 */
export const METRIC_PREFIX = 'pti_';

export interface MetricOptions<L extends string> {
  /** Without the prefix (`bookings_placed_total`); a name already starting with `pti_` is kept. */
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
}

export interface GaugeOptions<L extends string> extends MetricOptions<L> {
  /** Sets the gauge at scrape time (projection lag, saga backlog), so nothing polls in between. */
  readonly collect?: (gauge: Gauge<L>) => void | Promise<void>;
}

export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds; prom-client's defaults (5 ms .. 10 s, in seconds) when omitted. */
  readonly buckets?: readonly number[];
}

export interface Metrics {
  readonly registry: Registry;
  /** Content-Type of {@link Metrics.metricsText} for the HTTP response. */
  readonly contentType: string;
  counter<L extends string = string>(options: MetricOptions<L>): Counter<L>;
  gauge<L extends string = string>(options: GaugeOptions<L>): Gauge<L>;
  histogram<L extends string = string>(options: HistogramOptions<L>): Histogram<L>;
  /** Prometheus text exposition of every metric in the registry. */
  metricsText(): Promise<string>;
}

export interface CreateMetricsOptions {
  /** Node process metrics (CPU, memory, event loop, GC); on by default. */
  readonly defaultMetrics?: boolean;
  /** Labels added to every series, e.g. `{ service: 'read-api' }`. */
  readonly defaultLabels?: Readonly<Record<string, string>>;
}

export function prefixed(name: string): string {
  return name.startsWith(METRIC_PREFIX) ? name : `${METRIC_PREFIX}${name}`;
}

export function createMetrics(options: CreateMetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultLabels !== undefined) registry.setDefaultLabels({ ...options.defaultLabels });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  const base = <L extends string>(metric: MetricOptions<L>) => ({
    name: prefixed(metric.name),
    help: metric.help,
    labelNames: metric.labelNames ?? [],
    registers: [registry],
  });

  return {
    registry,
    contentType: registry.contentType,
    counter: (metric) => new Counter(base(metric)),
    gauge: <L extends string>(metric: GaugeOptions<L>) => {
      const collect = metric.collect;
      return new Gauge<L>({
        ...base(metric),
        ...(collect === undefined
          ? {}
          : {
              // prom-client calls collect with the gauge as `this`.
              collect(this: Gauge<L>) {
                return collect(this);
              },
            }),
      });
    },
    histogram: (metric) =>
      new Histogram({
        ...base(metric),
        ...(metric.buckets === undefined ? {} : { buckets: [...metric.buckets] }),
      }),
    metricsText: () => registry.metrics(),
  };
}
