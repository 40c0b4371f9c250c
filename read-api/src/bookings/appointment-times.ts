import { addMinutesToInstant, appointmentStartInstant, instantToLocal } from '@pti/write-side/domain';

/** The instants and local end of an appointment (`start` is local `YYYY-MM-DDTHH:MM`). */
export interface AppointmentTimes {
  readonly startsAt: Date;
  readonly endsAt: Date;
  /** Local `YYYY-MM-DDTHH:MM` of the end, DST-correct. */
  readonly end: string;
}

export function appointmentTimes(start: string, durationMinutes: number, timeZone: string): AppointmentTimes {
  const startsAt = appointmentStartInstant(start, timeZone);
  const endsAt = addMinutesToInstant(startsAt, durationMinutes);
  const local = instantToLocal(endsAt, timeZone);
  return { startsAt, endsAt, end: `${local.date}T${local.time}` };
}
