/**
 * Domain errors: why a decider refused a command. The `code` is a stable, public identifier (it
 * becomes the `code` of the HTTP problem+json answer and clients switch on it), so codes are only
 * ever added, never renamed. `kind` tells the HTTP layer which status family fits without the
 * domain knowing HTTP:
 *
 * | kind        | meaning                                                        | HTTP |
 * | ----------- | -------------------------------------------------------------- | ---- |
 * | `invalid`   | the command itself is malformed or self-contradictory          | 422  |
 * | `not_found` | the command names something the aggregate does not have        | 404  |
 * | `conflict`  | the command is valid but the aggregate's current state says no | 409  |
 */

export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict';

/** Every domain error code with its kind and a one-line meaning. */
export const DOMAIN_ERROR_CODES = {
  // --- generic -----------------------------------------------------------------------------
  INVALID_COMMAND: { kind: 'invalid', meaning: 'A field of the command is malformed or out of range.' },
  INVALID_INTERVALS: {
    kind: 'invalid',
    meaning: 'Time intervals are empty, reversed, overlapping or out of order.',
  },
  INVALID_PERIOD: { kind: 'invalid', meaning: 'A period ends before (or when) it starts.' },

  // --- centre ------------------------------------------------------------------------------
  CENTRE_NOT_REGISTERED: { kind: 'not_found', meaning: 'The centre does not exist (yet).' },
  CENTRE_ALREADY_REGISTERED: { kind: 'conflict', meaning: 'The centre is already registered.' },
  CENTRE_INACTIVE: { kind: 'conflict', meaning: 'The centre is deactivated and takes no bookings.' },
  CENTRE_ALREADY_ACTIVE: { kind: 'conflict', meaning: 'The centre is already active.' },
  UNKNOWN_INSPECTOR: { kind: 'not_found', meaning: 'No such inspector at the centre.' },
  INSPECTOR_ALREADY_EXISTS: {
    kind: 'conflict',
    meaning: 'An inspector with this id is already at the centre.',
  },
  UNKNOWN_CLOSURE: { kind: 'not_found', meaning: 'No such closure.' },
  CLOSURE_ALREADY_EXISTS: { kind: 'conflict', meaning: 'A closure with this id already exists.' },
  UNKNOWN_ABSENCE: { kind: 'not_found', meaning: 'No such absence for this inspector.' },
  ABSENCE_ALREADY_EXISTS: { kind: 'conflict', meaning: 'An absence with this id already exists.' },
  INVALID_PRICE_LIST: {
    kind: 'invalid',
    meaning: 'The price list names the same combination twice or prices a combination that cannot be booked.',
  },

  // --- slot calendar -----------------------------------------------------------------------
  SLOT_TAKEN: { kind: 'conflict', meaning: 'No qualified inspector is free at that time.' },
  OUTSIDE_OPENING_HOURS: {
    kind: 'conflict',
    meaning: 'The slot is not inside the opening hours of the day.',
  },
  OFF_GRID: { kind: 'invalid', meaning: 'The start time is not on the slot grid.' },
  NOT_ACCREDITED: { kind: 'conflict', meaning: 'The inspector is not accredited for this vehicle.' },
  INSPECTOR_UNAVAILABLE: {
    kind: 'conflict',
    meaning: "The slot is outside the inspector's schedule or inside one of their absences.",
  },
  CENTRE_CLOSED: { kind: 'conflict', meaning: 'The centre is closed that day.' },
  PERIOD_BLOCKED: { kind: 'conflict', meaning: 'The slot overlaps a blocked period.' },
  TOO_SHORT_NOTICE: { kind: 'conflict', meaning: 'The slot starts sooner than the minimum notice allows.' },
  BEYOND_HORIZON: { kind: 'conflict', meaning: 'The slot is further ahead than the booking horizon.' },
  OVERBOOKING_LIMIT: {
    kind: 'conflict',
    meaning: 'Every inspector is taken and the overbooking allowance is used up (per day or per start time).',
  },
  DAY_FULL: { kind: 'conflict', meaning: 'The day has no bookable slot left for this vehicle.' },
  DAY_NOT_FULL: { kind: 'conflict', meaning: 'The day still has slots: book one instead of waiting.' },
  UNKNOWN_RESERVATION: { kind: 'not_found', meaning: 'No such reservation in the day.' },
  RESERVATION_ALREADY_EXISTS: { kind: 'conflict', meaning: 'A reservation with this id already exists.' },
  HOLD_EXPIRED: { kind: 'conflict', meaning: 'The hold expired before it was confirmed.' },
  RESERVATION_NOT_HELD: {
    kind: 'conflict',
    meaning: 'The reservation is not a hold (it is confirmed: free it instead).',
  },
  RESERVATION_NOT_CONFIRMED: { kind: 'conflict', meaning: 'The reservation is not confirmed.' },
  RESERVATION_ENDED: { kind: 'conflict', meaning: 'The reservation was already released or freed.' },
  UNKNOWN_BLOCK: { kind: 'not_found', meaning: 'No such blocked period.' },
  PERIOD_HAS_RESERVATIONS: {
    kind: 'conflict',
    meaning: 'Live reservations lie in the period to block: move or cancel them first.',
  },
  BLOCK_ALREADY_EXISTS: { kind: 'conflict', meaning: 'A blocked period with this id already exists.' },
  UNKNOWN_WAITLIST_ENTRY: { kind: 'not_found', meaning: 'No such waitlist entry.' },
  WAITLIST_ENTRY_EXISTS: { kind: 'conflict', meaning: 'A waitlist entry with this id already exists.' },

  // --- booking -----------------------------------------------------------------------------
  BOOKING_NOT_FOUND: { kind: 'not_found', meaning: 'The booking does not exist.' },
  BOOKING_ALREADY_EXISTS: { kind: 'conflict', meaning: 'A booking with this id already exists.' },
  INVALID_TRANSITION: { kind: 'conflict', meaning: "The booking's status does not allow this command." },
  TOO_LATE_TO_CANCEL: {
    kind: 'conflict',
    meaning: 'The cancellation cut-off has passed (customers only; staff may still cancel).',
  },
  INVALID_PLATE: { kind: 'invalid', meaning: 'The registration plate is neither SIV nor FNI.' },
  INVALID_SIRET: { kind: 'invalid', meaning: 'The SIRET is malformed or fails its checksum.' },
  NOT_PRICED: {
    kind: 'conflict',
    meaning: "The centre's price list has no price for this control and vehicle.",
  },
  CONTROL_NOT_APPLICABLE: {
    kind: 'invalid',
    meaning: 'This control type does not apply to this vehicle (e.g. CTC for a motorcycle).',
  },
  INVALID_MANAGE_TOKEN: {
    kind: 'invalid',
    meaning: 'The manage token is malformed, forged or for another booking.',
  },
  INVALID_HOLD_TOKEN: {
    kind: 'invalid',
    meaning: 'The hold token is malformed, forged or for another hold.',
  },
  HOLD_ALREADY_USED: {
    kind: 'conflict',
    meaning: 'The hold was already turned into a booking.',
  },
} as const satisfies Record<string, { readonly kind: DomainErrorKind; readonly meaning: string }>;

export type DomainErrorCode = keyof typeof DOMAIN_ERROR_CODES;

/** A command refused by a decider. Thrown by `decide`; never a programming error. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: DomainErrorCode;
  readonly kind: DomainErrorKind;
  /** Machine-readable facts for the caller (ids, times); never personal data. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: DomainErrorCode, message?: string, details: Readonly<Record<string, unknown>> = {}) {
    super(message ?? DOMAIN_ERROR_CODES[code].meaning);
    this.code = code;
    this.kind = DOMAIN_ERROR_CODES[code].kind;
    this.details = details;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** Throws a `DomainError` unless `condition` holds (keeps `decide` bodies flat). */
export function ensure(
  condition: boolean,
  code: DomainErrorCode,
  message?: string,
  details?: Readonly<Record<string, unknown>>,
): asserts condition {
  if (!condition) throw new DomainError(code, message, details);
}
