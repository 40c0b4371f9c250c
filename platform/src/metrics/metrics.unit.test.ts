import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

describe('createMetrics', () => {
  it('prefixes our metrics with pti_ and exposes them with the process metrics', async () => {
    const metrics = createMetrics({ defaultLabels: { service: 'test' } });
    metrics.counter({ name: 'bookings_placed_total', help: 'Bookings placed', labelNames: ['channel'] }).inc({
      channel: 'web',
    });
    metrics.histogram({ name: 'command_seconds', help: 'Command time', buckets: [0.1, 1] }).observe(0.5);
    const text = await metrics.metricsText();
    expect(text).toContain('pti_bookings_placed_total{channel="web",service="test"} 1');
    expect(text).toContain('pti_command_seconds_bucket{le="1",service="test"} 1');
    expect(text).toContain('process_cpu_seconds_total');
    expect(metrics.contentType).toMatch(/^text\/plain/);
  });

  it('sets a gauge at scrape time through collect', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let lag = 3;
    metrics.gauge({
      name: 'pti_projection_lag_events',
      help: 'Events behind the ledger',
      labelNames: ['projection'],
      collect: (gauge) => gauge.set({ projection: 'availability' }, lag),
    });
    expect(await metrics.metricsText()).toContain('pti_projection_lag_events{projection="availability"} 3');
    lag = 0;
    expect(await metrics.metricsText()).toContain('pti_projection_lag_events{projection="availability"} 0');
  });

  it('keeps registries apart', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.counter({ name: 'only_in_a_total', help: 'a' });
    b.counter({ name: 'only_in_a_total', help: 'no clash in another registry' });
    expect(await b.metricsText()).not.toContain('process_cpu');
  });
});
