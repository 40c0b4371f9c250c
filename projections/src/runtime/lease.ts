import { runMigrations, type TransactionalSqlExecutor } from '@pti/platform';
import type { ProjectionLayout } from './layout.js';
import { executorTransactionRunner } from './registry.js';

/**
 * Leases in PostgreSQL (DESIGN.md §9): one row per lease name with its owner and expiry, so that
 * across projection replicas each read model has one owner at a time. Every operation is one atomic
 * statement (no read-then-write), so two processes racing for a lease cannot both win. Times come
 * from the injected clock (not the database's `now()`), which keeps tests deterministic; replicas
 * are assumed to have roughly synchronised clocks (skew well below the TTL).
 */

export interface LeaseRecord {
  readonly name: string;
  readonly owner: string;
  readonly expiresAt: Date;
  readonly renewedAt: Date;
}

export interface LeaseStore {
  /** Takes the lease if it is free, expired or already ours; resolves its expiry, or undefined when held by another. */
  tryAcquire(name: string, owner: string, ttlMs: number): Promise<Date | undefined>;
  /** Extends a lease we still own (even past its expiry, if nobody took it meanwhile); undefined when lost. */
  renew(name: string, owner: string, ttlMs: number): Promise<Date | undefined>;
  /** Gives a lease up at once (others may take it on their next attempt); false if it was not ours. */
  release(name: string, owner: string): Promise<boolean>;
  /** Every unexpired lease whose name starts with `prefix`. */
  held(prefix?: string): Promise<LeaseRecord[]>;
}

function leaseMigrations(schema: string) {
  return [
    {
      version: 1,
      name: 'leases',
      sql: `
create table if not exists ${schema}.leases (
  name text primary key,
  owner text not null,
  expires_at timestamptz not null,
  renewed_at timestamptz not null
);`,
    },
  ];
}

/** Creates the lease table in the registry schema (idempotent; its own migration component). */
export async function migrateLeases(db: TransactionalSqlExecutor, layout: ProjectionLayout): Promise<void> {
  await runMigrations(
    executorTransactionRunner(db),
    layout.registrySchema,
    'projection-leases',
    leaseMigrations(layout.registrySchema),
  );
}

interface LeaseRow {
  name: string;
  owner: string;
  expires_at: Date | string;
  renewed_at: Date | string;
}

const asDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));

export function createLeaseStore(
  db: TransactionalSqlExecutor,
  layout: ProjectionLayout,
  clock: () => Date = () => new Date(),
): LeaseStore {
  const table = `${layout.registrySchema}.leases`;
  const times = (ttlMs: number) => {
    const now = clock();
    return { now: now.toISOString(), expires: new Date(now.getTime() + ttlMs).toISOString() };
  };
  return {
    async tryAcquire(name, owner, ttlMs) {
      const { now, expires } = times(ttlMs);
      const { rows } = await db.query<Pick<LeaseRow, 'expires_at'>>(
        `insert into ${table} as l (name, owner, expires_at, renewed_at)
         values ($1, $2, $3::timestamptz, $4::timestamptz)
         on conflict (name) do update
           set owner = excluded.owner, expires_at = excluded.expires_at, renewed_at = excluded.renewed_at
           where l.owner = excluded.owner or l.expires_at <= excluded.renewed_at
         returning expires_at`,
        [name, owner, expires, now],
      );
      const row = rows[0];
      return row === undefined ? undefined : asDate(row.expires_at);
    },
    async renew(name, owner, ttlMs) {
      const { now, expires } = times(ttlMs);
      const { rows } = await db.query<Pick<LeaseRow, 'expires_at'>>(
        `update ${table} set expires_at = $3::timestamptz, renewed_at = $4::timestamptz
         where name = $1 and owner = $2
         returning expires_at`,
        [name, owner, expires, now],
      );
      const row = rows[0];
      return row === undefined ? undefined : asDate(row.expires_at);
    },
    async release(name, owner) {
      const { rows } = await db.query<{ name: string }>(
        `delete from ${table} where name = $1 and owner = $2 returning name`,
        [name, owner],
      );
      return rows.length > 0;
    },
    async held(prefix = '') {
      const { rows } = await db.query<LeaseRow>(
        `select name, owner, expires_at, renewed_at from ${table}
         where starts_with(name, $1) and expires_at > $2::timestamptz order by name`,
        [prefix, clock().toISOString()],
      );
      return rows.map((row) => ({
        name: row.name,
        owner: row.owner,
        expiresAt: asDate(row.expires_at),
        renewedAt: asDate(row.renewed_at),
      }));
    },
  };
}
