import { appointmentTimes } from '../bookings/appointment-times.js';
import {
  CONTROL_LABELS,
  formatEuros,
  formatLongDate,
  formatTime,
  PAYMENT_LABELS,
  vehicleLine,
} from '../bookings/french-labels.js';
import { ARRIVAL_ADVICE, whatToBring } from '../bookings/what-to-bring.js';
import type { BookingRecord, BookingStatus } from '../ports/read-models.js';
import {
  type ContentLine,
  escapeText,
  localDateTimeValue,
  serializeLines,
  utcDateTimeValue,
} from './icalendar-text.js';
import { PARIS_TIME_ZONE, PARIS_VTIMEZONE } from './paris-time-zone.js';

/**
 * A booking's calendar file (RFC 5545, with the RFC 5546 method a mail client acts on).
 *
 * * One VEVENT whose UID is the booking's (`<bookingId>@<domain>`), so every version of the file
 *   updates the same calendar entry.
 * * SEQUENCE counts the changes a calendar must apply over the first version: one per
 *   reschedule, one more once the booking is cancelled (or expired). A client keeps the entry
 *   with the highest SEQUENCE.
 * * A live booking is `METHOD:PUBLISH` with `STATUS:CONFIRMED` (or `TENTATIVE` while the slot is
 *   only held); a cancelled or expired one is `METHOD:CANCEL` with `STATUS:CANCELLED`.
 * * DTSTART/DTEND carry `TZID=Europe/Paris` with its VTIMEZONE (UTC for a centre in another zone).
 * * DTSTAMP is the booking's last change: the same booking version always gives the same bytes.
 * * No ATTENDEE: the file may be fetched with the plate as proof, and the customer's e-mail is not
 *   needed for a client to file the event.
 */

export interface CalendarFileSettings {
  readonly uidDomain: string;
  readonly organizerEmail: string;
  readonly manageUrl: (reference: string) => string;
}

const CANCELLED_STATUSES: readonly BookingStatus[] = ['cancelled', 'expired'];

export function isCancelledForCalendar(status: BookingStatus): boolean {
  return CANCELLED_STATUSES.includes(status);
}

export function calendarSequence(booking: Pick<BookingRecord, 'rescheduleCount' | 'status'>): number {
  return booking.rescheduleCount + (isCancelledForCalendar(booking.status) ? 1 : 0);
}

export function calendarMethod(status: BookingStatus): 'PUBLISH' | 'CANCEL' {
  return isCancelledForCalendar(status) ? 'CANCEL' : 'PUBLISH';
}

function eventStatus(status: BookingStatus): 'TENTATIVE' | 'CONFIRMED' | 'CANCELLED' {
  if (isCancelledForCalendar(status)) return 'CANCELLED';
  return status === 'placed' ? 'TENTATIVE' : 'CONFIRMED';
}

function description(booking: BookingRecord, manageUrl: string): string {
  const priceNote =
    booking.priceCents === 0
      ? 'gratuit'
      : booking.paidCents >= booking.priceCents
        ? 'payé en ligne'
        : PAYMENT_LABELS[booking.paymentMode].toLowerCase();
  const facts = [
    `Référence : ${booking.reference}`,
    `Contrôle : ${CONTROL_LABELS[booking.controlType]} (${booking.controlType})`,
    `Véhicule : ${vehicleLine(booking.vehicle)}`,
    `Prix : ${formatEuros(booking.priceCents)} (${priceNote})`,
    `Centre : ${booking.centre.name}${booking.centre.phone === null ? '' : `, tél. ${booking.centre.phone}`}`,
  ];
  if (isCancelledForCalendar(booking.status)) {
    return ['Ce rendez-vous est annulé.', '', ...facts, '', `Reprendre rendez-vous : ${manageUrl}`].join(
      '\n',
    );
  }
  return [
    ...facts,
    '',
    'À apporter :',
    ...whatToBring(booking).map((item) => `- ${item}`),
    ARRIVAL_ADVICE,
    '',
    `Modifier ou annuler : ${manageUrl}`,
  ].join('\n');
}

