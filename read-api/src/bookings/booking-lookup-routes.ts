import { parseBookingReference, verifyManageToken } from '@pti/write-side/domain';
import { Type } from '@sinclair/typebox';
import type { FastifyContextConfig } from 'fastify';
import type { ReadApiApp, RouteContext } from '../app/route-context.js';
import { neverStore } from '../http/cache-control.js';
import {
  type ApiProblem,
  COMMON_PROBLEMS,
  invalidRequest,
  problem,
  problemResponse,
  replyProblem,
} from '../http/problem.js';
import type { BookingRecord } from '../ports/read-models.js';
import { hasProof, type OwnerProof, OwnerProofQuery, ownedBooking } from './owner-proof.js';
import { PublicBookingView, publicBookingView } from './public-booking-view.js';

/** Public: a booking for its owner, by reference plus e-mail or plate, or by manage token. */

export const bookingNotFound = (): ApiProblem =>
  problem(404, 'BOOKING_NOT_FOUND', 'no booking matches this reference and proof');

export const ReferenceParams = Type.Object({
  reference: Type.String({
    minLength: 8,
    maxLength: 20,
    description: 'Booking reference as printed (`K7M4-QX2P`); case and separators are ignored',
  }),
});

export const OwnerProofQuerystring = Type.Object(OwnerProofQuery, { additionalProperties: false });

/**
 * The booking a reference and proof designate, or the problem to answer: 400 for a malformed
 * reference or no proof at all, 404 `BOOKING_NOT_FOUND` for anything else (unknown reference and
 * wrong proof are indistinguishable).
 */
export async function resolveOwnedBooking(
  context: RouteContext,
  rawReference: string,
  proof: OwnerProof,
): Promise<{ ok: true; booking: BookingRecord } | { ok: false; problem: ApiProblem }> {
  const reference = parseBookingReference(rawReference);
  if (reference === undefined) {
    return {
      ok: false,
      problem: invalidRequest([{ path: '/params/reference', message: 'is not a booking reference' }]),
    };
  }
  if (!hasProof(proof)) {
    return {
      ok: false,
      problem: invalidRequest([
        { path: '/querystring', message: 'give the e-mail or the plate of the booking' },
      ]),
    };
  }
  const booking = ownedBooking(await context.ports.bookingsByReference(reference), proof);
  return booking === null ? { ok: false, problem: bookingNotFound() } : { ok: true, booking };
}

/** Route config putting the lookups in their own, tighter rate-limit bucket (guessing defence). */
export function lookupRouteConfig(context: RouteContext): FastifyContextConfig {
  return context.lookupRateLimit === false ? {} : { rateLimit: context.lookupRateLimit };
}

const ManageTokenQuerystring = Type.Object(
  {
    token: Type.String({
      minLength: 3,
      maxLength: 512,
      pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
      description: 'The token of the "manage my booking" link',
    }),
  },
  { additionalProperties: false },
);

export function registerBookingLookupRoutes(app: ReadApiApp, context: RouteContext): void {
  app.get(
    '/bookings/by-manage-token',
    {
      config: lookupRouteConfig(context),
      schema: {
        operationId: 'getBookingByManageToken',
        tags: ['bookings'],
        summary: 'The booking of a "manage my booking" link',
        description:
          'The token travels as a query parameter rather than in the path so that it stays out of path-based routing and logs.',
        querystring: ManageTokenQuerystring,
        response: {
          200: PublicBookingView,
          410: problemResponse('The manage link has expired'),
          ...COMMON_PROBLEMS,
        },
      },
    },
    async (request, reply) => {
      neverStore(reply);
      // Verified before any read: a forged token costs no query.
      const verification = verifyManageToken(request.query.token, context.manageTokenSecrets, context.now());
      if (!verification.ok) {
        return replyProblem(
          reply,
          verification.reason === 'expired'
            ? problem(
                410,
                'MANAGE_LINK_EXPIRED',
                'this link has expired; look the booking up with its reference',
              )
            : bookingNotFound(),
        );
      }
      const booking = await context.ports.bookingById(verification.bookingId);
      if (booking === null) return replyProblem(reply, bookingNotFound());
      return publicBookingView(booking);
    },
  );

  app.get(
    '/bookings/:reference',
    {
      config: lookupRouteConfig(context),
      schema: {
        operationId: 'lookupBooking',
        tags: ['bookings'],
        summary: 'A booking by its reference and the e-mail or plate it was made with',
        params: ReferenceParams,
        querystring: OwnerProofQuerystring,
        response: { 200: PublicBookingView, ...COMMON_PROBLEMS },
      },
    },
    async (request, reply) => {
      neverStore(reply);
      const resolved = await resolveOwnedBooking(context, request.params.reference, request.query);
      if (!resolved.ok) return replyProblem(reply, resolved.problem);
      return publicBookingView(resolved.booking);
    },
  );
}
