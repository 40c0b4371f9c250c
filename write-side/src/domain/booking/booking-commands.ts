import type {
  CancellationReason,
  CancelledBy,
  Channel,
  ControlType,
  InspectionResult,
  PaymentFailureReason,
  PaymentMode,
  PaymentProvider,
  PriceEntry,
  SlotHeld,
} from '@pti/events';
import type { DurationMatrix } from '../durations/index.js';
import type { PreviousInspection } from '../pricing/index.js';
import type { RandomBytes } from './booking-reference.js';
import type { CustomerInput, VehicleInput } from './customer.js';

/**
 * The reservation the handler obtained in the calendar stream before asking the booking decider:
 * the fields of its `SlotHeld` event. A booking only ever points at a reservation that is already
 * held for it; the decider checks that the hold matches what is booked.
 */
export type HeldReservation = Pick<
  SlotHeld,
  | 'centreId'
  | 'date'
  | 'reservationId'
  | 'bookingId'
  | 'start'
  | 'durationMinutes'
  | 'controlType'
  | 'vehicle'
  | 'expiresAt'
>;

/** Who asks: the customer (public routes, manage link), staff (call centre, centre) or the platform. */
export type BookingActor = CancelledBy;

export interface PlaceBooking {
  readonly type: 'PlaceBooking';
  readonly bookingId: string;
  readonly customerId: string;
  /** As typed; normalised and validated by the decider. */
  readonly customer: CustomerInput;
  readonly vehicle: VehicleInput;
  readonly controlType: ControlType;
  readonly channel: Channel;
  readonly paymentMode: PaymentMode;
  readonly hold: HeldReservation;
}

export interface RequestPayment {
  readonly type: 'RequestPayment';
  readonly bookingId: string;
  readonly paymentId: string;
  readonly provider: PaymentProvider;
}

export interface RecordPaymentSucceeded {
  readonly type: 'RecordPaymentSucceeded';
  readonly bookingId: string;
  readonly paymentId: string;
  readonly provider: PaymentProvider;
  readonly amountCents: number;
  readonly providerTransactionId: string;
}

export interface RecordPaymentFailed {
  readonly type: 'RecordPaymentFailed';
  readonly bookingId: string;
  readonly paymentId: string;
  readonly provider: PaymentProvider;
  readonly reason: PaymentFailureReason;
  readonly providerTransactionId: string | null;
}

export interface ConfirmBooking {
  readonly type: 'ConfirmBooking';
  readonly bookingId: string;
  /** `online`: the price is covered by succeeded payments (or is 0); `on_site`: paid at the centre. */
  readonly paymentMode: PaymentMode;
}

export interface CancelBooking {
  readonly type: 'CancelBooking';
  readonly bookingId: string;
  readonly by: BookingActor;
  readonly reason: CancellationReason;
  readonly comment: string | null;
}

export interface RescheduleBooking {
  readonly type: 'RescheduleBooking';
  readonly bookingId: string;
  readonly by: BookingActor;
  /** The new reservation, already held for this booking in its calendar stream. */
  readonly hold: HeldReservation;
}

export interface CheckInBooking {
  readonly type: 'CheckInBooking';
  readonly bookingId: string;
  readonly inspectorId: string | null;
}

export interface RecordResult {
  readonly type: 'RecordResult';
  readonly bookingId: string;
  readonly result: InspectionResult;
  /** Defaults to the inspector named at check-in. */
  readonly inspectorId: string | null;
}

export interface RecordNoShow {
  readonly type: 'RecordNoShow';
  readonly bookingId: string;
}

export interface ExpireBooking {
  readonly type: 'ExpireBooking';
  readonly bookingId: string;
}

export interface AddBookingNote {
  readonly type: 'AddBookingNote';
  readonly bookingId: string;
  readonly noteId: string;
  readonly text: string;
}

export type BookingCommand =
  | PlaceBooking
  | RequestPayment
  | RecordPaymentSucceeded
  | RecordPaymentFailed
  | ConfirmBooking
  | CancelBooking
  | RescheduleBooking
  | CheckInBooking
  | RecordResult
  | RecordNoShow
  | ExpireBooking
  | AddBookingNote;

export type BookingCommandType = BookingCommand['type'];

/** What a centre's booking depends on, from its `PriceListSet` and `BookingPolicySet`. */
export interface CentreTerms {
  readonly priceList: readonly PriceEntry[];
  readonly cancellationCutoffHours: number;
  readonly freeContreVisiteDays: number;
}

/**
 * Everything outside the booking stream that `decide` may look at, loaded by the handler. Nothing
 * here is read from a clock, an environment or a store by the domain itself.
 */
export interface BookingContext {
  readonly now: Date;
  /** IANA zone of the booking's centre (`Europe/Paris`). */
  readonly timeZone: string;
  /** Randomness for the human reference (place only). */
  readonly randomBytes: RandomBytes;
  /** The network's duration matrix (`DEFAULT_DURATION_MATRIX` unless overridden). */
  readonly durationMatrix: DurationMatrix;
  /**
   * Terms of the centres the command involves, by centre id: the booking's centre (place, cancel of
   * a confirmed booking, a customer's reschedule) and the new centre of a reschedule.
   */
  readonly centres: Readonly<Record<string, CentreTerms>>;
  /** The vehicle's last completed inspection in the network (place and reschedule), if any. */
  readonly previousInspection: PreviousInspection | null;
}
