import {
  type Position,
  positionFromString,
  positionToString,
  runMigrations,
  type SqlExecutor,
  START,
  sqlLiteral,
  type TransactionalSqlExecutor,
  type TransactionRunner,
} from '@pti/platform';
import { type ProjectionLayout, READER_ROLE } from './layout.js';
import type { Projector } from './projector.js';

/**
 * The generation registry: which table sets exist per projector, which one is live, and each one's
 * checkpoint (`<registry>.checkpoints(projector, version, position, updated_at)`, where `version`
 * is the generation number). Blue/green swaps flip `status` and re-point the stable views in one
 * transaction.
 */

export type GenerationStatus = 'building' | 'live' | 'retired';

export interface GenerationRecord {
  readonly projector: string;
  readonly generation: number;
  /** `Projector.version` of the code that built it. */
  readonly projectorVersion: number;
  readonly schema: string;
  readonly keyPrefix: string;
  readonly status: GenerationStatus;
  readonly createdAt: Date;
  readonly swappedAt: Date | null;
  readonly position: Position;
  readonly checkpointAt: Date | null;
}

/** Runs migration scripts through a transactional executor (what `runMigrations` expects). */
export function executorTransactionRunner(db: TransactionalSqlExecutor): TransactionRunner {
  return (work) =>
    db.transaction((tx) =>
      work(async (sql) => {
        // Single SELECTs return rows (the migration runner reads its version); scripts go through exec.
        if (/^\s*select\b/i.test(sql) && !sql.includes(';')) return (await tx.query(sql)).rows;
        await tx.exec(sql);
        return [];
      }),
    );
}

function registryMigrations(schema: string) {
  return [
    {
      version: 1,
      name: 'generations, checkpoints and the reader role',
      sql: `
create table ${schema}.generations (
  projector text not null,
  generation int not null,
  projector_version int not null,
  schema_name text not null,
  key_prefix text not null,
  status text not null check (status in ('building', 'live', 'retired')),
  created_at timestamptz not null default now(),
  swapped_at timestamptz,
  primary key (projector, generation)
);
create unique index generations_one_live on ${schema}.generations (projector) where status = 'live';
create table ${schema}.checkpoints (
  projector text not null,
  version int not null,
  position text not null,
  updated_at timestamptz not null default now(),
  primary key (projector, version)
);
do $$
begin
  create role ${READER_ROLE} nologin;
exception when duplicate_object or unique_violation then null;
end $$;
do $$
begin
  execute format('grant ${READER_ROLE} to %I', current_user);
exception when others then null;
end $$;`,
    },
  ];
}

/** Creates or upgrades the registry schema (idempotent; several processes may call it at once). */
export async function migrateRegistry(db: TransactionalSqlExecutor, layout: ProjectionLayout): Promise<void> {
  await runMigrations(
    executorTransactionRunner(db),
    layout.registrySchema,
    'projections',
    registryMigrations(layout.registrySchema),
  );
}

interface GenerationRow {
  projector: string;
  generation: number;
  projector_version: number;
  schema_name: string;
  key_prefix: string;
  status: GenerationStatus;
  created_at: Date;
  swapped_at: Date | null;
  position: string | null;
  updated_at: Date | null;
}

function toRecord(row: GenerationRow): GenerationRecord {
  return {
    projector: row.projector,
    generation: row.generation,
    projectorVersion: row.projector_version,
    schema: row.schema_name,
    keyPrefix: row.key_prefix,
    status: row.status,
    createdAt: row.created_at,
    swappedAt: row.swapped_at,
    position: row.position === null ? START : positionFromString(row.position),
    checkpointAt: row.updated_at,
  };
}

function selectGenerations(layout: ProjectionLayout, where: string): string {
  const r = layout.registrySchema;
  return `select g.projector, g.generation, g.projector_version, g.schema_name, g.key_prefix, g.status,
                 g.created_at, g.swapped_at, c.position, c.updated_at
            from ${r}.generations g
            left join ${r}.checkpoints c on c.projector = g.projector and c.version = g.generation
           where ${where}
           order by g.projector, g.generation`;
}

