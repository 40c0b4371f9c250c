import type {
  Appointment,
  BookingEvent,
  BookingReference,
  CancellationReason,
  CancelledBy,
  Channel,
  ControlType,
  Customer,
  InspectionResult,
  PaymentMode,
  PaymentProvider,
  Vehicle,
} from '@pti/events';

/**
 * The state of one booking (stream `booking-<id>`), folded from its events by `evolveBooking`.
 *
 * Lifecycle (DESIGN.md §5):
 *
 * ```
 * (none) ─place→ placed ─confirm→ confirmed ─check in→ checked_in ─result→ completed
 *                  │ ├─expire→ expired   │ ├─no-show→ no_show
 *                  │ └─cancel→ cancelled └─cancel→ cancelled
 *                  │                       └─reschedule→ confirmed (new appointment)
 * ```
 *
 * A reschedule is not an end: the booking keeps its id, reference and status and moves to the new
 * appointment; the previous ones are kept in `previousAppointments`.
 */

export type BookingStatus =
  | 'placed'
  | 'confirmed'
  | 'checked_in'
  | 'completed'
  | 'cancelled'
  | 'expired'
  | 'no_show';

/** Statuses after which the booking never changes again (payments and notes may still arrive). */
export const FINAL_BOOKING_STATUSES: readonly BookingStatus[] = [
  'completed',
  'cancelled',
  'expired',
  'no_show',
];

export type PaymentStatus = 'requested' | 'succeeded' | 'failed';

export interface PaymentRecord {
  readonly paymentId: string;
  readonly provider: PaymentProvider;
  readonly amountCents: number;
  readonly status: PaymentStatus;
}

export interface Cancellation {
  readonly cancelledBy: CancelledBy;
  readonly reason: CancellationReason;
  readonly refundEligible: boolean;
}

export interface Booking {
  readonly status: BookingStatus;
  readonly bookingId: string;
  readonly reference: BookingReference;
  readonly customerId: string;
  readonly customer: Customer;
  readonly vehicle: Vehicle;
  readonly controlType: ControlType;
  /** The current appointment. */
  readonly centreId: string;
  readonly reservationId: string;
  readonly start: string;
  readonly durationMinutes: number;
  readonly priceCents: number;
  readonly channel: Channel;
  /** As placed, then as confirmed (a customer may switch to paying on site). */
  readonly paymentMode: PaymentMode;
  readonly holdExpiresAt: string;
  /** Every payment attempt, in order. */
  readonly payments: readonly PaymentRecord[];
  /** Sum of succeeded payments. */
  readonly paidCents: number;
  readonly checkedIn: boolean;
  /** Named at check-in, or the one who recorded the result. */
  readonly inspectorId: string | null;
  readonly result: InspectionResult | null;
  readonly contreVisiteDueBy: string | null;
  readonly cancellation: Cancellation | null;
  readonly previousAppointments: readonly Appointment[];
  readonly noteIds: readonly string[];
}

export type BookingState = { readonly status: 'none' } | Booking;

export function initialBookingState(): BookingState {
  return { status: 'none' };
}

export function isFinalStatus(status: BookingStatus): boolean {
  return FINAL_BOOKING_STATUSES.includes(status);
}

function withPayment(
  booking: Booking,
  paymentId: string,
  update: (payment: PaymentRecord) => PaymentRecord,
): Booking {
  return {
    ...booking,
    payments: booking.payments.map((payment) =>
      payment.paymentId === paymentId ? update(payment) : payment,
    ),
  };
}

/**
 * Folds one event into the state. Total: an event that does not fit the state (which `decide`
 * never produces) leaves it unchanged rather than throwing, so any stored stream replays.
 */
export function evolveBooking(state: BookingState, event: BookingEvent): BookingState {
  if (event.type === 'BookingPlaced') {
    if (state.status !== 'none') return state;
    const data = event.data;
    return {
      status: 'placed',
      bookingId: data.bookingId,
      reference: data.reference,
      customerId: data.customerId,
      customer: data.customer,
      vehicle: data.vehicle,
      controlType: data.controlType,
      centreId: data.centreId,
      reservationId: data.reservationId,
      start: data.start,
      durationMinutes: data.durationMinutes,
      priceCents: data.priceCents,
      channel: data.channel,
      paymentMode: data.paymentMode,
      holdExpiresAt: data.holdExpiresAt,
      payments: [],
      paidCents: 0,
      checkedIn: false,
      inspectorId: null,
      result: null,
      contreVisiteDueBy: null,
      cancellation: null,
      previousAppointments: [],
      noteIds: [],
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'BookingConfirmed':
      return { ...state, status: 'confirmed', paymentMode: event.data.paymentMode };
    case 'BookingCheckedIn':
      return { ...state, status: 'checked_in', checkedIn: true, inspectorId: event.data.inspectorId };
    case 'BookingCompleted':
      return {
        ...state,
        status: 'completed',
        inspectorId: event.data.inspectorId,
        result: event.data.result,
        contreVisiteDueBy: event.data.contreVisiteDueBy,
      };
    case 'BookingCancelled':
      return {
        ...state,
        status: 'cancelled',
        cancellation: {
          cancelledBy: event.data.cancelledBy,
          reason: event.data.reason,
          refundEligible: event.data.refundEligible,
        },
      };
    case 'BookingExpired':
      return { ...state, status: 'expired' };
    case 'BookingNoShow':
      return { ...state, status: 'no_show' };
    case 'BookingRescheduled':
      return {
        ...state,
        centreId: event.data.to.centreId,
        reservationId: event.data.to.reservationId,
        start: event.data.to.start,
        durationMinutes: event.data.durationMinutes,
        priceCents: event.data.priceCents,
        previousAppointments: [...state.previousAppointments, event.data.from],
      };
    case 'BookingNoteAdded':
      return state.noteIds.includes(event.data.noteId)
        ? state
        : { ...state, noteIds: [...state.noteIds, event.data.noteId] };
    case 'PaymentRequested':
      if (state.payments.some((payment) => payment.paymentId === event.data.paymentId)) return state;
      return {
        ...state,
        payments: [
          ...state.payments,
          {
            paymentId: event.data.paymentId,
            provider: event.data.provider,
            amountCents: event.data.amountCents,
            status: 'requested',
          },
        ],
      };
    case 'PaymentSucceeded': {
      const known = state.payments.find((payment) => payment.paymentId === event.data.paymentId);
      if (known?.status === 'succeeded') return state;
      const paid = { ...state, paidCents: state.paidCents + event.data.amountCents };
      if (known === undefined) {
        return {
          ...paid,
          payments: [
            ...state.payments,
            {
              paymentId: event.data.paymentId,
              provider: event.data.provider,
              amountCents: event.data.amountCents,
              status: 'succeeded',
            },
          ],
        };
      }
      return withPayment(paid, event.data.paymentId, (payment) => ({ ...payment, status: 'succeeded' }));
    }
    case 'PaymentFailed':
      return withPayment(state, event.data.paymentId, (payment) =>
        payment.status === 'requested' ? { ...payment, status: 'failed' } : payment,
      );
  }
}
