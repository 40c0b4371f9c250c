import { defineProjector, tenantPolicy } from '../runtime/projector.js';
import { upsertRows } from '../runtime/sql.js';

/**
 * # Audit read model
 *
 * Every event of the ledger, one row each in `rm.audit_events`: stream, revision, type, actor,
 * tenant, correlation, causation, occurrence and recording times and the global position. The
 * payload is not copied (it may hold encrypted personal data; the auditor reads it from the
 * stream, DESIGN.md §2). Staff-facing: row-level security by `tenant_id`.
 *
 * Indexed for the trail queries (`audit-queries.ts`): by stream (entity), by actor, by period, by
 * type, by correlation, each ordered by global position for keyset pagination.
 *
 * GDPR: `scrub(subjectId)` replaces the subject's actor id by `erased`; `export` lists the rows
 * where they are the actor.
 */
export interface AuditRow {
  readonly tenant_id: string;
  readonly event_id: string;
  readonly commit_position: bigint;
  readonly prepare_position: bigint;
  readonly stream: string;
  readonly stream_category: string;
  readonly revision: bigint;
  readonly type: string;
  readonly schema_version: number;
  readonly actor_id: string;
  readonly actor_role: string;
  readonly correlation_id: string;
  readonly causation_id: string | null;
  readonly occurred_at: Date;
  readonly recorded_at: Date;
}

export const ERASED_ACTOR = 'erased';

export const auditProjector = defineProjector({
  name: 'audit',
  version: 1,
  tables: ['audit_events'],
  filter: {},
  batchSize: 2_000,
  deferredIndexes: [
    'audit_by_position',
    'audit_by_stream',
    'audit_by_actor',
    'audit_by_type',
    'audit_by_time',
    'audit_by_correlation',
  ],
  migrations: (schema) => [
    {
      version: 1,
      name: 'audit_events',
      sql: `
create table ${schema}.audit_events (
  tenant_id text not null,
  event_id uuid primary key,
  commit_position int8 not null,
  prepare_position int8 not null,
  stream text not null,
  stream_category text not null,
  revision int8 not null,
  type text not null,
  schema_version int not null,
  actor_id text not null,
  actor_role text not null,
  correlation_id text not null,
  causation_id text,
  occurred_at timestamptz not null,
  recorded_at timestamptz not null
);
create index audit_by_position on ${schema}.audit_events (tenant_id, commit_position, prepare_position);
create index audit_by_stream on ${schema}.audit_events (stream, revision);
create index audit_by_actor on ${schema}.audit_events (actor_id, commit_position, prepare_position);
create index audit_by_type on ${schema}.audit_events (type, commit_position, prepare_position);
create index audit_by_time on ${schema}.audit_events (occurred_at);
create index audit_by_correlation on ${schema}.audit_events (correlation_id);
${tenantPolicy(schema, 'audit_events')}`,
    },
  ],
  async apply(batch, ctx) {
    // int8 columns travel as decimal text (JSON has no bigint; `toJson` needs no replacer then).
    const rows = batch.records.map((record) => ({
      tenant_id: record.metadata.tenantId,
      event_id: record.id,
      commit_position: record.position.commit.toString(),
      prepare_position: record.position.prepare.toString(),
      stream: record.streamName,
      stream_category: record.streamName.slice(0, Math.max(0, record.streamName.indexOf('-'))),
      revision: record.revision.toString(),
      type: record.type,
      schema_version: record.metadata.schemaVersion,
      actor_id: record.metadata.actor.id,
      actor_role: record.metadata.actor.role,
      correlation_id: record.metadata.correlationId,
      causation_id: record.metadata.causationId,
      occurred_at: record.metadata.occurredAt,
      recorded_at: record.recordedAt,
    }));
    // Append-only: a redelivered event keeps its row (an erased actor stays erased).
    await upsertRows(ctx.tx, ctx.table('audit_events'), rows, {
      key: ['event_id'],
      columns: Object.keys(rows[0] ?? { event_id: '' }),
      ignoreConflicts: true,
    });
  },
  async scrub(subjectId, ctx) {
    const { rowCount } = await ctx.tx.query(
      `update ${ctx.table('audit_events')} set actor_id = $2 where actor_id = $1`,
      [subjectId, ERASED_ACTOR],
    );
    return rowCount;
  },
  async export(subjectId, ctx) {
    const { rows } = await ctx.tx.query(
      `select event_id, stream, revision::text as revision, type, actor_role, occurred_at
         from ${ctx.table('audit_events')} where actor_id = $1 order by commit_position, prepare_position`,
      [subjectId],
    );
    return rows;
  },
});
