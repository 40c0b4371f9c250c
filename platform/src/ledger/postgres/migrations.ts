import { assertSchemaName } from './ledger-sql.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Runs statements inside one transaction; both pg and PGlite provide it. */
export type TransactionRunner = <T>(
  work: (exec: (sql: string) => Promise<unknown>) => Promise<T>,
) => Promise<T>;

export interface MigrationReport {
  readonly component: string;
  readonly applied: readonly Migration[];
  readonly alreadyApplied: number;
}

/**
 * Applies a component's pending migrations in one transaction under an advisory lock, so several
 * processes starting together migrate once. Each applied version is recorded in `<schema>.schema_migrations`.
 */
export async function runMigrations(
  transaction: TransactionRunner,
  schema: string,
  component: string,
  migrations: readonly Migration[],
): Promise<MigrationReport> {
  const s = assertSchemaName(schema);
  return transaction(async (exec) => {
    await exec(`SELECT pg_advisory_xact_lock(hashtext('pti_migrate_${s}'))`);
    await exec(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await exec(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
      component text NOT NULL, version int NOT NULL, name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`);
    const rows = (await exec(
      `SELECT coalesce(max(version), 0)::int AS v FROM ${s}.schema_migrations WHERE component = '${component.replace(/'/g, "''")}'`,
    )) as { v: number }[];
    const current = rows[0]?.v ?? 0;
    const pending = migrations.filter((m) => m.version > current).sort((a, b) => a.version - b.version);
    for (const m of pending) {
      await exec(m.sql);
      await exec(
        `INSERT INTO ${s}.schema_migrations (component, version, name) VALUES ('${component.replace(/'/g, "''")}', ${m.version}, '${m.name.replace(/'/g, "''")}')`,
      );
    }
    return { component, applied: pending, alreadyApplied: migrations.length - pending.length };
  });
}
