/** French display helpers and Europe/Paris dates (the centres' zone, DESIGN.md §5). */

const PARIS = 'Europe/Paris';

/** Today's local date `YYYY-MM-DD` in Paris. */
export function parisToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: PARIS,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** The local time `HH:MM` in Paris. */
export function parisTime(now = new Date()): string {
  return new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS, hour: '2-digit', minute: '2-digit' }).format(
    now,
  );
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + days));
  return next.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to && days.length < 400; day = addDays(day, 1)) days.push(day);
  return days;
}

export function formatDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat('fr-FR', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** `2025-03-14T09:30` → `14/03/2025 09:30`. */
export function formatLocalDateTime(value: string): string {
  const [date, time] = value.split('T');
  if (date === undefined) return value;
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}${time ? ` ${time.slice(0, 5)}` : ''}`;
}

export function formatInstant(iso: string): string {
  return new Intl.DateTimeFormat('fr-FR', {
    timeZone: PARIS,
    dateStyle: 'short',
    timeStyle: 'medium',
  }).format(new Date(iso));
}

export function formatEuros(cents: number): string {
  return new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(cents / 100);
}

export function formatPercent(rate: number | null): string {
  return rate === null
    ? '—'
    : new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}

export function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export function timeOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * A local Paris date-time (`YYYY-MM-DDTHH:MM`, as an `<input type="datetime-local">` gives it)
 * as a UTC instant, for the audit's "state at an instant".
 */
export function parisLocalToInstant(local: string): string {
  const withSeconds = local.length === 16 ? `${local}:00` : local;
  const asUtc = new Date(`${withSeconds}Z`);
  // The offset Paris had at that moment (1 or 2 hours); computed twice to land right around DST.
  const offsetAt = (instant: Date) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: PARIS,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(instant);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    const wall = Date.UTC(
      get('year'),
      get('month') - 1,
      get('day'),
      get('hour'),
      get('minute'),
      get('second'),
    );
    return wall - instant.getTime();
  };
  const first = new Date(asUtc.getTime() - offsetAt(asUtc));
  return new Date(asUtc.getTime() - offsetAt(first)).toISOString();
}

export const STATUS_LABELS: Record<string, string> = {
  placed: 'Réservé (en attente)',
  confirmed: 'Confirmé',
  checked_in: 'Arrivé',
  completed: 'Terminé',
  cancelled: 'Annulé',
  expired: 'Expiré',
  no_show: 'Absent',
};

export const RESULT_LABELS: Record<string, string> = {
  A: 'A — favorable',
  S: 'S — contre-visite',
  R: 'R — défaillance critique',
};

export const CONTROL_LABELS: Record<string, string> = {
  CTP: 'Contrôle périodique',
  CVP: 'Contre-visite',
  CV: 'Contrôle volontaire',
  CTC: 'Contrôle pollution',
  CVC: 'Contre-visite pollution',
};

export const WEEKDAY_LABELS: Record<string, string> = {
  monday: 'Lundi',
  tuesday: 'Mardi',
  wednesday: 'Mercredi',
  thursday: 'Jeudi',
  friday: 'Vendredi',
  saturday: 'Samedi',
  sunday: 'Dimanche',
};

/** A UTC instant as Paris wall time `YYYY-MM-DDTHH:MM:SS` (for `<input type="datetime-local" step="1">`). */
export function instantToParisLocal(iso: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: PARIS,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
}
