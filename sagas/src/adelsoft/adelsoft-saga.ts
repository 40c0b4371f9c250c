import type { Migration, SqlExecutor, TransactionalSqlExecutor } from '@pti/platform';
import { describeRefusal, type SagaCommands } from '../commands/saga-commands.js';
import type { Clock } from '../runtime/clock.js';
import {
  type EventContext,
  PermanentSagaError,
  payloadString,
  type SagaDefinition,
  type SagaEvent,
  sagaActor,
  type TimerContext,
  type TimerOutcome,
} from '../runtime/saga.js';
import { scheduleTimer } from '../runtime/saga-store.js';
import { type AdelsoftClient, AdelsoftError } from './adelsoft-client.js';
import type { Appointment, InspectionResult } from './adelsoft-wire.js';

/**
 * AdelSoft sync (DESIGN.md §7): confirmed, moved and cancelled bookings are pushed to the centre's
 * management software; inspection results come back as `RecordResult` commands.
 *
 * Pushing is a state sync, one job per booking (`sync/<bookingId>`): events update the booking's
 * desired state and bump its version; the job compares it with what AdelSoft was last told and
 * sends the difference (create, move, or cancel — a move to another centre is a cancel there and a
 * create here). Each request's Idempotency-Key is `<bookingId>:v<version>:<operation>`, so a job
 * that pushed and then crashed before recording it sends the same key again and AdelSoft answers
 * its first answer. One job per booking keeps a booking's pushes in order; an outage is retried with
 * backoff and, after the last attempt, dead-lettered (a later change of the booking schedules a new
 * sync, which sends everything still missing).
 */
export const ADELSOFT_SAGA = 'adelsoft';

const SYNC = 'sync';
const RECORD_RESULT = 'record-result';
const PULL_RESULTS = 'pull-results';

export interface AdelsoftSagaDeps {
  readonly client: AdelsoftClient;
  readonly commands: SagaCommands;
  /** Poll `GET /v1/results` this often; `null` when results only come by webhook. */
  readonly pullIntervalMs?: number | null;
  /** Runs of a push before it is dead-lettered (default 6). */
  readonly maxAttempts?: number;
}

function adelsoftMigrations(schema: string): readonly Migration[] {
  return [
    {
      version: 1,
      name: 'AdelSoft centres, bookings, results and cursor',
      sql: `
CREATE TABLE ${schema}.adelsoft_centres (
  centre_id text PRIMARY KEY,
  code text NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE TABLE ${schema}.adelsoft_bookings (
  booking_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  customer_id text NOT NULL,
  reference text NOT NULL,
  centre_id text NOT NULL,
  start text NOT NULL,
  duration_minutes int NOT NULL,
  control_type text NOT NULL,
  plate text NOT NULL,
  category text NOT NULL,
  fuel text NOT NULL,
  customer_name text NOT NULL,
  customer_phone text NOT NULL,
  customer_email text NOT NULL,
  desired text NOT NULL,
  version int NOT NULL DEFAULT 0,
  pushed_status text NOT NULL DEFAULT 'none',
  pushed_centre_id text,
  pushed_start text,
  pushed_duration int,
  updated_at timestamptz NOT NULL
);
CREATE INDEX adelsoft_bookings_customer ON ${schema}.adelsoft_bookings (customer_id);
CREATE TABLE ${schema}.adelsoft_results (
  result_id text PRIMARY KEY,
  booking_id text NOT NULL,
  result text NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE TABLE ${schema}.adelsoft_cursor (
  id int PRIMARY KEY,
  cursor text,
  updated_at timestamptz NOT NULL
);
`,
    },
  ];
}

interface BookingRow {
  booking_id: string;
  tenant_id: string;
  reference: string;
  centre_id: string;
  start: string;
  duration_minutes: number;
  control_type: string;
  plate: string;
  category: string;
  fuel: string;
  customer_name: string;
  customer_phone: string;
  customer_email: string;
  desired: 'none' | 'active' | 'cancelled';
  version: number;
  pushed_status: 'none' | 'active' | 'cancelled';
  pushed_centre_id: string | null;
  pushed_start: string | null;
  pushed_duration: number | null;
}

