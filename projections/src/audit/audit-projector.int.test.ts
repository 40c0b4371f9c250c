import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProjectionSpec, type ProjectionSpec } from '../runtime/testing/projection-spec.js';
import { centreEvents } from '../testing/centre-fixtures.js';
import { auditProjector } from './audit-projector.js';

describe('audit read model', () => {
  let spec: ProjectionSpec;
  beforeAll(async () => {
    spec = await openProjectionSpec(auditProjector);
  });
  afterAll(() => spec.close());

  it('given events then one row per event with actor, time, correlation, causation, stream and type', async () => {
    const [registered, hours] = centreEvents({ centreId: 'c1' });
    const run = await spec.given([
      {
        ...registered!,
        metadata: {
          actor: { id: 'admin-7', role: 'admin_reseau' },
          correlationId: 'corr-9',
          occurredAt: '2026-03-01T10:00:00.000Z',
        },
      },
      { ...hours!, metadata: { tenantId: 'tenant-b', causationId: 'cmd-2' } },
    ]);
    const rows = await run.rows('audit_events', [
      'tenant_id',
      'stream',
      'stream_category',
      'revision',
      'type',
      'actor_id',
      'actor_role',
      'correlation_id',
      'causation_id',
      'occurred_at',
      'prepare_position',
    ]);
    expect(rows).toEqual([
      {
        tenant_id: 'tenant-a',
        stream: 'centre-c1',
        stream_category: 'centre',
        revision: 1n,
        type: 'CentreRegistered',
        actor_id: 'admin-7',
        actor_role: 'admin_reseau',
        correlation_id: 'corr-9',
        causation_id: null,
        occurred_at: new Date('2026-03-01T10:00:00.000Z'),
        prepare_position: 1n,
      },
      {
        tenant_id: 'tenant-b',
        stream: 'centre-c1',
        stream_category: 'centre',
        revision: 2n,
        type: 'OpeningHoursSet',
        actor_id: 'user-1',
        actor_role: 'admin_reseau',
        correlation_id: 'corr-1',
        causation_id: 'cmd-2',
        occurred_at: new Date('2026-03-02T08:00:00.000Z'),
        prepare_position: 2n,
      },
    ]);
    const indexes = await run.sql.query<{ indexname: string }>(
      `select indexname from pg_indexes where schemaname = $1 order by indexname`,
      [run.schema],
    );
    expect(indexes.rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining(['audit_by_actor', 'audit_by_stream', 'audit_by_time', 'audit_by_type']),
    );
  });
});
