import { requirePermission } from '@pti/platform';
import { Type } from '@sinclair/typebox';
import type { ReadApiApp, RouteContext } from '../app/route-context.js';
import { AuditEntryView, auditEntryView } from '../audit/audit-views.js';
import { appointmentTimes } from '../bookings/appointment-times.js';
import { neverStore } from '../http/cache-control.js';
import { notFound, replyProblem, STAFF_PROBLEMS } from '../http/problem.js';
import {
  BookingStatus,
  Cents,
  Channel,
  ControlType,
  EntityId,
  Fuel,
  InspectionResult,
  Instant,
  LocalDate,
  LocalDateTime,
  Nullable,
  PaymentMode,
  StringEnum,
  VehicleCategory,
} from '../http/schemas.js';
import { callerOf, scopeProblem, tenantScopeOf } from '../http/staff-auth.js';
import type { BookingRecord } from '../ports/read-models.js';

/** Staff: a booking in full, personal data included, with every event of its stream. */

const StaffBookingView = Type.Object({
  bookingId: Type.String(),
  reference: Type.String(),
  status: BookingStatus,
  customerId: Type.String(),
  customer: Type.Object({
    kind: StringEnum(['private', 'company'] as const),
    name: Nullable(Type.String()),
    email: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    siret: Nullable(Type.String()),
    contactName: Nullable(Type.String()),
  }),
  vehicle: Type.Object({ plate: Nullable(Type.String()), category: VehicleCategory, fuel: Fuel }),
  controlType: ControlType,
  centre: Type.Object({
    centreId: Type.String(),
    name: Type.String(),
    address: Type.String(),
    postcode: Type.String(),
    city: Type.String(),
    phone: Nullable(Type.String()),
  }),
  reservationId: Type.String(),
  start: LocalDateTime,
  end: LocalDateTime,
  startsAt: Instant,
  durationMinutes: Type.Integer({ minimum: 1 }),
  priceCents: Cents,
  paidCents: Cents,
  paymentMode: PaymentMode,
  channel: Channel,
  inspectorId: Nullable(Type.String()),
  result: Nullable(InspectionResult),
  contreVisiteDueBy: Nullable(LocalDate),
  cancellation: Nullable(
    Type.Object({
      cancelledBy: StringEnum(['customer', 'call_centre', 'centre', 'system'] as const),
      reason: Type.String(),
      refundEligible: Type.Boolean(),
    }),
  ),
  rescheduleCount: Type.Integer({ minimum: 0 }),
  placedAt: Instant,
  updatedAt: Instant,
});

const BookingDetailView = Type.Object({
  booking: StaffBookingView,
  history: Type.Array(AuditEntryView),
});

export function staffBookingView(booking: BookingRecord) {
  const { centre, customer, vehicle } = booking;
  const times = appointmentTimes(booking.start, booking.durationMinutes, centre.timeZone);
  return {
    bookingId: booking.bookingId,
    reference: booking.reference,
    status: booking.status,
    customerId: booking.customerId,
    customer: {
      kind: customer.kind,
      name: customer.name,
      email: customer.email,
      phone: customer.phone,
      siret: customer.siret,
      contactName: customer.contactName,
    },
    vehicle: { plate: vehicle.plate, category: vehicle.category, fuel: vehicle.fuel },
    controlType: booking.controlType,
    centre: {
      centreId: centre.centreId,
      name: centre.name,
      address: centre.address,
      postcode: centre.postcode,
      city: centre.city,
      phone: centre.phone,
    },
    reservationId: booking.reservationId,
    start: booking.start,
    end: times.end,
    startsAt: times.startsAt.toISOString(),
    durationMinutes: booking.durationMinutes,
    priceCents: booking.priceCents,
    paidCents: booking.paidCents,
    paymentMode: booking.paymentMode,
    channel: booking.channel,
    inspectorId: booking.inspectorId,
    result: booking.result,
    contreVisiteDueBy: booking.contreVisiteDueBy,
    cancellation: booking.cancellation === null ? null : { ...booking.cancellation },
    rescheduleCount: booking.rescheduleCount,
    placedAt: booking.placedAt,
    updatedAt: booking.updatedAt,
  };
}

export function registerBookingDetailRoutes(app: ReadApiApp, context: RouteContext): void {
  app.get(
    '/staff/bookings/:bookingId',
    {
      preHandler: requirePermission('booking.read'),
      schema: {
        operationId: 'getStaffBooking',
        tags: ['staff'],
        summary: 'A booking with its full history',
        security: [{ bearerAuth: [] }],
        params: Type.Object({ bookingId: EntityId }),
        response: { 200: BookingDetailView, ...STAFF_PROBLEMS },
      },
    },
    async (request, reply) => {
      neverStore(reply);
      const principal = callerOf(request);
      const detail = await context.ports.bookingDetailWithHistory(
        tenantScopeOf(principal),
        request.params.bookingId,
      );
      if (detail === null) return replyProblem(reply, notFound());
      // The adapter reads under the tenant's row-level security; checked again here, fail closed.
      const refusal = scopeProblem(principal, 'booking.read', {
        tenantId: detail.booking.tenantId,
        centreId: detail.booking.centre.centreId,
      });
      if (refusal !== null) return replyProblem(reply, refusal);
      return { booking: staffBookingView(detail.booking), history: detail.history.map(auditEntryView) };
    },
  );
}
