import type { SqlExecutor, TransactionalSqlExecutor } from '@pti/platform';
import { READER_ROLE } from './layout.js';

/**
 * Runs staff reads under row-level security: one read-only transaction as role `pti_reader` (not
 * a superuser, not the tables' owner, so the policies apply) with `pti.tenant_id` set for this
 * transaction only (`set_config(…, true)` is `SET LOCAL`). With `tenantId` null no tenant is set and
 * every staff-facing table reads empty.
 */
export async function withTenantRead<T>(
  db: TransactionalSqlExecutor,
  tenantId: string | null,
  fn: (tx: SqlExecutor) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.exec(`set transaction read only; set local role ${READER_ROLE}`);
    if (tenantId !== null) await tx.query(`select set_config('pti.tenant_id', $1, true)`, [tenantId]);
    return fn(tx);
  });
}
