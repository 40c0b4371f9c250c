import type { BackofficeApi } from '../../api/backoffice-api.js';
import type { AgendaEntry } from '../../api/types.js';
import { daysBetween } from '../../ui/format.js';

export interface AffectedBooking {
  readonly date: string;
  readonly entry: AgendaEntry;
}

/** Longest absence previewed day by day (one agenda read per day). */
export const MAX_PREVIEW_DAYS = 31;

/**
 * The bookings an absence [from, to) of one inspector would hit: every active appointment of that
 * inspector overlapping the period, read from the agenda of each day it spans.
 */
export async function bookingsAffectedByAbsence(
  api: Pick<BackofficeApi, 'agenda'>,
  centreId: string,
  inspectorId: string,
  from: string,
  to: string,
): Promise<AffectedBooking[]> {
  const days = daysBetween(from.slice(0, 10), to.slice(0, 10));
  if (days.length > MAX_PREVIEW_DAYS) throw new Error(`Aperçu limité à ${MAX_PREVIEW_DAYS} jours.`);
  const agendas = await Promise.all(days.map((day) => api.agenda(centreId, day)));
  const affected: AffectedBooking[] = [];
  for (const agenda of agendas) {
    const column = agenda.inspectors.find((inspector) => inspector.inspectorId === inspectorId);
    for (const entry of column?.entries ?? []) {
      if (entry.status !== 'placed' && entry.status !== 'confirmed') continue;
      const start = `${agenda.date}T${entry.start}`;
      const end = `${agenda.date}T${entry.end}`;
      if (start < to && end > from) affected.push({ date: agenda.date, entry });
    }
  }
  return affected;
}
