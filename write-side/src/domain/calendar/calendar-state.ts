import type { ControlType, SlotCalendarEvent, VehicleProfile } from '@pti/events';
import { minutesOfTime } from '../shared/local-time.js';
import type { MinuteInterval } from '../shared/minute-intervals.js';

/**
 * The state of one SlotCalendar stream (`calendar-<centreId>-<date>`): every reservation of the
 * day with its status, the blocked periods and the waitlist. Arrays keep event order, which is
 * the order rules such as "first matching waitlist entry" rely on.
 */

export type ReservationStatus = 'held' | 'confirmed' | 'released' | 'freed';

export interface Reservation {
  readonly reservationId: string;
  readonly bookingId: string;
  /** Local `HH:MM`. */
  readonly start: string;
  readonly end: string;
  /** `[startMinutes, endMinutes)` since local midnight. */
  readonly interval: MinuteInterval;
  readonly durationMinutes: number;
  /** `null` while an overbooked reservation waits for an inspector. */
  readonly inspectorId: string | null;
  /** Placed beyond inspector capacity (stays true after an inspector is assigned, as history). */
  readonly overbooked: boolean;
  readonly controlType: ControlType;
  readonly vehicle: VehicleProfile;
  readonly status: ReservationStatus;
  /** ISO instant after which an unconfirmed hold no longer counts. */
  readonly expiresAt: string;
  readonly expiresAtMs: number;
  readonly waitlistEntryId: string | null;
}

export interface BlockedPeriod {
  readonly blockId: string;
  readonly from: string;
  readonly to: string;
  readonly interval: MinuteInterval;
  /** `null`: the whole centre. */
  readonly inspectorId: string | null;
  readonly label: string;
}

export type WaitlistEntryStatus = 'waiting' | 'offered' | 'left';

export interface WaitlistEntry {
  readonly entryId: string;
  readonly customerId: string;
  readonly controlType: ControlType;
  readonly vehicle: VehicleProfile;
  readonly durationMinutes: number;
  readonly earliestStart: string;
  readonly latestStart: string;
  readonly status: WaitlistEntryStatus;
  /** The reservation of the current offer, while `offered`. */
  readonly offerReservationId: string | null;
}

export interface CalendarState {
  readonly centreId: string | null;
  readonly date: string | null;
  readonly reservations: readonly Reservation[];
  readonly blocks: readonly BlockedPeriod[];
  /** Entries that left stay, with status `left`, so ids are never reused. The contact is not kept. */
  readonly waitlist: readonly WaitlistEntry[];
}

export function initialCalendarState(): CalendarState {
  return { centreId: null, date: null, reservations: [], blocks: [], waitlist: [] };
}

/**
 * A reservation that occupies its time at `now`: confirmed, or held and not yet expired. An
 * expired hold counts as free even before its release is recorded, so a dead process (or a slow
 * hold-release timer) never blocks a slot.
 */
export function isLive(reservation: Reservation, nowMs: number): boolean {
  return (
    reservation.status === 'confirmed' || (reservation.status === 'held' && reservation.expiresAtMs > nowMs)
  );
}

export function liveReservations(state: CalendarState, now: Date): Reservation[] {
  const nowMs = now.getTime();
  return state.reservations.filter((reservation) => isLive(reservation, nowMs));
}

export function findReservation(state: CalendarState, reservationId: string): Reservation | undefined {
  return state.reservations.find((reservation) => reservation.reservationId === reservationId);
}

function updateReservation(
  state: CalendarState,
  reservationId: string,
  change: (reservation: Reservation) => Reservation,
): CalendarState {
  return {
    ...state,
    reservations: state.reservations.map((reservation) =>
      reservation.reservationId === reservationId ? change(reservation) : reservation,
    ),
  };
}

function updateEntry(
  state: CalendarState,
  entryId: string,
  change: (entry: WaitlistEntry) => WaitlistEntry,
): CalendarState {
  return {
    ...state,
    waitlist: state.waitlist.map((entry) => (entry.entryId === entryId ? change(entry) : entry)),
  };
}

function identify(state: CalendarState, data: { centreId: string; date: string }): CalendarState {
  return state.centreId === null ? { ...state, centreId: data.centreId, date: data.date } : state;
}

export function evolveCalendar(current: CalendarState, event: SlotCalendarEvent): CalendarState {
  const state = identify(current, event.data);
  switch (event.type) {
    case 'SlotHeld': {
      const data = event.data;
      const reservation: Reservation = {
        reservationId: data.reservationId,
        bookingId: data.bookingId,
        start: data.start,
        end: data.end,
        interval: { from: minutesOfTime(data.start), to: minutesOfTime(data.end) },
        durationMinutes: data.durationMinutes,
        inspectorId: data.inspectorId,
        overbooked: data.overbooked,
        controlType: data.controlType,
        vehicle: data.vehicle,
        status: 'held',
        expiresAt: data.expiresAt,
        expiresAtMs: Date.parse(data.expiresAt),
        waitlistEntryId: data.waitlistEntryId,
      };
      return { ...state, reservations: [...state.reservations, reservation] };
    }
    case 'HoldConfirmed':
      return updateReservation(state, event.data.reservationId, (r) => ({ ...r, status: 'confirmed' }));
    case 'HoldReleased':
      return updateReservation(state, event.data.reservationId, (r) => ({ ...r, status: 'released' }));
    case 'ReservationFreed':
      return updateReservation(state, event.data.reservationId, (r) => ({ ...r, status: 'freed' }));
    case 'PeriodBlocked': {
      const { blockId, from, to, inspectorId, label } = event.data;
      const block: BlockedPeriod = {
        blockId,
        from,
        to,
        interval: { from: minutesOfTime(from), to: minutesOfTime(to) },
        inspectorId,
        label,
      };
      return { ...state, blocks: [...state.blocks, block] };
    }
    case 'PeriodUnblocked':
      return { ...state, blocks: state.blocks.filter((block) => block.blockId !== event.data.blockId) };
    case 'InspectorReassigned':
      return updateReservation(state, event.data.reservationId, (r) => ({
        ...r,
        inspectorId: event.data.toInspectorId,
      }));
    case 'OverbookedReservationAssigned':
      return updateReservation(state, event.data.reservationId, (r) => ({
        ...r,
        inspectorId: event.data.inspectorId,
      }));
    case 'WaitlistJoined': {
      const data = event.data;
      const entry: WaitlistEntry = {
        entryId: data.entryId,
        customerId: data.customerId,
        controlType: data.controlType,
        vehicle: data.vehicle,
        durationMinutes: data.durationMinutes,
        earliestStart: data.earliestStart,
        latestStart: data.latestStart,
        status: 'waiting',
        offerReservationId: null,
      };
      return { ...state, waitlist: [...state.waitlist, entry] };
    }
    case 'WaitlistOfferMade':
      return updateEntry(state, event.data.entryId, (entry) => ({
        ...entry,
        status: 'offered',
        offerReservationId: event.data.reservationId,
      }));
    case 'WaitlistLeft':
      return updateEntry(state, event.data.entryId, (entry) => ({
        ...entry,
        status: 'left',
        offerReservationId: null,
      }));
  }
}
