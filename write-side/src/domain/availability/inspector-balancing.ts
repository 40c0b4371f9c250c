import type { CalendarState } from '../calendar/calendar-state.js';
import { isLive } from '../calendar/calendar-state.js';

/**
 * Which inspector gets a vehicle when the customer names none: the one that keeps the day most
 * balanced. Among the qualified inspectors free for the whole slot, pick the one with
 *   1. the fewest booked minutes that day (live reservations: confirmed, or held and unexpired),
 *   2. then the fewest reservations (fewer vehicles to receive, fewer check-ins),
 *   3. then the smallest inspector id (a stable, deterministic tie-break).
 * Minutes first because controls differ in length (a contre-visite is 20 min, a CTP 45): counting
 * reservations alone would load one inspector with all the long ones.
 */
export interface InspectorLoad {
  readonly inspectorId: string;
  readonly bookedMinutes: number;
  readonly reservations: number;
}

export function inspectorLoads(state: CalendarState, nowMs: number): ReadonlyMap<string, InspectorLoad> {
  const loads = new Map<string, InspectorLoad>();
  for (const reservation of state.reservations) {
    if (reservation.inspectorId === null || !isLive(reservation, nowMs)) continue;
    const previous = loads.get(reservation.inspectorId);
    loads.set(reservation.inspectorId, {
      inspectorId: reservation.inspectorId,
      bookedMinutes: (previous?.bookedMinutes ?? 0) + reservation.durationMinutes,
      reservations: (previous?.reservations ?? 0) + 1,
    });
  }
  return loads;
}

export function compareLoads(a: InspectorLoad, b: InspectorLoad): number {
  if (a.bookedMinutes !== b.bookedMinutes) return a.bookedMinutes - b.bookedMinutes;
  if (a.reservations !== b.reservations) return a.reservations - b.reservations;
  return a.inspectorId < b.inspectorId ? -1 : a.inspectorId > b.inspectorId ? 1 : 0;
}

/** The most balancing choice among `candidates`, or `undefined` when there is none. */
export function pickBalancedInspector(
  candidates: readonly string[],
  loads: ReadonlyMap<string, InspectorLoad>,
): string | undefined {
  let best: InspectorLoad | undefined;
  for (const inspectorId of candidates) {
    const load = loads.get(inspectorId) ?? { inspectorId, bookedMinutes: 0, reservations: 0 };
    if (best === undefined || compareLoads(load, best) < 0) best = load;
  }
  return best?.inspectorId;
}