export function bookingCalendarFile(booking: BookingRecord, settings: CalendarFileSettings): string {
  const { centre } = booking;
  const times = appointmentTimes(booking.start, booking.durationMinutes, centre.timeZone);
  const inParis = centre.timeZone === PARIS_TIME_ZONE;
  const dateTime = (local: string, instant: Date): ContentLine =>
    inParis
      ? { name: '', params: { TZID: PARIS_TIME_ZONE }, value: localDateTimeValue(local) }
      : { name: '', value: utcDateTimeValue(instant) };
  const start = dateTime(booking.start, times.startsAt);
  const end = dateTime(times.end, times.endsAt);
  const cancelled = isCancelledForCalendar(booking.status);
  const manageUrl = settings.manageUrl(booking.reference);
  const localStart = booking.start.slice(0, 10);
  const summary = `${cancelled ? 'Annulé – ' : ''}${CONTROL_LABELS[booking.controlType]}${
    booking.vehicle.plate === null ? '' : ` – ${booking.vehicle.plate}`
  }`;

  const event: (ContentLine | string)[] = [
    'BEGIN:VEVENT',
    { name: 'UID', value: `${booking.bookingId}@${settings.uidDomain}` },
    { name: 'SEQUENCE', value: String(calendarSequence(booking)) },
    { name: 'DTSTAMP', value: utcDateTimeValue(new Date(booking.updatedAt)) },
    { name: 'CREATED', value: utcDateTimeValue(new Date(booking.placedAt)) },
    { name: 'LAST-MODIFIED', value: utcDateTimeValue(new Date(booking.updatedAt)) },
    { ...start, name: 'DTSTART' },
    { ...end, name: 'DTEND' },
    { name: 'SUMMARY', params: { LANGUAGE: 'fr' }, value: escapeText(summary) },
    {
      name: 'LOCATION',
      params: { LANGUAGE: 'fr' },
      value: escapeText(`${centre.name}, ${centre.address}, ${centre.postcode} ${centre.city}`),
    },
    ...(centre.position === null
      ? []
      : [{ name: 'GEO', value: `${centre.position.lat.toFixed(6)};${centre.position.lon.toFixed(6)}` }]),
    {
      name: 'DESCRIPTION',
      params: { LANGUAGE: 'fr' },
      value: escapeText(description(booking, manageUrl)),
    },
    {
      name: 'ORGANIZER',
      params: { CN: centre.name },
      value: `mailto:${centre.email ?? settings.organizerEmail}`,
    },
    { name: 'URL', value: manageUrl },
    { name: 'STATUS', value: eventStatus(booking.status) },
    { name: 'TRANSP', value: 'OPAQUE' },
    { name: 'CLASS', value: 'PRIVATE' },
  ];
  if (!cancelled) {
    // A reminder the evening before, in the customer's own calendar (the J-1 SMS/e-mail aside).
    event.push(
      'BEGIN:VALARM',
      { name: 'ACTION', value: 'DISPLAY' },
      { name: 'TRIGGER', value: '-P1D' },
      {
        name: 'DESCRIPTION',
        value: escapeText(
          `Rappel : ${CONTROL_LABELS[booking.controlType].toLowerCase()} ${formatLongDate(localStart)} à ${formatTime(
            booking.start.slice(11, 16),
          )}`,
        ),
      },
      'END:VALARM',
    );
  }
  event.push('END:VEVENT');

  return serializeLines([
    'BEGIN:VCALENDAR',
    { name: 'VERSION', value: '2.0' },
    { name: 'PRODID', value: '-//PTI Calendar//Rendez-vous contrôle technique//FR' },
    { name: 'CALSCALE', value: 'GREGORIAN' },
    { name: 'METHOD', value: calendarMethod(booking.status) },
    ...(inParis ? PARIS_VTIMEZONE : []),
    ...event,
    'END:VCALENDAR',
  ]);
}
