import type {
  HoldReleaseReason,
  InspectionResult,
  PaymentFailureReason,
  PaymentProvider as PaymentProviderName,
  ReservationFreeReason,
} from '@pti/events';
import type { SagaOrigin } from '../runtime/saga.js';

/**
 * The commands sagas send (DESIGN.md §2: "a saga never writes a read model of another component;
 * it reacts to events and sends commands"). The composition root wires this port to the write
 * side's command handlers; every call carries the saga's origin (actor `system`, the causing
 * event's tenant and correlation, the event id as causation).
 *
 * Contract for an implementation:
 * - **idempotent**: sending a command whose effect is already recorded answers `unchanged` (the
 *   deciders already decide nothing for such retries); sagas send a command again after a crash;
 * - **domain refusals are answers, not errors**: a `DomainError` becomes `refused` with its code and
 *   `details.reason`; the saga decides what a refusal means;
 * - **throw only for transient failures** (store unreachable, concurrency retries exhausted): the
 *   saga's timer then retries with backoff, and dead-letters after its last attempt.
 */
export type CommandOutcome =
  | { readonly outcome: 'applied' }
  | { readonly outcome: 'unchanged' }
  | {
      readonly outcome: 'refused';
      /** `DomainError.code` (HTTP problem code). */
      readonly code: string;
      /** `DomainError.details.reason` when the decider gives one (booking refusals do). */
      readonly reason?: string;
      readonly message: string;
    };

/**
 * What `ExpireBooking` found, mapped from the booking decider's answers:
 *
 * | outcome        | decider                                                              |
 * | -------------- | -------------------------------------------------------------------- |
 * | `expired`      | appended `BookingExpired`, or the booking was already expired        |
 * | `not_found`    | `BOOKING_NOT_FOUND`: no booking stream (an orphan hold, a waitlist offer nobody took) |
 * | `confirmed`    | `ALREADY_CONFIRMED` (confirmed, checked in or completed)             |
 * | `ended`        | `BOOKING_CANCELLED` / `BOOKING_NO_SHOW`                              |
 * | `hold_running` | `HOLD_NOT_EXPIRED`, with the booking's `holdExpiresAt`               |
 */
export type ExpireBookingOutcome =
  | { readonly outcome: 'expired' }
  | { readonly outcome: 'not_found' }
  | { readonly outcome: 'confirmed' }
  | { readonly outcome: 'ended'; readonly status: 'cancelled' | 'no_show' }
  | { readonly outcome: 'hold_running'; readonly holdExpiresAt: string };

/** A reservation in the calendar stream `calendar-<centreId>-<date>`. */
export interface ReservationRef {
  readonly centreId: string;
  /** Local date `YYYY-MM-DD`. */
  readonly date: string;
  readonly reservationId: string;
  readonly bookingId: string;
}

export interface PaymentSucceededInput {
  readonly bookingId: string;
  readonly paymentId: string;
  readonly provider: PaymentProviderName;
  readonly amountCents: number;
  readonly providerTransactionId: string;
}

export interface PaymentFailedInput {
  readonly bookingId: string;
  readonly paymentId: string;
  readonly provider: PaymentProviderName;
  readonly reason: PaymentFailureReason;
  readonly providerTransactionId: string | null;
}

export interface RecordResultInput {
  readonly bookingId: string;
  readonly result: InspectionResult;
  /** `null`: the inspector named at check-in. */
  readonly inspectorId: string | null;
}

export interface SagaCommands {
  /** Booking `ExpireBooking`. */
  expireBooking(input: { readonly bookingId: string }, origin: SagaOrigin): Promise<ExpireBookingOutcome>;
  /** Calendar `ReleaseHold` (a released or freed reservation: `unchanged`). */
  releaseHold(
    input: ReservationRef & { readonly reason: HoldReleaseReason },
    origin: SagaOrigin,
  ): Promise<CommandOutcome>;
  /** Calendar `ConfirmHold` (already confirmed: `unchanged`). */
  confirmHold(input: ReservationRef, origin: SagaOrigin): Promise<CommandOutcome>;
  /** Calendar `FreeReservation` (already released or freed: `unchanged`). */
  freeReservation(
    input: ReservationRef & { readonly reason: ReservationFreeReason },
    origin: SagaOrigin,
  ): Promise<CommandOutcome>;
  /** Booking `RecordPaymentSucceeded` (confirms the booking when its hold still runs). */
  recordPaymentSucceeded(input: PaymentSucceededInput, origin: SagaOrigin): Promise<CommandOutcome>;
  /** Booking `RecordPaymentFailed`. */
  recordPaymentFailed(input: PaymentFailedInput, origin: SagaOrigin): Promise<CommandOutcome>;
  /** Booking `RecordResult` (an AdelSoft result). */
  recordResult(input: RecordResultInput, origin: SagaOrigin): Promise<CommandOutcome>;
}

/** A refusal as an error message, for dead letters and logs. */
export function describeRefusal(command: string, outcome: CommandOutcome): string {
  if (outcome.outcome !== 'refused') return `${command}: ${outcome.outcome}`;
  const reason = outcome.reason === undefined ? '' : `/${outcome.reason}`;
  return `${command} refused (${outcome.code}${reason}): ${outcome.message}`;
}
