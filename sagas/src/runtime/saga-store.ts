import { randomUUID } from 'node:crypto';
import {
  type Migration,
  type MigrationReport,
  type Position,
  positionFromString,
  positionToString,
  runMigrations,
  type SqlExecutor,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import { assertSchema, executorTransactionRunner } from './sql-names.js';

/**
 * The runtime's tables, in the sagas schema:
 *
 * | table              | holds                                                                 |
 * | ------------------ | --------------------------------------------------------------------- |
 * | `checkpoints`      | per saga, the ledger position its subscription resumes after          |
 * | `processed_events` | (saga, event id) of every event a saga handled: redeliveries are skipped |
 * | `timers`           | durable timers and jobs, unique per (saga, kind, key), claimed by pollers |
 * | `dead_letters`     | timers that failed `max_attempts` times (or permanently), for ops      |
 *
 * Every statement names times explicitly (`$now`), never `now()`, so the injectable clock rules.
 */

export const RUNTIME_COMPONENT = 'sagas-runtime';

export function runtimeMigrations(schema: string): readonly Migration[] {
  const s = assertSchema(schema);
  return [
    {
      version: 1,
      name: 'checkpoints, processed events, timers, dead letters',
      sql: `
CREATE TABLE ${s}.checkpoints (
  saga text PRIMARY KEY,
  position text NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE TABLE ${s}.processed_events (
  saga text NOT NULL,
  event_id text NOT NULL,
  processed_at timestamptz NOT NULL,
  PRIMARY KEY (saga, event_id)
);
CREATE INDEX processed_events_age ON ${s}.processed_events (processed_at);
CREATE TABLE ${s}.timers (
  id uuid PRIMARY KEY,
  saga text NOT NULL,
  kind text NOT NULL,
  key text NOT NULL,
  due_at timestamptz NOT NULL,
  payload jsonb NOT NULL,
  attempts int NOT NULL DEFAULT 0,
  max_attempts int NOT NULL,
  generation int NOT NULL DEFAULT 1,
  claim_token uuid,
  claimed_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (saga, kind, key)
);
CREATE INDEX timers_due ON ${s}.timers (due_at);
CREATE TABLE ${s}.dead_letters (
  id uuid PRIMARY KEY,
  saga text NOT NULL,
  kind text NOT NULL,
  key text NOT NULL,
  payload jsonb NOT NULL,
  attempts int NOT NULL,
  last_error text NOT NULL,
  first_scheduled_at timestamptz NOT NULL,
  failed_at timestamptz NOT NULL
);
CREATE INDEX dead_letters_saga ON ${s}.dead_letters (saga, failed_at);
`,
    },
  ];
}

export function migrateRuntime(sql: TransactionalSqlExecutor, schema: string): Promise<MigrationReport> {
  return runMigrations(executorTransactionRunner(sql), schema, RUNTIME_COMPONENT, runtimeMigrations(schema));
}

/** Runs a saga's own migrations (component `saga:<name>`) in the sagas schema. */
export function migrateComponent(
  sql: TransactionalSqlExecutor,
  schema: string,
  component: string,
  migrations: readonly Migration[],
): Promise<MigrationReport> {
  return runMigrations(executorTransactionRunner(sql), schema, component, migrations);
}

export type TimerPayload = Readonly<Record<string, unknown>>;

// ---------------------------------------------------------------------------------------------
// Checkpoints and processed events
// ---------------------------------------------------------------------------------------------

export async function readCheckpoint(
  sql: SqlExecutor,
  schema: string,
  saga: string,
): Promise<Position | undefined> {
  const { rows } = await sql.query<{ position: string }>(
    `select position from ${schema}.checkpoints where saga = $1`,
    [saga],
  );
  const row = rows[0];
  return row === undefined ? undefined : positionFromString(row.position);
}

/**
 * Stores a saga's checkpoint. Two processes running the same saga may store them out of order; the
 * processed-events table makes the redelivery that follows harmless.
 */
export async function storeCheckpoint(
  sql: SqlExecutor,
  schema: string,
  saga: string,
  position: Position,
  now: Date,
): Promise<void> {
  await sql.query(
    `insert into ${schema}.checkpoints (saga, position, updated_at) values ($1, $2, $3)
     on conflict (saga) do update set position = excluded.position, updated_at = excluded.updated_at`,
    [saga, positionToString(position), now],
  );
}

/**
 * Claims an event for a saga inside the caller's transaction: true the first time, false when it
 * was already handled. On PostgreSQL a second process inserting the same pair waits for the first
 * transaction and then sees the row, so an event is handled once even by concurrent processes.
 */
export async function claimEvent(
  tx: SqlExecutor,
  schema: string,
  saga: string,
  eventId: string,
  now: Date,
): Promise<boolean> {
  const { rows } = await tx.query(
    `insert into ${schema}.processed_events (saga, event_id, processed_at) values ($1, $2, $3)
     on conflict do nothing returning event_id`,
    [saga, eventId, now],
  );
  return rows.length > 0;
}

/** Forgets handled events older than `before` (their checkpoint is long past them). */
export async function pruneProcessedEvents(sql: SqlExecutor, schema: string, before: Date): Promise<number> {
  const { rows } = await sql.query(
    `delete from ${schema}.processed_events where processed_at < $1 returning event_id`,
    [before],
  );
  return rows.length;
}

// ---------------------------------------------------------------------------------------------
// Timers
// ---------------------------------------------------------------------------------------------

export interface TimerSpec {
  readonly saga: string;
  readonly kind: string;
  /** Unique within (saga, kind): scheduling the same key again replaces (or keeps) the timer. */
  readonly key: string;
  readonly dueAt: Date;
  readonly payload: TimerPayload;
  readonly maxAttempts: number;
}

/**
 * `replace`: a timer with the same key gets the new due time and payload, and its attempts restart
 * (a newer fact supersedes it). `keep`: an existing timer is left as it is.
 */
export type ScheduleMode = 'replace' | 'keep';

export async function scheduleTimer(
  sql: SqlExecutor,
  schema: string,
  spec: TimerSpec,
  now: Date,
  mode: ScheduleMode = 'replace',
): Promise<void> {
  const conflict =
    mode === 'keep'
      ? 'do nothing'
      : `do update set due_at = excluded.due_at, payload = excluded.payload,
           max_attempts = excluded.max_attempts, attempts = 0, last_error = null,
           generation = ${schema}.timers.generation + 1, updated_at = excluded.updated_at`;
  await sql.query(
    `insert into ${schema}.timers (id, saga, kind, key, due_at, payload, max_attempts, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $8)
     on conflict (saga, kind, key) ${conflict}`,
    [
      randomUUID(),
      spec.saga,
      spec.kind,
      spec.key,
      spec.dueAt,
      JSON.stringify(spec.payload),
      spec.maxAttempts,
      now,
    ],
  );
}

/**
 * Deletes a timer. One that a poller is running right now still finishes that run (its handler must
 * check the saga's state, as every handler does), but never runs again.
 */
export async function cancelTimer(
  sql: SqlExecutor,
  schema: string,
  saga: string,
  kind: string,
  key: string,
): Promise<boolean> {
  const { rows } = await sql.query(
    `delete from ${schema}.timers where saga = $1 and kind = $2 and key = $3 returning id`,
    [saga, kind, key],
  );
  return rows.length > 0;
}

export interface ScheduledTimer {
  readonly id: string;
  readonly saga: string;
  readonly kind: string;
  readonly key: string;
  readonly dueAt: Date;
  readonly payload: TimerPayload;
  /** Runs so far, this one included when the timer is claimed. */
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly lastError: string | null;
}

export interface ClaimedTimer extends ScheduledTimer {
  readonly generation: number;
  readonly claimToken: string;
  readonly createdAt: Date;
}

interface TimerRow {
  id: string;
  saga: string;
  kind: string;
  key: string;
  due_at: Date;
  payload: TimerPayload;
  attempts: number;
  max_attempts: number;
  generation: number;
  last_error: string | null;
  created_at: Date;
}

const timerOf = (row: TimerRow): ScheduledTimer => ({
  id: row.id,
  saga: row.saga,
  kind: row.kind,
  key: row.key,
  dueAt: new Date(row.due_at),
  payload: row.payload,
  attempts: row.attempts,
  maxAttempts: row.max_attempts,
  lastError: row.last_error,
});

export async function findTimer(
  sql: SqlExecutor,
  schema: string,
  saga: string,
  kind: string,
  key: string,
): Promise<ScheduledTimer | undefined> {
  const { rows } = await sql.query<TimerRow>(
    `select * from ${schema}.timers where saga = $1 and kind = $2 and key = $3`,
    [saga, kind, key],
  );
  const row = rows[0];
  return row === undefined ? undefined : timerOf(row);
}

export async function listTimers(
  sql: SqlExecutor,
  schema: string,
  filter: { readonly saga?: string; readonly kind?: string } = {},
): Promise<ScheduledTimer[]> {
  const { rows } = await sql.query<TimerRow>(
    `select * from ${schema}.timers
      where ($1::text is null or saga = $1) and ($2::text is null or kind = $2)
      order by due_at, id`,
    [filter.saga ?? null, filter.kind ?? null],
  );
  return rows.map(timerOf);
}

export interface ClaimOptions {
  readonly now: Date;
  readonly limit: number;
  /** How long a claim shields the timer from other pollers (longer than any handler runs). */
  readonly leaseMs: number;
  /** Only these sagas' timers (the ones this process knows how to run). */
  readonly sagas: readonly string[];
}

/**
 * Claims due timers for this poller in one statement. `FOR UPDATE SKIP LOCKED` lets concurrent
 * pollers take disjoint rows without waiting; a row another poller claimed (and committed) an
 * instant earlier fails the re-checked `claimed_until` condition, so no timer is handed to two
 * pollers at once. A claimed timer whose process dies becomes claimable again when its lease ends.
 */
export async function claimDueTimers(
  sql: SqlExecutor,
  schema: string,
  options: ClaimOptions,
): Promise<ClaimedTimer[]> {
  const token = randomUUID();
  const until = new Date(options.now.getTime() + options.leaseMs);
  const { rows } = await sql.query<TimerRow>(
    `with due as (
       select id from ${schema}.timers
        where due_at <= $1 and (claimed_until is null or claimed_until <= $1)
          and saga in (select jsonb_array_elements_text($5::jsonb))
        order by due_at, id
        limit $2
        for update skip locked
     )
     update ${schema}.timers t
        set claim_token = $3, claimed_until = $4, attempts = t.attempts + 1, updated_at = $1
       from due
      where t.id = due.id
        and t.due_at <= $1 and (t.claimed_until is null or t.claimed_until <= $1)
     returning t.id, t.saga, t.kind, t.key, t.due_at, t.payload, t.attempts, t.max_attempts,
               t.generation, t.last_error, t.created_at`,
    [options.now, options.limit, token, until, JSON.stringify(options.sagas)],
  );
  return rows
    .map((row) => ({
      ...timerOf(row),
      generation: row.generation,
      claimToken: token,
      createdAt: row.created_at,
    }))
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/** Releases a claim without touching the schedule (the timer was replaced while it ran). */
async function releaseClaim(sql: SqlExecutor, schema: string, timer: ClaimedTimer): Promise<void> {
  await sql.query(
    `update ${schema}.timers set claim_token = null, claimed_until = null where id = $1 and claim_token = $2`,
    [timer.id, timer.claimToken],
  );
}

/** Done: deletes the timer, unless it was rescheduled while running (then it runs again when due). */
export async function completeTimer(sql: SqlExecutor, schema: string, timer: ClaimedTimer): Promise<void> {
  const { rows } = await sql.query(
    `delete from ${schema}.timers where id = $1 and claim_token = $2 and generation = $3 returning id`,
    [timer.id, timer.claimToken, timer.generation],
  );
  if (rows.length === 0) await releaseClaim(sql, schema, timer);
}

/** Runs the timer again at `dueAt`; `countAttempt: false` for a planned re-run (polling), not a failure. */
export async function retryTimer(
  sql: SqlExecutor,
  schema: string,
  timer: ClaimedTimer,
  dueAt: Date,
  now: Date,
  outcome: { readonly error: string | null; readonly countAttempt: boolean },
): Promise<void> {
  const { rows } = await sql.query(
    `update ${schema}.timers
        set due_at = $4, claim_token = null, claimed_until = null, last_error = $5, updated_at = $6,
            attempts = case when $7 then attempts else attempts - 1 end
      where id = $1 and claim_token = $2 and generation = $3
      returning id`,
    [timer.id, timer.claimToken, timer.generation, dueAt, outcome.error, now, outcome.countAttempt],
  );
  if (rows.length === 0) await releaseClaim(sql, schema, timer);
}

/** Moves a failed timer to the dead letters (unless it was replaced by a newer schedule meanwhile). */
export async function deadLetterTimer(
  sql: TransactionalSqlExecutor,
  schema: string,
  timer: ClaimedTimer,
  error: string,
  now: Date,
): Promise<boolean> {
  const moved = await sql.transaction(async (tx) => {
    const { rows } = await tx.query(
      `delete from ${schema}.timers where id = $1 and claim_token = $2 and generation = $3 returning id`,
      [timer.id, timer.claimToken, timer.generation],
    );
    if (rows.length === 0) return false;
    await tx.query(
      `insert into ${schema}.dead_letters
         (id, saga, kind, key, payload, attempts, last_error, first_scheduled_at, failed_at)
       values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9)`,
      [
        randomUUID(),
        timer.saga,
        timer.kind,
        timer.key,
        JSON.stringify(timer.payload),
        timer.attempts,
        error,
        timer.createdAt,
        now,
      ],
    );
    return true;
  });
  if (!moved) await releaseClaim(sql, schema, timer);
  return moved;
}

// ---------------------------------------------------------------------------------------------
// Dead letters
// ---------------------------------------------------------------------------------------------

export interface DeadLetter {
  readonly id: string;
  readonly saga: string;
  readonly kind: string;
  readonly key: string;
  readonly payload: TimerPayload;
  readonly attempts: number;
  readonly lastError: string;
  readonly firstScheduledAt: Date;
  readonly failedAt: Date;
}

interface DeadLetterRow {
  id: string;
  saga: string;
  kind: string;
  key: string;
  payload: TimerPayload;
  attempts: number;
  last_error: string;
  first_scheduled_at: Date;
  failed_at: Date;
}

const deadLetterOf = (row: DeadLetterRow): DeadLetter => ({
  id: row.id,
  saga: row.saga,
  kind: row.kind,
  key: row.key,
  payload: row.payload,
  attempts: row.attempts,
  lastError: row.last_error,
  firstScheduledAt: new Date(row.first_scheduled_at),
  failedAt: new Date(row.failed_at),
});

export interface DeadLetterQuery {
  readonly saga?: string;
  readonly limit?: number;
}

export async function listDeadLetters(
  sql: SqlExecutor,
  schema: string,
  query: DeadLetterQuery = {},
): Promise<DeadLetter[]> {
  const { rows } = await sql.query<DeadLetterRow>(
    `select * from ${assertSchema(schema)}.dead_letters
      where ($1::text is null or saga = $1)
      order by failed_at, id
      limit $2`,
    [query.saga ?? null, query.limit ?? 100],
  );
  return rows.map(deadLetterOf);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Puts a dead letter back as a timer due now, with its attempts reset. If a timer with the same key
 * was scheduled since, that newer one is kept (made due now): it carries the latest facts.
 */
export async function retryDeadLetter(
  sql: TransactionalSqlExecutor,
  schema: string,
  id: string,
  now: Date,
  maxAttempts?: number,
): Promise<DeadLetter | undefined> {
  const s = assertSchema(schema);
  if (!UUID.test(id)) return undefined;
  return sql.transaction(async (tx) => {
    const { rows } = await tx.query<DeadLetterRow>(
      `delete from ${s}.dead_letters where id = $1 returning *`,
      [id],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    await tx.query(
      `insert into ${s}.timers (id, saga, kind, key, due_at, payload, max_attempts, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6::jsonb, $7, $5, $5)
       on conflict (saga, kind, key) do update
         set due_at = least(${s}.timers.due_at, excluded.due_at), updated_at = excluded.updated_at`,
      [
        randomUUID(),
        row.saga,
        row.kind,
        row.key,
        now,
        JSON.stringify(row.payload),
        maxAttempts ?? Math.max(row.attempts, 1),
      ],
    );
    return deadLetterOf(row);
  });
}

export async function discardDeadLetter(
  sql: SqlExecutor,
  schema: string,
  id: string,
): Promise<DeadLetter | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await sql.query<DeadLetterRow>(
    `delete from ${assertSchema(schema)}.dead_letters where id = $1 returning *`,
    [id],
  );
  const row = rows[0];
  return row === undefined ? undefined : deadLetterOf(row);
}

// ---------------------------------------------------------------------------------------------
// Backlog (metrics)
// ---------------------------------------------------------------------------------------------

export interface SagaBacklog {
  readonly saga: string;
  /** Timers due now or earlier (claimed or not). */
  readonly due: number;
  /** Every timer, due or future. */
  readonly scheduled: number;
  readonly deadLetters: number;
}

export async function readBacklog(sql: SqlExecutor, schema: string, now: Date): Promise<SagaBacklog[]> {
  const timers = await sql.query<{ saga: string; due: bigint | number; scheduled: bigint | number }>(
    `select saga, count(*) filter (where due_at <= $1) as due, count(*) as scheduled
       from ${schema}.timers group by saga`,
    [now],
  );
  const dead = await sql.query<{ saga: string; dead: bigint | number }>(
    `select saga, count(*) as dead from ${schema}.dead_letters group by saga`,
  );
  const bySaga = new Map<string, { due: number; scheduled: number; deadLetters: number }>();
  const entry = (saga: string) => {
    let found = bySaga.get(saga);
    if (found === undefined) {
      found = { due: 0, scheduled: 0, deadLetters: 0 };
      bySaga.set(saga, found);
    }
    return found;
  };
  for (const row of timers.rows) {
    const e = entry(row.saga);
    e.due = Number(row.due);
    e.scheduled = Number(row.scheduled);
  }
  for (const row of dead.rows) entry(row.saga).deadLetters = Number(row.dead);
  return [...bySaga.entries()].map(([saga, counts]) => ({ saga, ...counts }));
}
