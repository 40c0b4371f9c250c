import { defineProjector, publicTable } from '../projector.js';

/**
 * A projector for the runtime's own tests: one row per event (`applied` counts deliveries, so a
 * double application shows), a Redis key per stream holding its last revision, and a switch to
 * fail on a given stream mid-batch (after writing that event's row).
 */
export function createProbeProjector(control: { failOnStream: string | null }) {
  return defineProjector({
    name: 'probe',
    version: 1,
    tables: ['probe_rows'],
    filter: { streamPrefixes: ['centre-'] },
    usesCache: true,
    migrations: (schema) => [
      {
        version: 1,
        name: 'probe',
        sql: `create table ${schema}.probe_rows (
                event_id uuid primary key,
                stream text not null,
                revision int8 not null,
                applied int not null default 1
              );${publicTable(schema, 'probe_rows')}`,
      },
    ],
    async apply(batch, ctx) {
      for (const record of batch.records) {
        await ctx.tx.query(
          `insert into ${ctx.table('probe_rows')} (event_id, stream, revision) values ($1, $2, $3)
           on conflict (event_id) do update set applied = probe_rows.applied + 1`,
          [record.id, record.streamName, record.revision],
        );
        ctx.cache?.put(`last:${record.streamName}`, record.revision.toString());
        if (control.failOnStream === record.streamName)
          throw new Error(`probe: failing on ${record.streamName}`);
      }
    },
    async cacheKeys(ctx) {
      const { rows } = await ctx.tx.query<{ stream: string }>(
        `select distinct stream from ${ctx.table('probe_rows')}`,
      );
      return rows.map((row) => `last:${row.stream}`);
    },
  });
}
