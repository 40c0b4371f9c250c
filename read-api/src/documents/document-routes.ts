import { Type } from '@sinclair/typebox';
import type { ReadApiApp, RouteContext } from '../app/route-context.js';
import {
  lookupRouteConfig,
  OwnerProofQuerystring,
  ReferenceParams,
  resolveOwnedBooking,
} from '../bookings/booking-lookup-routes.js';
import { neverStore } from '../http/cache-control.js';
import { COMMON_PROBLEMS, replyProblem } from '../http/problem.js';
import { bookingCalendarFile, calendarMethod } from './booking-calendar-file.js';
import { bookingConfirmationPdf } from './booking-confirmation-pdf.js';

/** Public, owner-checked: the booking's calendar file and printable confirmation. */

export function registerDocumentRoutes(app: ReadApiApp, context: RouteContext): void {
  app.get(
    '/bookings/:reference/calendar.ics',
    {
      config: lookupRouteConfig(context),
      schema: {
        operationId: 'getBookingCalendarFile',
        tags: ['documents'],
        summary: 'The booking as an iCalendar file (RFC 5545)',
        description:
          'Stable UID per booking; SEQUENCE grows with each reschedule and the cancellation, which comes as METHOD:CANCEL.',
        params: ReferenceParams,
        querystring: OwnerProofQuerystring,
        response: {
          200: {
            description: 'iCalendar file',
            content: { 'text/calendar': { schema: Type.String() } },
          },
          ...COMMON_PROBLEMS,
        },
      },
    },
    async (request, reply) => {
      neverStore(reply);
      const resolved = await resolveOwnedBooking(context, request.params.reference, request.query);
      if (!resolved.ok) return replyProblem(reply, resolved.problem);
      const { booking } = resolved;
      return reply
        .type(`text/calendar; charset=utf-8; method=${calendarMethod(booking.status)}`)
        .header('content-disposition', `attachment; filename="rendez-vous-${booking.reference}.ics"`)
        .send(bookingCalendarFile(booking, context.documents));
    },
  );

  app.get(
    '/bookings/:reference/confirmation.pdf',
    {
      config: lookupRouteConfig(context),
      schema: {
        operationId: 'getBookingConfirmationPdf',
        tags: ['documents'],
        summary: 'The printable confirmation of the booking (PDF, French), with a QR code of its reference',
        params: ReferenceParams,
        querystring: OwnerProofQuerystring,
        response: {
          200: {
            description: 'PDF document',
            content: {
              'application/pdf': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) },
            },
          },
          ...COMMON_PROBLEMS,
        },
      },
    },
    async (request, reply) => {
      neverStore(reply);
      const resolved = await resolveOwnedBooking(context, request.params.reference, request.query);
      if (!resolved.ok) return replyProblem(reply, resolved.problem);
      const { booking } = resolved;
      const pdf = await bookingConfirmationPdf(booking, context.documents);
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="confirmation-${booking.reference}.pdf"`)
        .send(pdf);
    },
  );
}
