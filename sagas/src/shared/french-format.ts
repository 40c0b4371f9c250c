/**
 * French formatting of what messages and pages show: amounts, local dates and times. Appointment
 * times are local wall-clock values (`YYYY-MM-DDTHH:MM`, Europe/Paris); they are formatted as
 * written, never shifted through a time zone.
 */

const euros = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

/** 7800 → `78,00 €` (with the narrow no-break spaces French uses). */
export function formatEuros(cents: number): string {
  return euros.format(cents / 100);
}

const longDate = new Intl.DateTimeFormat('fr-FR', {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

const shortDate = new Intl.DateTimeFormat('fr-FR', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  timeZone: 'UTC',
});

function dateValue(localDate: string): Date {
  const [year, month, day] = localDate.split('-').map(Number);
  return new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1));
}

/** `2026-06-16` → `mardi 16 juin 2026`. */
export function formatLongDate(localDate: string): string {
  return longDate.format(dateValue(localDate));
}

/** `2026-06-16` → `16/06/2026`. */
export function formatShortDate(localDate: string): string {
  return shortDate.format(dateValue(localDate));
}

/** `10:30` → `10 h 30`; `09:00` → `9 h 00`. */
export function formatTime(localTime: string): string {
  const [hours, minutes] = localTime.split(':');
  return `${Number(hours)} h ${minutes ?? '00'}`;
}

/** `2026-06-16T10:30` → `mardi 16 juin 2026 à 10 h 30`. */
export function formatAppointment(localDateTime: string): string {
  return `${formatLongDate(localDateTime.slice(0, 10))} à ${formatTime(localDateTime.slice(11, 16))}`;
}

/** `2026-06-16T10:30` → `16/06/2026 à 10 h 30` (SMS). */
export function formatAppointmentShort(localDateTime: string): string {
  return `${formatShortDate(localDateTime.slice(0, 10))} à ${formatTime(localDateTime.slice(11, 16))}`;
}
