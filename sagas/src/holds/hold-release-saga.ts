import type { HoldReleaseReason, ReservationFreeReason } from '@pti/events';
import type { SqlExecutor } from '@pti/platform';
import {
  type CommandOutcome,
  describeRefusal,
  type ReservationRef,
  type SagaCommands,
} from '../commands/saga-commands.js';
import {
  type EventContext,
  originFromPayload,
  originOf,
  originPayload,
  PermanentSagaError,
  payloadString,
  type SagaDefinition,
  type SagaEvent,
  type SagaOrigin,
  type TimerContext,
  type TimerOutcome,
} from '../runtime/saga.js';
import type { TimerPayload } from '../runtime/saga-store.js';

/**
 * Hold release (DESIGN.md §7): a hold not confirmed by its `expiresAt` is released and its booking
 * expired, exactly once, across restarts.
 *
 * - `SlotHeld` schedules the durable timer `expire-hold/<reservationId>` at `expiresAt`; the hold
 *   being confirmed, released or freed cancels it. The timer is derived from the calendar's events
 *   alone, so an orphan hold (its booking append never happened) is released like any other.
 * - When it fires, the booking decider arbitrates first (`ExpireBooking`): expired or no booking →
 *   release the hold; the booking got confirmed meanwhile → confirm the hold instead (the saga's
 *   view may lag the ledger, the decider's never does); still running → wait until it ends.
 * - It also finishes the calendar side of booking changes, should the process that made them have
 *   died half-way: a confirmed booking confirms its hold; a cancellation, a reschedule's old
 *   reservation and a no-show free (or release) the reservation; a reschedule confirms the new one.
 *   Each is an idempotent command, so doing what the write side already did changes nothing.
 */
export const HOLDS_SAGA = 'holds';

const EXPIRE_HOLD = 'expire-hold';
const CONFIRM_HOLD = 'confirm-hold';
const END_RESERVATION = 'end-reservation';

type HoldStatus = 'held' | 'confirmed' | 'released' | 'freed';
type EndReason = 'cancelled' | 'rescheduled' | 'no_show';

function holdsMigrations(schema: string) {
  return [
    {
      version: 1,
      name: 'holds and the reservation each booking holds',
      sql: `
CREATE TABLE ${schema}.holds (
  reservation_id text PRIMARY KEY,
  booking_id text NOT NULL,
  centre_id text NOT NULL,
  date text NOT NULL,
  status text NOT NULL,
  expires_at timestamptz NOT NULL,
  waitlist_entry_id text,
  updated_at timestamptz NOT NULL
);
CREATE INDEX holds_booking ON ${schema}.holds (booking_id);
CREATE TABLE ${schema}.hold_bookings (
  booking_id text PRIMARY KEY,
  centre_id text NOT NULL,
  date text NOT NULL,
  reservation_id text NOT NULL,
  updated_at timestamptz NOT NULL
);
`,
    },
  ];
}

interface HoldRow {
  reservation_id: string;
  booking_id: string;
  centre_id: string;
  date: string;
  status: HoldStatus;
}

async function holdOf(sql: SqlExecutor, schema: string, reservationId: string): Promise<HoldRow | undefined> {
  const { rows } = await sql.query<HoldRow>(
    `select reservation_id, booking_id, centre_id, date, status from ${schema}.holds where reservation_id = $1`,
    [reservationId],
  );
  return rows[0];
}

async function setStatus(ctx: EventContext, reservationId: string, status: HoldStatus): Promise<void> {
  await ctx.tx.query(
    `update ${ctx.schema}.holds set status = $2, updated_at = $3 where reservation_id = $1`,
    [reservationId, status, ctx.now],
  );
  await ctx.timers.cancel(EXPIRE_HOLD, reservationId);
}

async function currentReservation(ctx: EventContext, bookingId: string): Promise<ReservationRef | undefined> {
  const { rows } = await ctx.tx.query<{ centre_id: string; date: string; reservation_id: string }>(
    `select centre_id, date, reservation_id from ${ctx.schema}.hold_bookings where booking_id = $1`,
    [bookingId],
  );
  const row = rows[0];
  return row === undefined
    ? undefined
    : { centreId: row.centre_id, date: row.date, reservationId: row.reservation_id, bookingId };
}

const refPayload = (ref: ReservationRef, origin: SagaOrigin): TimerPayload => ({
  centreId: ref.centreId,
  date: ref.date,
  reservationId: ref.reservationId,
  bookingId: ref.bookingId,
  origin: originPayload(origin),
});

function refFromPayload(payload: TimerPayload): ReservationRef {
  return {
    centreId: payloadString(payload, 'centreId'),
    date: payloadString(payload, 'date'),
    reservationId: payloadString(payload, 'reservationId'),
    bookingId: payloadString(payload, 'bookingId'),
  };
}

