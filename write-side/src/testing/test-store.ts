import { randomUUID } from 'node:crypto';
import {
  createPgliteLedger,
  createPgPool,
  createPostgresLedger,
  type Ledger,
  openPglite,
  type Position,
  pgExecutor,
  pgliteExecutor,
  pgliteTransactionRunner,
  poolTransactionRunner,
  runMigrations,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import { idempotencyMigration } from '../http/idempotency-store.js';

/**
 * The stores of an integration test: PostgreSQL when `DATABASE_URL` is set (a schema of its own per
 * test file, dropped at close), else an in-memory PGlite. Ledger and Idempotency-Key table migrated.
 */
export interface TestStore {
  readonly kind: 'postgres' | 'pglite';
  readonly ledger: Ledger;
  readonly sql: TransactionalSqlExecutor;
  readonly schema: string;
  close(): Promise<void>;
}

export const TEST_DATABASE_URL = process.env.DATABASE_URL;

export async function openTestStore(
  label: string,
  options: { readonly poolMax?: number } = {},
): Promise<TestStore> {
  const url = TEST_DATABASE_URL;
  if (url === undefined || url === '') {
    const pglite = await openPglite('memory://');
    const ledger = createPgliteLedger({ pglite, schema: 'pti' });
    await ledger.migrate();
    await runMigrations(pgliteTransactionRunner(pglite), 'pti', 'idempotency', idempotencyMigration('pti'));
    storesByLedger.set(ledger, { sql: pgliteExecutor(pglite), schema: 'pti' });
    return {
      kind: 'pglite',
      ledger,
      sql: pgliteExecutor(pglite),
      schema: 'pti',
      async close() {
        await ledger.close();
        await pglite.close();
      },
    };
  }
  const schema = `ws_${label.replace(/[^a-z0-9]/g, '_').slice(0, 30)}_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  const ledger = createPostgresLedger({
    connectionString: url,
    schema,
    poolMax: options.poolMax ?? 20,
    listen: false,
  });
  await ledger.migrate();
  const pool = createPgPool({ url, max: 10, applicationName: 'pti-write-side-test' });
  await runMigrations(poolTransactionRunner(pool), schema, 'idempotency', idempotencyMigration(schema));
  storesByLedger.set(ledger, { sql: pgExecutor(pool), schema });
  return {
    kind: 'postgres',
    ledger,
    sql: pgExecutor(pool),
    schema,
    async close() {
      await ledger.close();
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
    },
  };
}

/**
 * Stores by ledger, so `countEvents` can count committed rows directly: `readAll` is gap-safe and hides
 * rows newer than the oldest transaction running anywhere on the cluster (other test files' included),
 * which would make a count taken through it lag behind what was appended.
 */
const storesByLedger = new WeakMap<Ledger, { sql: TransactionalSqlExecutor; schema: string }>();

/** How many events the ledger holds (to show that a refused command appended nothing). */
export async function countEvents(ledger: Ledger): Promise<number> {
  const store = storesByLedger.get(ledger);
  if (store) {
    const { rows } = await store.sql.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${store.schema}.events`,
    );
    return Number(rows[0]?.n ?? 0);
  }
  let count = 0;
  let after: Position | undefined;
  for (;;) {
    const page = await ledger.readAll({ after, limit: 5000 });
    count += page.events.length;
    if (page.isEnd) return count;
    after = page.next;
  }
}