export async function listGenerations(
  db: SqlExecutor,
  layout: ProjectionLayout,
  projector?: string,
): Promise<GenerationRecord[]> {
  const { rows } =
    projector === undefined
      ? await db.query<GenerationRow>(selectGenerations(layout, 'true'))
      : await db.query<GenerationRow>(selectGenerations(layout, 'g.projector = $1'), [projector]);
  return rows.map(toRecord);
}

export async function liveGeneration(
  db: SqlExecutor,
  layout: ProjectionLayout,
  projector: string,
): Promise<GenerationRecord | undefined> {
  const { rows } = await db.query<GenerationRow>(
    selectGenerations(layout, `g.projector = $1 and g.status = 'live'`),
    [projector],
  );
  const row = rows[0];
  return row === undefined ? undefined : toRecord(row);
}

export async function generation(
  db: SqlExecutor,
  layout: ProjectionLayout,
  projector: string,
  number: number,
): Promise<GenerationRecord | undefined> {
  const { rows } = await db.query<GenerationRow>(
    selectGenerations(layout, 'g.projector = $1 and g.generation = $2'),
    [projector, number],
  );
  const row = rows[0];
  return row === undefined ? undefined : toRecord(row);
}

const lockKey = (layout: ProjectionLayout) => `pti_projections_${layout.registrySchema}`;

/**
 * The generation a build should continue: the newest `building` one made by the same projector
 * version (a rebuild or first build interrupted by a crash resumes from its checkpoint), if any.
 */
export async function resumableGeneration(
  db: SqlExecutor,
  layout: ProjectionLayout,
  projector: Projector,
): Promise<GenerationRecord | undefined> {
  const building = (await listGenerations(db, layout, projector.name)).filter(
    (g) => g.status === 'building' && g.projectorVersion === projector.version,
  );
  return building.at(-1);
}

/**
 * Registers generation max+1 as `building`, creates its table set (the projector's migrations in
 * `rm_<name>_v<n>`) and a checkpoint at the start of the ledger.
 */
export async function createGeneration(
  db: TransactionalSqlExecutor,
  layout: ProjectionLayout,
  projector: Projector,
): Promise<GenerationRecord> {
  const r = layout.registrySchema;
  const number = await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [lockKey(layout)]);
    const { rows } = await tx.query<{ n: number }>(
      `select coalesce(max(generation), 0)::int + 1 as n from ${r}.generations where projector = $1`,
      [projector.name],
    );
    const n = rows[0]?.n ?? 1;
    await tx.query(
      `insert into ${r}.generations (projector, generation, projector_version, schema_name, key_prefix, status)
       values ($1, $2, $3, $4, $5, 'building')`,
      [
        projector.name,
        n,
        projector.version,
        layout.tableSetSchema(projector.name, n),
        layout.keyPrefix(projector.name, n),
      ],
    );
    await tx.query(`insert into ${r}.checkpoints (projector, version, position) values ($1, $2, $3)`, [
      projector.name,
      n,
      positionToString(START),
    ]);
    return n;
  });
  const schema = layout.tableSetSchema(projector.name, number);
  await runMigrations(executorTransactionRunner(db), schema, projector.name, projector.migrations(schema));
  const created = await generation(db, layout, projector.name, number);
  if (created === undefined) throw new Error(`generation ${number} of ${projector.name} vanished`);
  return created;
}

/** Applies a projector's pending migrations to an existing generation (a new migration version). */
export async function migrateGeneration(
  db: TransactionalSqlExecutor,
  projector: Projector,
  schema: string,
): Promise<void> {
  await runMigrations(executorTransactionRunner(db), schema, projector.name, projector.migrations(schema));
}

/**
 * Makes `number` the live generation in ONE transaction: the previous live one becomes `retired`
 * (kept, still readable in its own schema, until `dropRetired`), and every stable view
 * `<viewSchema>.<table>` is re-pointed at the new table set. Readers see the old or the new
 * generation, never a mix.
 */
