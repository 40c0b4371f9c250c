import { requireRole } from '@pti/platform';
import { Type } from '@sinclair/typebox';
import type { ReadApiApp, RouteContext } from '../app/route-context.js';
import { neverStore } from '../http/cache-control.js';
import { invalidCursor, replyProblem, STAFF_PROBLEMS } from '../http/problem.js';
import { callerOf } from '../http/staff-auth.js';
import {
  PaginationQuery,
  pageOf,
  pageRequest,
  queryFingerprint,
  responsePage,
} from '../pagination/cursor.js';
import { CustomerBookingView, customerBookingView } from '../staff/customer-history-routes.js';

/**
 * A fleet manager's bookings (role `client_pro`, the booking PWA's fleet page): every booking they
 * placed while signed in, newest appointment first, keyset-paginated. Tokens carry no company, so
 * the bookings are those whose placing actor is the caller (the token's subject), in its tenant.
 */
export function registerFleetBookingsRoutes(app: ReadApiApp, context: RouteContext): void {
  app.get(
    '/pro/bookings',
    {
      preHandler: requireRole('client_pro'),
      schema: {
        operationId: 'listFleetBookings',
        tags: ['pro'],
        summary: 'The bookings a fleet manager placed, newest appointment first',
        security: [{ bearerAuth: [] }],
        querystring: Type.Object(PaginationQuery, { additionalProperties: false }),
        response: { 200: pageOf(CustomerBookingView), ...STAFF_PROBLEMS },
      },
    },
    async (request, reply) => {
      neverStore(reply);
      const principal = callerOf(request);
      const scope = { tenantId: principal.tenantId, centreIds: 'all' as const };
      // The caller is part of the fingerprint: a cursor never serves another fleet manager.
      const fingerprint = queryFingerprint({ route: 'fleet-bookings', subject: principal.subject, scope });
      const paging = pageRequest(request.query, fingerprint);
      if (!paging.ok) return replyProblem(reply, invalidCursor(paging.reason));
      const result = await context.ports.fleetBookings(scope, principal.subject, paging.page);
      return responsePage(result, fingerprint, customerBookingView);
    },
  );
}