/** `2026-06-16T10:30` → `2026-06-16`. */
const dateOf = (start: string): string => start.slice(0, 10);

async function onEvent(event: SagaEvent, ctx: EventContext): Promise<void> {
  const origin = originOf(HOLDS_SAGA, event);
  const { tx, schema, now } = ctx;
  switch (event.type) {
    case 'SlotHeld': {
      const data = event.data;
      await tx.query(
        `insert into ${schema}.holds
           (reservation_id, booking_id, centre_id, date, status, expires_at, waitlist_entry_id, updated_at)
         values ($1, $2, $3, $4, 'held', $5, $6, $7)
         on conflict (reservation_id) do nothing`,
        [
          data.reservationId,
          data.bookingId,
          data.centreId,
          data.date,
          data.expiresAt,
          data.waitlistEntryId,
          now,
        ],
      );
      await ctx.timers.schedule(
        EXPIRE_HOLD,
        data.reservationId,
        new Date(data.expiresAt),
        refPayload(data, origin),
      );
      return;
    }
    case 'HoldConfirmed':
      return setStatus(ctx, event.data.reservationId, 'confirmed');
    case 'HoldReleased':
      return setStatus(ctx, event.data.reservationId, 'released');
    case 'ReservationFreed':
      return setStatus(ctx, event.data.reservationId, 'freed');
    case 'BookingPlaced': {
      const data = event.data;
      await tx.query(
        `insert into ${schema}.hold_bookings (booking_id, centre_id, date, reservation_id, updated_at)
         values ($1, $2, $3, $4, $5) on conflict (booking_id) do nothing`,
        [data.bookingId, data.centreId, dateOf(data.start), data.reservationId, now],
      );
      return;
    }
    case 'BookingConfirmed': {
      const ref = await currentReservation(ctx, event.data.bookingId);
      if (ref) await ctx.timers.schedule(CONFIRM_HOLD, ref.reservationId, now, refPayload(ref, origin));
      return;
    }
    case 'BookingCancelled':
      return endCurrent(ctx, event.data.bookingId, 'cancelled', origin);
    case 'BookingNoShow':
      return endCurrent(ctx, event.data.bookingId, 'no_show', origin);
    case 'BookingRescheduled': {
      const { bookingId, from, to } = event.data;
      const next: ReservationRef = {
        centreId: to.centreId,
        date: dateOf(to.start),
        reservationId: to.reservationId,
        bookingId,
      };
      const previous: ReservationRef = {
        centreId: from.centreId,
        date: dateOf(from.start),
        reservationId: from.reservationId,
        bookingId,
      };
      await tx.query(
        `insert into ${schema}.hold_bookings (booking_id, centre_id, date, reservation_id, updated_at)
         values ($1, $2, $3, $4, $5)
         on conflict (booking_id) do update
           set centre_id = excluded.centre_id, date = excluded.date,
               reservation_id = excluded.reservation_id, updated_at = excluded.updated_at`,
        [bookingId, next.centreId, next.date, next.reservationId, now],
      );
      await ctx.timers.schedule(CONFIRM_HOLD, next.reservationId, now, refPayload(next, origin));
      await ctx.timers.schedule(END_RESERVATION, previous.reservationId, now, {
        ...refPayload(previous, origin),
        reason: 'rescheduled',
      });
      return;
    }
    default:
      return;
  }
}

async function endCurrent(ctx: EventContext, bookingId: string, reason: EndReason, origin: SagaOrigin) {
  const ref = await currentReservation(ctx, bookingId);
  if (ref === undefined) return;
  await ctx.timers.schedule(END_RESERVATION, ref.reservationId, ctx.now, {
    ...refPayload(ref, origin),
    reason,
  });
}

function requireDone(command: string, outcome: CommandOutcome): void {
  if (outcome.outcome === 'refused') throw new PermanentSagaError(describeRefusal(command, outcome));
}

function refusedFor(outcome: CommandOutcome, code: string): boolean {
  return outcome.outcome === 'refused' && outcome.code === code;
}

const releaseReasonOf = (reason: EndReason): HoldReleaseReason =>
  reason === 'rescheduled' ? 'rescheduled' : 'cancelled';

