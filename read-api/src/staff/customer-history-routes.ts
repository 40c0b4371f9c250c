import { requirePermission } from '@pti/platform';
import { Type } from '@sinclair/typebox';
import type { ReadApiApp, RouteContext } from '../app/route-context.js';
import { neverStore } from '../http/cache-control.js';
import { invalidCursor, notFound, replyProblem, STAFF_PROBLEMS } from '../http/problem.js';
import {
  BookingStatus,
  Cents,
  Channel,
  ControlType,
  EntityId,
  InspectionResult,
  Instant,
  LocalDateTime,
  Nullable,
  VehicleCategory,
} from '../http/schemas.js';
import { callerOf, tenantScopeOf } from '../http/staff-auth.js';
import {
  PaginationQuery,
  pageOf,
  pageRequest,
  queryFingerprint,
  responsePage,
} from '../pagination/cursor.js';
import type { CustomerBookingSummary } from '../ports/read-models.js';

/**
 * Staff: a customer's history (the call centre's customer view), every booking of the customer
 * newest appointment first. Centre staff see the bookings of their centres only; an unknown
 * customer, or another tenant's, is a 404.
 */

export const CustomerBookingView = Type.Object({
  bookingId: Type.String(),
  reference: Type.String(),
  status: BookingStatus,
  centreId: Type.String(),
  start: LocalDateTime,
  end: LocalDateTime,
  controlType: ControlType,
  vehicle: Type.Object({ plate: Nullable(Type.String()), category: VehicleCategory }),
  priceCents: Cents,
  channel: Channel,
  result: Nullable(InspectionResult),
  placedAt: Instant,
});

export function customerBookingView(booking: CustomerBookingSummary) {
  return {
    bookingId: booking.bookingId,
    reference: booking.reference,
    status: booking.status,
    centreId: booking.centreId,
    start: booking.start,
    end: booking.end,
    controlType: booking.controlType,
    vehicle: { plate: booking.vehiclePlate, category: booking.vehicleCategory },
    priceCents: booking.priceCents,
    channel: booking.channel,
    result: booking.result,
    placedAt: booking.placedAt,
  };
}

export function registerCustomerHistoryRoutes(app: ReadApiApp, context: RouteContext): void {
  app.get(
    '/staff/customers/:customerId/bookings',
    {
      preHandler: requirePermission('booking.read'),
      schema: {
        operationId: 'listCustomerBookings',
        tags: ['staff'],
        summary: 'A customer’s bookings, newest appointment first',
        description: 'Keyset-paginated. Centre staff see the bookings of their centres only.',
        security: [{ bearerAuth: [] }],
        params: Type.Object({ customerId: EntityId }),
        querystring: Type.Object(PaginationQuery, { additionalProperties: false }),
        response: { 200: pageOf(CustomerBookingView), ...STAFF_PROBLEMS },
      },
    },
    async (request, reply) => {
      neverStore(reply);
      const scope = tenantScopeOf(callerOf(request));
      const { customerId } = request.params;
      // The scope is part of the fingerprint: a cursor never crosses callers of different reach.
      const fingerprint = queryFingerprint({ route: 'customer-bookings', customerId, scope });
      const paging = pageRequest(request.query, fingerprint);
      if (!paging.ok) return replyProblem(reply, invalidCursor(paging.reason));
      const result = await context.ports.customerBookings(scope, customerId, paging.page);
      // Nothing on the first page: the customer is unknown here (or another tenant's, or out of the centres).
      if (paging.page.after === null && result.items.length === 0) {
        return replyProblem(reply, notFound('no booking of this customer in your scope'));
      }
      return responsePage(result, fingerprint, customerBookingView);
    },
  );
}