async function bookingOf(
  sql: SqlExecutor,
  schema: string,
  bookingId: string,
): Promise<BookingRow | undefined> {
  const { rows } = await sql.query<BookingRow>(
    `select * from ${schema}.adelsoft_bookings where booking_id = $1`,
    [bookingId],
  );
  return rows[0];
}

async function centreCodeOf(sql: SqlExecutor, schema: string, centreId: string): Promise<string> {
  const { rows } = await sql.query<{ code: string }>(
    `select code from ${schema}.adelsoft_centres where centre_id = $1`,
    [centreId],
  );
  const code = rows[0]?.code;
  // Centres are registered long before they are booked: retried until the saga has seen it.
  if (code === undefined) throw new Error(`the AdelSoft code of centre ${centreId} is not known yet`);
  return code;
}

function appointmentOf(row: BookingRow): Appointment {
  return {
    bookingId: row.booking_id,
    reference: row.reference,
    start: row.start,
    durationMinutes: row.duration_minutes,
    controlType: row.control_type,
    vehicle: { plate: row.plate, category: row.category, fuel: row.fuel },
    customer: { name: row.customer_name, phone: row.customer_phone, email: row.customer_email },
  };
}

/**
 * Stores results that were not seen before and schedules their `RecordResult` jobs, in the caller's
 * transaction. Returns how many were new (webhook and polling may both bring the same result).
 */
export async function acceptResults(
  tx: SqlExecutor,
  schema: string,
  results: readonly InspectionResult[],
  now: Date,
): Promise<number> {
  let fresh = 0;
  for (const result of results) {
    const { rows } = await tx.query(
      `insert into ${schema}.adelsoft_results (result_id, booking_id, result, received_at)
       values ($1, $2, $3, $4) on conflict do nothing returning result_id`,
      [result.resultId, result.bookingId, result.result, now],
    );
    if (rows.length === 0) continue;
    fresh += 1;
    await scheduleTimer(
      tx,
      schema,
      {
        saga: ADELSOFT_SAGA,
        kind: RECORD_RESULT,
        key: result.resultId,
        dueAt: now,
        payload: {
          resultId: result.resultId,
          bookingId: result.bookingId,
          result: result.result,
          inspectorId: result.inspectorId ?? null,
        },
        maxAttempts: 8,
      },
      now,
      'keep',
    );
  }
  return fresh;
}

/** The webhook's entry point: results AdelSoft posted (already authenticated by the route). */
export interface AdelsoftResultReceiver {
  receive(results: readonly InspectionResult[]): Promise<{ readonly accepted: number }>;
}

export function createAdelsoftResultReceiver(deps: {
  readonly sql: TransactionalSqlExecutor;
  readonly schema: string;
  readonly clock: Clock;
}): AdelsoftResultReceiver {
  return {
    receive: async (results) => ({
      accepted: await deps.sql.transaction((tx) => acceptResults(tx, deps.schema, results, deps.clock.now())),
    }),
  };
}

async function bump(
  ctx: EventContext,
  bookingId: string,
  set: string,
  params: readonly unknown[],
): Promise<BookingRow | undefined> {
  const { rows } = await ctx.tx.query<BookingRow>(
    `update ${ctx.schema}.adelsoft_bookings set ${set}, version = version + 1, updated_at = $2
      where booking_id = $1 returning *`,
    [bookingId, ctx.now, ...params],
  );
  return rows[0];
}

