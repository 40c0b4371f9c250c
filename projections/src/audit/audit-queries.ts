import type { TransactionalSqlExecutor } from '@pti/platform';
import { type ProjectionLayout, projectionLayout } from '../runtime/layout.js';
import { withTenantRead } from '../runtime/tenant.js';
import type { AuditRow } from './audit-projector.js';

export interface AuditQuery {
  /** One entity: its stream (`booking-…`, `centre-…`, `calendar-…-2026-03-02`). */
  readonly stream?: string;
  /** Every stream of a category (`booking`). */
  readonly category?: string;
  readonly actorId?: string;
  readonly correlationId?: string;
  /** Occurred at or after (inclusive). */
  readonly from?: Date;
  /** Occurred before (exclusive). */
  readonly to?: Date;
  readonly types?: readonly string[];
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
  /** Page size, 1..1000 (default 100). */
  readonly limit?: number;
}

export interface AuditEntry {
  readonly eventId: string;
  readonly position: string;
  readonly stream: string;
  readonly revision: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly actor: { readonly id: string; readonly role: string };
  readonly tenantId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
}

export interface AuditPage {
  readonly items: readonly AuditEntry[];
  /** Pass as `cursor` for the next page; null at the end. */
  readonly nextCursor: string | null;
}

export interface AuditReadDeps {
  readonly db: TransactionalSqlExecutor;
  readonly layout?: ProjectionLayout;
}

function parseCursor(cursor: string): { commit: string; prepare: string } {
  const m = /^(\d+)\/(\d+)$/.exec(cursor);
  if (!m) throw new RangeError(`invalid audit cursor ${JSON.stringify(cursor)}`);
  return { commit: m[1]!, prepare: m[2]! };
}

/**
 * The audit trail of one tenant, in global (ledger) order, filtered by entity, actor, period,
 * types and correlation, a page at a time. Runs under row-level security (`withTenantRead`): rows
 * of other tenants are invisible whatever the filters.
 */
export async function auditTrail(
  deps: AuditReadDeps,
  tenantId: string,
  query: AuditQuery,
): Promise<AuditPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.stream !== undefined) where.push(`stream = ${param(query.stream)}`);
  if (query.category !== undefined) where.push(`stream_category = ${param(query.category)}`);
  if (query.actorId !== undefined) where.push(`actor_id = ${param(query.actorId)}`);
  if (query.correlationId !== undefined) where.push(`correlation_id = ${param(query.correlationId)}`);
  if (query.from !== undefined) where.push(`occurred_at >= ${param(query.from)}`);
  if (query.to !== undefined) where.push(`occurred_at < ${param(query.to)}`);
  if (query.types !== undefined && query.types.length > 0)
    where.push(`type = any(${param(query.types)}::text[])`);
  if (query.cursor !== undefined) {
    const c = parseCursor(query.cursor);
    where.push(`(commit_position, prepare_position) > (${param(c.commit)}::int8, ${param(c.prepare)}::int8)`);
  }
  const limit = Math.min(Math.max(query.limit ?? 100, 1), 1_000);
  const view = `${(deps.layout ?? projectionLayout()).viewSchema(undefined)}.audit_events`;
  const rows = await withTenantRead(deps.db, tenantId, async (tx) => {
    const result = await tx.query<AuditRow>(
      `select * from ${view} ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
        order by commit_position, prepare_position limit ${limit + 1}`,
      params,
    );
    return result.rows;
  });
  const page = rows.slice(0, limit);
  const items = page.map(
    (row): AuditEntry => ({
      eventId: row.event_id,
      position: `${row.commit_position}/${row.prepare_position}`,
      stream: row.stream,
      revision: row.revision.toString(),
      type: row.type,
      schemaVersion: row.schema_version,
      actor: { id: row.actor_id, role: row.actor_role },
      tenantId: row.tenant_id,
      correlationId: row.correlation_id,
      causationId: row.causation_id,
      occurredAt: row.occurred_at.toISOString(),
      recordedAt: row.recorded_at.toISOString(),
    }),
  );
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? last.position : null };
}