/** Frees a confirmed reservation or releases a held one, whichever the calendar says it is. */
async function endReservation(
  commands: SagaCommands,
  ref: ReservationRef,
  reason: EndReason,
  knownStatus: HoldStatus | undefined,
  origin: SagaOrigin,
): Promise<void> {
  const free = () =>
    commands.freeReservation({ ...ref, reason: reason satisfies ReservationFreeReason }, origin);
  const release = () => commands.releaseHold({ ...ref, reason: releaseReasonOf(reason) }, origin);
  if (knownStatus === 'released' || knownStatus === 'freed') return;
  // The saga's status may lag the ledger; the calendar decider's refusal tells which one applies.
  if (knownStatus === 'confirmed') {
    const freed = await free();
    if (refusedFor(freed, 'RESERVATION_NOT_CONFIRMED')) requireDone('ReleaseHold', await release());
    else requireDone('FreeReservation', freed);
    return;
  }
  const released = await release();
  if (refusedFor(released, 'RESERVATION_NOT_HELD')) requireDone('FreeReservation', await free());
  else requireDone('ReleaseHold', released);
}

export function holdReleaseSaga(deps: { readonly commands: SagaCommands }): SagaDefinition {
  const { commands } = deps;

  async function expireHold(ctx: TimerContext): Promise<TimerOutcome> {
    const ref = refFromPayload(ctx.timer.payload);
    const origin = originFromPayload(HOLDS_SAGA, ctx.timer.payload);
    const hold = await holdOf(ctx.sql, ctx.schema, ref.reservationId);
    if (hold !== undefined && hold.status !== 'held') return undefined;
    const expiry = await commands.expireBooking({ bookingId: ref.bookingId }, origin);
    switch (expiry.outcome) {
      case 'expired':
      case 'not_found':
        await endExpired(ref, origin, 'expired');
        return undefined;
      case 'ended':
        await endReservation(commands, ref, 'cancelled', 'held', origin);
        return undefined;
      case 'confirmed':
        requireDone('ConfirmHold', await commands.confirmHold(ref, origin));
        return undefined;
      case 'hold_running': {
        // Clocks disagree by a little: look again just after the booking's own expiry.
        const at = Date.parse(expiry.holdExpiresAt);
        return { retryAt: new Date(Math.max(at, ctx.now.getTime()) + 1_000) };
      }
    }
  }

  async function endExpired(
    ref: ReservationRef,
    origin: SagaOrigin,
    reason: HoldReleaseReason,
  ): Promise<void> {
    const released = await commands.releaseHold({ ...ref, reason }, origin);
    requireDone('ReleaseHold', released);
  }

  async function confirmHold(ctx: TimerContext): Promise<TimerOutcome> {
    const ref = refFromPayload(ctx.timer.payload);
    const origin = originFromPayload(HOLDS_SAGA, ctx.timer.payload);
    const confirmed = await commands.confirmHold(ref, origin);
    if (refusedFor(confirmed, 'RESERVATION_ENDED')) {
      // The booking moved on before this job ran: rescheduled to another reservation, or cancelled
      // (its cancellation released the hold). Nothing is lost then; otherwise it is a lost hold
      // staff must see, so it is dead-lettered below.
      const { rows } = await ctx.sql.query<{ reservation_id: string }>(
        `select reservation_id from ${ctx.schema}.hold_bookings where booking_id = $1`,
        [ref.bookingId],
      );
      const current = rows[0]?.reservation_id;
      if (current !== undefined && current !== ref.reservationId) return undefined;
      // A confirmed booking refuses ExpireBooking without appending: a probe of its status.
      const probe = await commands.expireBooking({ bookingId: ref.bookingId }, origin);
      if (probe.outcome === 'ended') return undefined;
    }
    requireDone('ConfirmHold', confirmed);
    return undefined;
  }

  async function endReservationTimer(ctx: TimerContext): Promise<TimerOutcome> {
    const ref = refFromPayload(ctx.timer.payload);
    const origin = originFromPayload(HOLDS_SAGA, ctx.timer.payload);
    const reason = payloadString(ctx.timer.payload, 'reason');
    if (reason !== 'cancelled' && reason !== 'rescheduled' && reason !== 'no_show') {
      throw new PermanentSagaError(`unknown reason ${reason}`);
    }
    const hold = await holdOf(ctx.sql, ctx.schema, ref.reservationId);
    await endReservation(commands, ref, reason, hold?.status, origin);
    return undefined;
  }

  return {
    name: HOLDS_SAGA,
    eventTypes: [
      'SlotHeld',
      'HoldConfirmed',
      'HoldReleased',
      'ReservationFreed',
      'BookingPlaced',
      'BookingConfirmed',
      'BookingCancelled',
      'BookingNoShow',
      'BookingRescheduled',
    ],
    migrations: holdsMigrations,
    onEvent,
    timers: {
      [EXPIRE_HOLD]: expireHold,
      [CONFIRM_HOLD]: confirmHold,
      [END_RESERVATION]: endReservationTimer,
    },
  };
}

/** The hold timer of a reservation, if one is scheduled (ops, tests). */
export const HOLD_TIMER_KIND = EXPIRE_HOLD;
