import type {
  Channel,
  ControlType,
  HoldReleaseReason,
  ReassignmentReason,
  ReservationFreeReason,
  VehicleProfile,
  WaitlistContact,
} from '@pti/events';
import type { CentreDayConfiguration } from '../centre/centre-day-configuration.js';

/**
 * Commands of the SlotCalendar aggregate (stream `calendar-<centreId>-<date>`). Each names its
 * centre and date; `decide` refuses a command whose day differs from the context's configuration.
 */

interface CalendarDay {
  readonly centreId: string;
  /** Local date `YYYY-MM-DD`. */
  readonly date: string;
}

export interface HoldSlot extends CalendarDay {
  readonly type: 'HoldSlot';
  readonly reservationId: string;
  readonly bookingId: string;
  /** Local `HH:MM`, on the slot grid. */
  readonly start: string;
  readonly durationMinutes: number;
  readonly controlType: ControlType;
  readonly vehicle: VehicleProfile;
  /** The customer's or staff's choice of inspector; absent or `null`: the balancing rule picks. */
  readonly inspectorId?: string | null;
  /** Accept an overbooked reservation when every qualified inspector is taken (default true). */
  readonly allowOverbooking?: boolean;
}

export interface ConfirmHold extends CalendarDay {
  readonly type: 'ConfirmHold';
  readonly reservationId: string;
  readonly bookingId: string;
}

export interface ReleaseHold extends CalendarDay {
  readonly type: 'ReleaseHold';
  readonly reservationId: string;
  readonly bookingId: string;
  readonly reason: HoldReleaseReason;
}

export interface FreeReservation extends CalendarDay {
  readonly type: 'FreeReservation';
  readonly reservationId: string;
  readonly bookingId: string;
  readonly reason: ReservationFreeReason;
}

export interface BlockPeriod extends CalendarDay {
  readonly type: 'BlockPeriod';
  readonly blockId: string;
  readonly from: string;
  readonly to: string;
  /** `null`: the whole centre. */
  readonly inspectorId: string | null;
  readonly label: string;
}

export interface UnblockPeriod extends CalendarDay {
  readonly type: 'UnblockPeriod';
  readonly blockId: string;
}

export interface ReassignInspector extends CalendarDay {
  readonly type: 'ReassignInspector';
  readonly reservationId: string;
  /** `null`: pick by the balancing rule among the inspectors free for the reservation. */
  readonly toInspectorId: string | null;
  readonly reason: ReassignmentReason;
}

export interface JoinWaitlist extends CalendarDay {
  readonly type: 'JoinWaitlist';
  readonly entryId: string;
  readonly customerId: string;
  readonly contact: WaitlistContact;
  readonly controlType: ControlType;
  readonly vehicle: VehicleProfile;
  readonly durationMinutes: number;
  readonly earliestStart: string;
  readonly latestStart: string;
  readonly channel: Channel;
}

export interface LeaveWaitlist extends CalendarDay {
  readonly type: 'LeaveWaitlist';
  readonly entryId: string;
  readonly reason: 'withdrawn' | 'day_passed' | 'offer_declined';
}

export type CalendarCommand =
  | HoldSlot
  | ConfirmHold
  | ReleaseHold
  | FreeReservation
  | BlockPeriod
  | UnblockPeriod
  | ReassignInspector
  | JoinWaitlist
  | LeaveWaitlist;

/** What a calendar decision needs besides its state: outside facts, passed in so `decide` stays pure. */
export interface CalendarContext {
  /** The decision's clock (notice, horizon, hold expiry, which holds are still live). */
  readonly now: Date;
  /** The centre's configuration for the stream's day (`centreDayConfiguration`). */
  readonly day: CentreDayConfiguration;
  /** New ids for what the decider creates itself: the reservation and booking of a waitlist offer. */
  readonly newId: () => string;
  /** Slot grid step; must equal the one availability was listed with (default 15). */
  readonly stepMinutes?: number;
}
