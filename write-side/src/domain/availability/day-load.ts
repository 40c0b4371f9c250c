import type { CalendarState } from '../calendar/calendar-state.js';
import { isLive } from '../calendar/calendar-state.js';
import type { CentreDayConfiguration } from '../centre/centre-day-configuration.js';
import { intersectIntervals, subtractIntervals, totalMinutes } from '../shared/minute-intervals.js';

export interface DayLoad {
  /** Minutes of live reservations (overbooked ones included). */
  readonly bookedMinutes: number;
  /** Inspector minutes on offer: working time inside opening hours, minus blocked periods. */
  readonly capacityMinutes: number;
  /** `bookedMinutes / capacityMinutes`; 1 when nothing is on offer (a closed day reads as full). May exceed 1 with overbooking. */
  readonly ratio: number;
}

/**
 * How loaded the day is, for colour-by-load views. `now` decides which holds still count; without
 * it every unreleased hold counts (the conservative view of a projection that has no clock).
 */
export function dayLoad(day: CentreDayConfiguration, state: CalendarState, now?: Date): DayLoad {
  const nowMs = now?.getTime() ?? Number.NEGATIVE_INFINITY;
  const bookedMinutes = state.reservations
    .filter((reservation) => isLive(reservation, nowMs))
    .reduce((sum, reservation) => sum + reservation.durationMinutes, 0);
  const centreBlocks = state.blocks
    .filter((block) => block.inspectorId === null)
    .map((block) => block.interval);
  let capacityMinutes = 0;
  if (day.active) {
    for (const inspector of day.inspectors) {
      if (!inspector.accreditations.includes('VL') && !inspector.accreditations.includes('L')) continue;
      const ownBlocks = state.blocks
        .filter((block) => block.inspectorId === inspector.inspectorId)
        .map((block) => block.interval);
      const onOffer = subtractIntervals(intersectIntervals(inspector.working, day.opening), [
        ...centreBlocks,
        ...ownBlocks,
      ]);
      capacityMinutes += totalMinutes(onOffer);
    }
  }
  return { bookedMinutes, capacityMinutes, ratio: capacityMinutes > 0 ? bookedMinutes / capacityMinutes : 1 };
}
