import { DomainError, type DomainErrorCode } from '../shared/index.js';

/**
 * Why the Booking decider refuses a command. Each refusal has a stable name, carried in the error's
 * `details.reason`, and maps to one public code of the shared registry (the HTTP `code`): a client
 * switches on `code` for the status family and on `details.reason` for the exact rule. Reasons are
 * only ever added, never renamed.
 */
export const BOOKING_REFUSALS = {
  // --- existence ---------------------------------------------------------------------------
  BOOKING_NOT_FOUND: 'BOOKING_NOT_FOUND',
  BOOKING_ALREADY_EXISTS: 'BOOKING_ALREADY_EXISTS',

  // --- lifecycle: the status does not allow the command ---------------------------------------
  /** Confirm (or pay, or expire) a booking that is already confirmed or further along. */
  ALREADY_CONFIRMED: 'INVALID_TRANSITION',
  /** Check in, mark a no-show or reschedule a booking that is only placed (not confirmed). */
  NOT_CONFIRMED: 'INVALID_TRANSITION',
  /** Record a result for a booking that was not checked in. */
  NOT_CHECKED_IN: 'INVALID_TRANSITION',
  /** Cancel, reschedule, check in again or mark a no-show after check-in. */
  ALREADY_CHECKED_IN: 'INVALID_TRANSITION',
  BOOKING_COMPLETED: 'INVALID_TRANSITION',
  BOOKING_CANCELLED: 'INVALID_TRANSITION',
  BOOKING_EXPIRED: 'INVALID_TRANSITION',
  BOOKING_NO_SHOW: 'INVALID_TRANSITION',

  // --- time rules ------------------------------------------------------------------------------
  TOO_LATE_TO_CANCEL: 'TOO_LATE_TO_CANCEL',
  /** The customer's own reschedule is bound by the same cut-off as their cancellation. */
  TOO_LATE_TO_RESCHEDULE: 'TOO_LATE_TO_CANCEL',
  HOLD_EXPIRED: 'HOLD_EXPIRED',
  /** Expire a hold that still runs (and whose payment did not fail). */
  HOLD_NOT_EXPIRED: 'INVALID_TRANSITION',
  /** Check in before the appointment's local day. */
  TOO_EARLY_TO_CHECK_IN: 'INVALID_TRANSITION',
  /** Check in after the appointment's local day (it is a no-show by then). */
  CHECK_IN_DAY_PASSED: 'INVALID_TRANSITION',
  /** Mark a no-show before the appointment's start. */
  TOO_EARLY_FOR_NO_SHOW: 'INVALID_TRANSITION',

  // --- payment ---------------------------------------------------------------------------------
  /** Confirm as paid online while the price is not covered by succeeded payments. */
  PAYMENT_REQUIRED: 'INVALID_TRANSITION',
  /** Request a payment for a free booking, or one already covered. */
  NOTHING_TO_PAY: 'INVALID_TRANSITION',
  UNKNOWN_PAYMENT: 'INVALID_COMMAND',
  /** The provider's report does not match the requested payment (provider or amount). */
  PAYMENT_MISMATCH: 'INVALID_COMMAND',

  // --- offer and input -------------------------------------------------------------------------
  INVALID_PLATE: 'INVALID_PLATE',
  INVALID_SIRET: 'INVALID_SIRET',
  CONTROL_NOT_APPLICABLE: 'CONTROL_NOT_APPLICABLE',
  NOT_PRICED: 'NOT_PRICED',
  /** The terms (price list, policy) of a centre the command involves were not supplied. */
  CENTRE_UNKNOWN: 'CENTRE_NOT_REGISTERED',
  /** The held reservation is for another booking, control, vehicle or duration. */
  HOLD_MISMATCH: 'INVALID_COMMAND',
  /** A reschedule onto the reservation the booking already has. */
  SAME_RESERVATION: 'INVALID_COMMAND',
  /** A result recorded with no inspector, none having been named at check-in. */
  INSPECTOR_REQUIRED: 'INVALID_COMMAND',
  /** A field is malformed (name, e-mail, phone, address, id, note); `details.field` names it. */
  INVALID_INPUT: 'INVALID_COMMAND',
} as const satisfies Record<string, DomainErrorCode>;

export type BookingRefusal = keyof typeof BOOKING_REFUSALS;

/** A `DomainError` for a booking refusal; `details.reason` is the refusal's name. */
export function bookingRefusal(
  reason: BookingRefusal,
  message: string,
  details: Readonly<Record<string, unknown>> = {},
): DomainError {
  return new DomainError(BOOKING_REFUSALS[reason], message, { ...details, reason });
}

/** The refusal's name of a booking `DomainError` (`details.reason`), if it has one. */
export function refusalOf(error: DomainError): string | undefined {
  const reason = error.details.reason;
  return typeof reason === 'string' ? reason : undefined;
}