export function adelsoftSaga(deps: AdelsoftSagaDeps): SagaDefinition {
  const { client, commands } = deps;
  const maxAttempts = deps.maxAttempts ?? 6;

  const scheduleSync = (ctx: EventContext, bookingId: string) =>
    ctx.timers.schedule(SYNC, bookingId, ctx.now, { bookingId }, { maxAttempts });

  async function onEvent(event: SagaEvent, ctx: EventContext): Promise<void> {
    const { tx, schema, now } = ctx;
    switch (event.type) {
      case 'CentreRegistered':
        await tx.query(
          `insert into ${schema}.adelsoft_centres (centre_id, code, updated_at) values ($1, $2, $3)
           on conflict (centre_id) do update set code = excluded.code, updated_at = excluded.updated_at`,
          [event.data.centreId, event.data.code, now],
        );
        return;
      case 'BookingPlaced': {
        const data = event.data;
        const customer = data.customer;
        const name = customer.kind === 'company' ? (customer.contactName ?? customer.name) : customer.name;
        await tx.query(
          `insert into ${schema}.adelsoft_bookings
             (booking_id, tenant_id, customer_id, reference, centre_id, start, duration_minutes, control_type,
              plate, category, fuel, customer_name, customer_phone, customer_email, desired, updated_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'none', $15)
           on conflict (booking_id) do nothing`,
          [
            data.bookingId,
            event.metadata.tenantId,
            data.customerId,
            data.reference,
            data.centreId,
            data.start,
            data.durationMinutes,
            data.controlType,
            data.vehicle.plate,
            data.vehicle.category,
            data.vehicle.fuel,
            name,
            customer.phone,
            customer.email,
            now,
          ],
        );
        return;
      }
      case 'BookingConfirmed':
        if (await bump(ctx, event.data.bookingId, `desired = 'active'`, []))
          await scheduleSync(ctx, event.data.bookingId);
        return;
      case 'BookingRescheduled': {
        const { bookingId, to, durationMinutes } = event.data;
        const row = await bump(ctx, bookingId, 'centre_id = $3, start = $4, duration_minutes = $5', [
          to.centreId,
          to.start,
          durationMinutes,
        ]);
        if (row?.desired === 'active') await scheduleSync(ctx, bookingId);
        return;
      }
      case 'BookingCancelled': {
        const row = await bump(ctx, event.data.bookingId, `desired = 'cancelled'`, []);
        if (row !== undefined && row.pushed_status === 'active')
          await scheduleSync(ctx, event.data.bookingId);
        return;
      }
      default:
        return;
    }
  }

  /** A push failure: an outage is retried (thrown as is), a refused request is not. */
  function pushFailure(error: unknown): never {
    if (error instanceof AdelsoftError && !error.retryable) throw new PermanentSagaError(error.message);
    throw error;
  }

  async function sync(ctx: TimerContext): Promise<TimerOutcome> {
    const bookingId = payloadString(ctx.timer.payload, 'bookingId');
    const row = await bookingOf(ctx.sql, ctx.schema, bookingId);
    if (row === undefined) return undefined;
    const key = (operation: string) => `${bookingId}:v${row.version}:${operation}`;
    let pushed: Pick<
      BookingRow,
      'pushed_status' | 'pushed_centre_id' | 'pushed_start' | 'pushed_duration'
    > | null = null;
    try {
      if (row.desired === 'active') {
        const code = await centreCodeOf(ctx.sql, ctx.schema, row.centre_id);
        if (row.pushed_status !== 'active') {
          await client.createAppointment(code, appointmentOf(row), key('create'));
        } else if (row.pushed_centre_id !== row.centre_id) {
          const previous = await centreCodeOf(ctx.sql, ctx.schema, row.pushed_centre_id ?? row.centre_id);
          await client.cancelAppointment(previous, bookingId, key('leave'));
          await client.createAppointment(code, appointmentOf(row), key('create'));
        } else if (row.pushed_start !== row.start || row.pushed_duration !== row.duration_minutes) {
          await client.moveAppointment(
            code,
            bookingId,
            { start: row.start, durationMinutes: row.duration_minutes },
            key('move'),
          );
        }
        pushed = {
          pushed_status: 'active',
          pushed_centre_id: row.centre_id,
          pushed_start: row.start,
          pushed_duration: row.duration_minutes,
        };
      } else if (row.desired === 'cancelled' && row.pushed_status === 'active') {
        const code = await centreCodeOf(ctx.sql, ctx.schema, row.pushed_centre_id ?? row.centre_id);
        await client.cancelAppointment(code, bookingId, key('cancel'));
        pushed = {
          pushed_status: 'cancelled',
          pushed_centre_id: row.pushed_centre_id,
          pushed_start: row.pushed_start,
          pushed_duration: row.pushed_duration,
        };
      }
    } catch (error) {
      pushFailure(error);
    }
    if (pushed !== null) {
      await ctx.sql.query(
        `update ${ctx.schema}.adelsoft_bookings
            set pushed_status = $2, pushed_centre_id = $3, pushed_start = $4, pushed_duration = $5, updated_at = $6
          where booking_id = $1`,
        [
          bookingId,
          pushed.pushed_status,
          pushed.pushed_centre_id,
          pushed.pushed_start,
          pushed.pushed_duration,
          ctx.now,
        ],
      );
    }
    return undefined;
  }

  async function recordResult(ctx: TimerContext): Promise<TimerOutcome> {
    const payload = ctx.timer.payload;
    const bookingId = payloadString(payload, 'bookingId');
    const resultId = payloadString(payload, 'resultId');
    const result = payloadString(payload, 'result');
    if (result !== 'A' && result !== 'S' && result !== 'R')
      throw new PermanentSagaError(`unknown result ${result}`);
    const row = await bookingOf(ctx.sql, ctx.schema, bookingId);
    if (row === undefined) {
      // A vehicle inspected without a PTI booking (a walk-in): nothing to record here.
      ctx.logger.info({ bookingId, resultId }, 'AdelSoft result for a booking PTI does not know: ignored');
      return undefined;
    }
    const inspectorId = payload.inspectorId;
    const outcome = await commands.recordResult(
      { bookingId, result, inspectorId: typeof inspectorId === 'string' ? inspectorId : null },
      {
        tenantId: row.tenant_id,
        actor: sagaActor(ADELSOFT_SAGA),
        correlationId: `adelsoft-result-${resultId}`,
        causationId: null,
      },
    );
    if (outcome.outcome === 'refused' && outcome.reason !== 'BOOKING_COMPLETED') {
      // Typically the vehicle was never checked in: ops check it in, then retry the dead letter.
      throw new PermanentSagaError(describeRefusal('RecordResult', outcome));
    }
    return undefined;
  }

  async function pullResults(ctx: TimerContext): Promise<TimerOutcome> {
    const interval = deps.pullIntervalMs ?? 60_000;
    const { rows } = await ctx.sql.query<{ cursor: string | null }>(
      `select cursor from ${ctx.schema}.adelsoft_cursor where id = 1`,
    );
    const after = rows[0]?.cursor ?? null;
    const limit = 100;
    let page: { results: InspectionResult[]; next: string | null };
    try {
      page = await client.listResults(after, limit);
    } catch (error) {
      ctx.logger.warn({ err: String(error) }, 'AdelSoft results poll failed: next poll as planned');
      return { retryAt: new Date(ctx.now.getTime() + interval) };
    }
    await ctx.sql.transaction(async (tx) => {
      await acceptResults(tx, ctx.schema, page.results, ctx.now);
      await tx.query(
        `insert into ${ctx.schema}.adelsoft_cursor (id, cursor, updated_at) values (1, $1, $2)
         on conflict (id) do update set cursor = excluded.cursor, updated_at = excluded.updated_at`,
        [page.next ?? after, ctx.now],
      );
    });
    // A full page means more are waiting: poll again at once.
    return { retryAt: new Date(ctx.now.getTime() + (page.results.length >= limit ? 0 : interval)) };
  }

  const pulling = deps.pullIntervalMs !== null && deps.pullIntervalMs !== undefined;

  return {
    name: ADELSOFT_SAGA,
    eventTypes: [
      'CentreRegistered',
      'BookingPlaced',
      'BookingConfirmed',
      'BookingRescheduled',
      'BookingCancelled',
    ],
    migrations: adelsoftMigrations,
    onEvent,
    timers: { [SYNC]: sync, [RECORD_RESULT]: recordResult, [PULL_RESULTS]: pullResults },
    ...(pulling
      ? {
          onStart: async (ctx) => {
            await ctx.timers.schedule(PULL_RESULTS, 'results', ctx.now, {}, { mode: 'keep' });
          },
        }
      : {}),
  };
}

/** Timer kinds, for tests and ops. */
export const ADELSOFT_TIMERS = {
  sync: SYNC,
  recordResult: RECORD_RESULT,
  pullResults: PULL_RESULTS,
} as const;