export async function swapGeneration(
  db: TransactionalSqlExecutor,
  layout: ProjectionLayout,
  projector: Projector,
  number: number,
): Promise<void> {
  const r = layout.registrySchema;
  const views = layout.viewSchema(projector.viewSchema);
  const schema = layout.tableSetSchema(projector.name, number);
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [lockKey(layout)]);
    await tx.query(
      `update ${r}.generations set status = 'retired' where projector = $1 and status = 'live' and generation <> $2`,
      [projector.name, number],
    );
    const { rowCount } = await tx.query(
      `update ${r}.generations set status = 'live', swapped_at = now() where projector = $1 and generation = $2`,
      [projector.name, number],
    );
    if (rowCount !== 1) throw new Error(`no generation ${number} of ${projector.name} to swap to`);
    await tx.exec(`create schema if not exists ${views}; grant usage on schema ${views} to ${READER_ROLE};`);
    for (const table of projector.tables) {
      await tx.exec(`drop view if exists ${views}.${table};
        create view ${views}.${table} with (security_invoker = true) as select * from ${schema}.${table};
        grant select on ${views}.${table} to ${READER_ROLE};`);
    }
  });
}

/**
 * The arguments of the advisory lock on a generation's checkpoint, `pg_advisory_xact_lock(…)`:
 * every transaction that applies a batch to the generation, or drops it, holds it. An advisory
 * lock, not `FOR UPDATE` on the checkpoint row: a row lock gives the transaction an xid from its
 * first statement, and the ledger shows no event appended after the oldest running xid of the
 * cluster (gap safety), so every batch would hold the ledger's visible tail back for its whole
 * duration and each read model's lag would include the other read models' batches. A batch now
 * takes its xid at its first write, which for a live batch (`writeBehind`) travels with its
 * COMMIT. Values are literals (the statement travels with BEGIN, `TransactionEnds`).
 */
export function checkpointLock(layout: ProjectionLayout, projector: string, generation: number): string {
  if (!Number.isSafeInteger(generation)) throw new Error(`bad generation ${generation}`);
  return `hashtext(${sqlLiteral(layout.registrySchema)}), hashtext(${sqlLiteral(`${projector}:${generation}`)})`;
}

/**
 * Drops retired generations, and abandoned builds of an older projector version (schemas, registry
 * rows, checkpoints); returns what was dropped.
 */
export async function dropRetired(
  db: TransactionalSqlExecutor,
  layout: ProjectionLayout,
  projector: string,
): Promise<GenerationRecord[]> {
  const r = layout.registrySchema;
  const all = await listGenerations(db, layout, projector);
  const live = all.find((g) => g.status === 'live');
  // Retired ones, and builds abandoned by an older projector version (they can never be resumed).
  const retired = all.filter(
    (g) =>
      g.status === 'retired' ||
      (g.status === 'building' && live !== undefined && g.projectorVersion !== live.projectorVersion),
  );
  for (const old of retired) {
    await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [lockKey(layout)]);
      // A batch still applying to it (a lane not yet re-bound) finishes first.
      await tx.exec(`select pg_advisory_xact_lock(${checkpointLock(layout, projector, old.generation)})`);
      await tx.exec(`drop schema if exists ${old.schema} cascade`);
      await tx.query(`delete from ${r}.checkpoints where projector = $1 and version = $2`, [
        projector,
        old.generation,
      ]);
      await tx.query(`delete from ${r}.generations where projector = $1 and generation = $2`, [
        projector,
        old.generation,
      ]);
    });
  }
  return retired;
}

/** Drops a generation that never went live (an abandoned rebuild). */
export async function dropGeneration(
  db: TransactionalSqlExecutor,
  layout: ProjectionLayout,
  projector: string,
  number: number,
): Promise<void> {
  const r = layout.registrySchema;
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [lockKey(layout)]);
    const { rows } = await tx.query<{ schema_name: string; status: string }>(
      `select schema_name, status from ${r}.generations where projector = $1 and generation = $2`,
      [projector, number],
    );
    const row = rows[0];
    if (row === undefined) return;
    if (row.status === 'live') throw new Error(`generation ${number} of ${projector} is live`);
    await tx.exec(`select pg_advisory_xact_lock(${checkpointLock(layout, projector, number)})`);
    await tx.exec(`drop schema if exists ${row.schema_name} cascade`);
    await tx.query(`delete from ${r}.checkpoints where projector = $1 and version = $2`, [projector, number]);
    await tx.query(`delete from ${r}.generations where projector = $1 and generation = $2`, [
      projector,
      number,
    ]);
  });
}
