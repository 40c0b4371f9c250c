import type { Accreditation } from '@pti/events';
import { isoInstant, type ReadSource, readAsTenant, schemaOf } from '../bookings/shared.js';
import type { AgendaBookingRow, AgendaEntryRow, AgendaInspectorRow } from './agenda-projector.js';

/**
 * The day plan query of the staff back office: one centre, one local day, optionally one
 * inspector's lane. Runs under row-level security: another tenant's centre reads as an empty day.
 */

/**
 * What an entry shows: a block, or a reservation in the state the calendar and the booking give it
 * together (a checked-in or completed booking shows as such on its reservation).
 */
export type AgendaStatus = 'held' | 'confirmed' | 'checked_in' | 'completed' | 'no_show' | 'blocked';

export interface AgendaBooking {
  readonly bookingId: string;
  readonly reference: string;
  readonly customerId: string;
  readonly customerKind: 'private' | 'company';
  /** Null once the customer's personal data was erased. */
  readonly customerName: string | null;
  readonly contactName: string | null;
  readonly customerPhone: string | null;
  readonly vehiclePlate: string | null;
  readonly status: AgendaBookingRow['status'];
  readonly channel: AgendaBookingRow['channel'];
  readonly paymentMode: AgendaBookingRow['payment_mode'];
  readonly priceCents: number;
  readonly paidCents: number;
  readonly result: AgendaBookingRow['result'];
  readonly checkedInAt: string | null;
  readonly completedAt: string | null;
}

export interface AgendaEntry {
  readonly kind: 'reservation' | 'block';
  /** Reservation id or block id. */
  readonly entryId: string;
  /** Local `HH:MM`. */
  readonly start: string;
  readonly end: string;
  readonly durationMinutes: number | null;
  /** Null: overbooked and waiting for an inspector, or (a block) the whole centre. */
  readonly inspectorId: string | null;
  readonly overbooked: boolean;
  readonly status: AgendaStatus;
  /** Until when an unconfirmed hold lasts. */
  readonly holdExpiresAt: string | null;
  readonly controlType: AgendaEntryRow['control_type'];
  readonly vehicle: {
    readonly category: AgendaEntryRow['vehicle_category'];
    readonly fuel: AgendaEntryRow['vehicle_fuel'];
  } | null;
  readonly label: string | null;
  /** The booking's display fields; null for a block, or while the booking event is not projected yet. */
  readonly booking: AgendaBooking | null;
}

export interface AgendaInspector {
  readonly inspectorId: string;
  readonly name: string | null;
  readonly accreditations: readonly Accreditation[];
  readonly active: boolean;
}

export interface CentreDayAgenda {
  readonly centreId: string;
  readonly date: string;
  /** The lanes: the centre's inspectors (or the one asked for). */
  readonly inspectors: readonly AgendaInspector[];
  /** By start time, then inspector (unassigned last), then id. */
  readonly entries: readonly AgendaEntry[];
}

export interface AgendaOptions {
  /** One inspector's lane: their entries plus the blocks of the whole centre. */
  readonly inspectorId?: string;
}

interface JoinedRow {
  readonly entry: AgendaEntryRow;
  readonly booking: AgendaBookingRow | null;
}

function statusOf(entry: AgendaEntryRow, booking: AgendaBookingRow | null): AgendaStatus {
  if (entry.status !== 'held' && entry.status !== 'confirmed') return entry.status;
  // Check-in and result are booking facts; show them on the reservation the booking holds now.
  if (booking !== null && booking.reservation_id === entry.entry_id) {
    if (booking.status === 'checked_in' || booking.status === 'completed') return booking.status;
  }
  return entry.status;
}

function entryOf({ entry, booking }: JoinedRow): AgendaEntry {
  return {
    kind: entry.kind,
    entryId: entry.entry_id,
    start: entry.start_time,
    end: entry.end_time,
    durationMinutes: entry.duration_minutes,
    inspectorId: entry.inspector_id,
    overbooked: entry.overbooked,
    status: statusOf(entry, booking),
    holdExpiresAt: entry.status === 'held' ? isoInstant(entry.hold_expires_at) : null,
    controlType: entry.control_type,
    vehicle: entry.kind === 'block' ? null : { category: entry.vehicle_category, fuel: entry.vehicle_fuel },
    label: entry.label,
    booking:
      booking === null
        ? null
        : {
            bookingId: booking.booking_id,
            reference: booking.reference,
            customerId: booking.customer_id,
            customerKind: booking.customer_kind,
            customerName: booking.customer_name,
            contactName: booking.customer_contact_name,
            customerPhone: booking.customer_phone,
            vehiclePlate: booking.vehicle_plate,
            status: booking.status,
            channel: booking.channel,
            paymentMode: booking.payment_mode,
            priceCents: booking.price_cents,
            paidCents: booking.paid_cents,
            result: booking.result,
            checkedInAt: isoInstant(booking.checked_in_at),
            completedAt: isoInstant(booking.completed_at),
          },
  };
}

/** Staff: the plan of a centre day (`date` local `YYYY-MM-DD`), for one inspector when asked. */
export async function centreDayAgenda(
  source: ReadSource,
  tenantId: string | null,
  centreId: string,
  date: string,
  options: AgendaOptions = {},
): Promise<CentreDayAgenda> {
  const schema = schemaOf(source);
  const inspectorId = options.inspectorId ?? null;
  return readAsTenant(source, tenantId, async (tx) => {
    const { rows } = await tx.query<JoinedRow>(
      `select to_jsonb(e) as entry, to_jsonb(b) as booking
         from ${schema}.agenda_entries e
         left join ${schema}.agenda_bookings b on b.booking_id = e.booking_id
        where e.centre_id = $1 and e.day = $2::date
          and ($3::text is null or e.inspector_id = $3 or (e.kind = 'block' and e.inspector_id is null))
        order by e.start_time, e.inspector_id nulls last, e.entry_id`,
      [centreId, date, inspectorId],
    );
    const lanes = await tx.query<{ row: AgendaInspectorRow }>(
      `select to_jsonb(i) as row from ${schema}.agenda_inspectors i
        where i.centre_id = $1 and ($2::text is null or i.inspector_id = $2)
        order by i.inspector_id`,
      [centreId, inspectorId],
    );
    return {
      centreId,
      date,
      inspectors: lanes.rows.map(({ row }) => ({
        inspectorId: row.inspector_id,
        name: row.name,
        accreditations: row.accreditations,
        active: row.active,
      })),
      entries: rows.map(entryOf),
    };
  });
}
