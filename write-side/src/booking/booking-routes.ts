import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ActorRole } from '@pti/events';
import {
  CancellationReason,
  CentreId,
  ControlType,
  EntityId,
  Fuel,
  InspectionResult,
  LocalDateTime,
  Postcode,
  VehicleCategory,
} from '@pti/events';
import { AuthenticationError, assertCan, requirePermission } from '@pti/platform';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CustomerInput } from '../domain/booking/customer.js';
import { requireManageToken } from '../domain/booking/manage-token.js';
import { DomainError } from '../domain/shared/domain-error.js';
import { CommandHeaders, runCommand, staffActor, type WriteSideRouteDeps } from '../http/command-request.js';
import { problemResponses } from '../http/problem.js';
import {
  BookingParams,
  BookingResponse,
  CentreParams,
  COMMAND_BODY_LIMIT,
  closed,
  staffSecurity,
} from '../http/schemas.js';
import { staffCommandRoute } from '../http/staff-command-route.js';
import type { WriteSideContext } from '../write-side-context.js';
import { checkInBooking, recordNoShow, recordResult } from './booking-lifecycle.js';
import { locateBooking } from './booking-loading.js';
import { type BookingView, bookingActorOf } from './booking-support.js';
import { cancelBooking } from './cancel-booking.js';
import { confirmBooking } from './confirm-booking.js';
import { type HoldSlotInput, holdSlot, releaseOwnHold } from './hold-slot.js';
import { type PlaceBookingInput, type PlacedBooking, placeBooking } from './place-booking.js';
import { rescheduleBooking } from './reschedule-booking.js';

/**
 * Booking routes. Public ones act in the tenant of the centre (place) or of the booking (manage
 * link); staff ones need a bearer token whose role holds the permission for the booking's centre
 * (another tenant's booking answers 404).
 *
 * | route                                              | permission                                 |
 * | -------------------------------------------------- | ------------------------------------------ |
 * | POST /api/v1/holds                                 | public (answers a hold token)              |
 * | POST /api/v1/holds/{holdId}/release                | public (hold token)                        |
 * | POST /api/v1/bookings                              | public (with `hold`: its hold token)       |
 * | POST /api/v1/bookings/{bookingId}/confirm          | manage token in the body, or staff with booking.manage_on_behalf |
 * | POST /api/v1/manage/{token}/cancel                 | public (manage token)                      |
 * | POST /api/v1/manage/{token}/reschedule             | public (manage token)                      |
 * | POST /api/v1/centres/{centreId}/bookings           | booking.place_on_behalf                    |
 * | POST /api/v1/bookings/{bookingId}/cancel           | booking.manage_on_behalf                   |
 * | POST /api/v1/bookings/{bookingId}/reschedule       | booking.manage_on_behalf (both centres)    |
 * | POST /api/v1/bookings/{bookingId}/check-in         | booking.check_in                           |
 * | POST /api/v1/bookings/{bookingId}/result           | booking.record_result                      |
 * | POST /api/v1/bookings/{bookingId}/no-show          | booking.record_no_show                     |
 */

const Address = Type.Object(
  {
    street: Type.String({ minLength: 1, maxLength: 200 }),
    postcode: Postcode,
    city: Type.String({ minLength: 1, maxLength: 100 }),
  },
  closed,
);
const contactFields = {
  name: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'The person’s name (company: the contact)',
  }),
  email: Type.String({ minLength: 3, maxLength: 254 }),
  phone: Type.String({
    minLength: 1,
    maxLength: 40,
    description: 'French numbers in any usual spelling, others with +',
  }),
  address: Type.Optional(Type.Union([Address, Type.Null()])),
};
const Customer = Type.Union([
  Type.Object({ kind: Type.Literal('private'), ...contactFields }, closed),
  Type.Object(
    {
      kind: Type.Literal('company'),
      ...contactFields,
      siret: Type.String({ minLength: 14, maxLength: 20, description: '14 digits, spaces allowed' }),
      companyName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    },
    closed,
  ),
]);
const Vehicle = Type.Object(
  {
    plate: Type.String({
      minLength: 1,
      maxLength: 20,
      description: 'SIV AA-123-AA or FNI 123-ABC-75, any spacing',
    }),
    category: VehicleCategory,
    fuel: Fuel,
  },
  closed,
);
const appointment = {
  start: LocalDateTime,
  controlType: ControlType,
  vehicle: Vehicle,
  customer: Customer,
  inspectorId: Type.Optional(Type.Union([EntityId, Type.Null()])),
  previousBookingReference: Type.Optional(
    Type.Union([Type.String({ minLength: 1, maxLength: 20 }), Type.Null()], {
      description: 'Reference of the control a contre-visite follows (free within the centre’s window)',
    }),
  ),
};
const HoldToken = Type.String({
  minLength: 1,
  maxLength: 600,
  description: 'The token POST /api/v1/holds answered',
});
const HoldClaimBody = Type.Object(
  {
    id: EntityId,
    token: HoldToken,
  },
  { ...closed, description: 'A hold taken before the form (POST /api/v1/holds): the booking takes it' },
);
const PlaceBody = Type.Object(
  {
    centreId: CentreId,
    ...appointment,
    channel: Type.Union([Type.Literal('web'), Type.Literal('mobile')]),
    paymentMode: Type.Union([Type.Literal('online'), Type.Literal('on_site')]),
    hold: Type.Optional(Type.Union([HoldClaimBody, Type.Null()])),
  },
  closed,
);
const HoldBody = Type.Object(
  {
    centreId: CentreId,
    start: LocalDateTime,
    controlType: ControlType,
    vehicle: Type.Object({ category: VehicleCategory, fuel: Fuel }, closed),
    inspectorId: Type.Optional(Type.Union([EntityId, Type.Null()])),
  },
  closed,
);
const HoldResponse = Type.Object({
  holdId: Type.String({ description: 'The hold (reservation) id, to send back with the booking' }),
  bookingId: Type.String({ description: 'The id the booking placed on this hold will have' }),
  holdToken: Type.String({ description: 'Proof of ownership: required to book on the hold or release it' }),
  centreId: Type.String(),
  start: Type.String({ description: 'Local YYYY-MM-DDTHH:MM' }),
  end: Type.String(),
  durationMinutes: Type.Integer(),
  inspectorId: Type.Union([Type.String(), Type.Null()]),
  overbooked: Type.Boolean(),
  listPriceCents: Type.Integer({ description: 'List price; a contre-visite may turn out free' }),
  holdExpiresAt: Type.String({ description: 'Book (and pay) before this instant or the hold is released' }),
});
const HoldParams = Type.Object({ holdId: EntityId }, closed);
const ReleaseHoldBody = Type.Object(
  {
    token: HoldToken,
    centreId: CentreId,
    start: LocalDateTime,
  },
  closed,
);
const ReleasedHoldResponse = Type.Object({ holdId: Type.String(), status: Type.Literal('released') });
const PlaceOnBehalfBody = Type.Object(
  {
    ...appointment,
    channel: Type.Optional(Type.Union([Type.Literal('call_centre'), Type.Literal('backoffice')])),
    paymentMode: Type.Optional(Type.Union([Type.Literal('online'), Type.Literal('on_site')])),
  },
  closed,
);
const PlacedResponse = Type.Object({
  bookingId: Type.String(),
  reference: Type.String({ description: 'Short human reference, e.g. K7M4-QX2P' }),
  manageToken: Type.String({ description: 'Bearer token of the manage-my-booking link' }),
  centreId: Type.String(),
  start: Type.String({ description: 'Local YYYY-MM-DDTHH:MM' }),
  end: Type.String(),
  inspectorId: Type.Union([Type.String(), Type.Null()]),
  overbooked: Type.Boolean(),
  priceCents: Type.Integer(),
  holdExpiresAt: Type.String({ description: 'Confirm before this instant or the booking expires' }),
  status: Type.String(),
});
const ConfirmBody = Type.Object(
  {
    paymentMode: Type.Optional(Type.Literal('on_site')),
    manageToken: Type.Optional(Type.String({ minLength: 1, maxLength: 600 })),
  },
  closed,
);
const CancelBody = Type.Object(
  {
    reason: CancellationReason,
    comment: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
  },
  closed,
);
const ManageCancelBody = Type.Object(
  { comment: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])) },
  closed,
);
const RescheduleBody = Type.Object(
  {
    centreId: Type.Optional(Type.Union([CentreId, Type.Null()], { description: 'absent: the same centre' })),
    start: LocalDateTime,
    inspectorId: Type.Optional(Type.Union([EntityId, Type.Null()])),
  },
  closed,
);
const CheckInBody = Type.Object({ inspectorId: Type.Optional(Type.Union([EntityId, Type.Null()])) }, closed);
const ResultBody = Type.Object(
  { result: InspectionResult, inspectorId: Type.Optional(Type.Union([EntityId, Type.Null()])) },
  closed,
);
const EmptyBody = Type.Object({}, closed);
const ManageParams = Type.Object(
  { token: Type.String({ pattern: '^[A-Za-z0-9_-]{1,300}\\.[A-Za-z0-9_-]{1,100}$' }) },
  closed,
);

type AppointmentBody = Static<typeof PlaceOnBehalfBody>;

/** The booking's customer as the domain takes it (a company's contact is the `name` sent). */
function customerInput(customer: AppointmentBody['customer']): CustomerInput {
  if (customer.kind === 'private') return customer;
  const { companyName, name, ...rest } = customer;
  return { ...rest, name: companyName ?? name, contactName: companyName === undefined ? null : name };
}

function placedResponse(placed: PlacedBooking) {
  return {
    bookingId: placed.bookingId,
    reference: placed.reference,
    manageToken: placed.manageToken,
    centreId: placed.centreId,
    start: placed.start,
    end: placed.end,
    inspectorId: placed.inspectorId,
    overbooked: placed.overbooked,
    priceCents: placed.priceCents,
    holdExpiresAt: placed.holdExpiresAt,
    status: placed.status,
  };
}

function viewResponse(
  view: BookingView &
    Partial<Record<'inspectorId' | 'refundEligible' | 'result' | 'contreVisiteDueBy', unknown>>,
) {
  const { reservationId: _reservationId, ...rest } = view;
  return rest as Static<typeof BookingResponse>;
}

function customerRole(kind: 'private' | 'company'): ActorRole {
  return kind === 'company' ? 'client_pro' : 'motorist';
}

/** The booking a manage token opens, with its tenant and customer; 422/404 otherwise. */
async function manageTarget(ctx: WriteSideContext, token: string) {
  const bookingId = requireManageToken(token, ctx.secrets.manageTokenSecrets, ctx.env.now());
  const location = await locateBooking(ctx, bookingId);
  if (location === undefined) {
    throw new DomainError('BOOKING_NOT_FOUND', 'the booking does not exist', { reason: 'BOOKING_NOT_FOUND' });
  }
  return { bookingId, ...location };
}

export async function bookingRoutes(app: FastifyInstance, deps: WriteSideRouteDeps): Promise<void> {
  const ctx = deps.writeSide;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const bookingScope = async (request: FastifyRequest) => {
    const { bookingId } = request.params as { bookingId: string };
    const location = await locateBooking(ctx, bookingId);
    return location === undefined ? undefined : { tenantId: location.tenantId, centreId: location.centreId };
  };
  const centreScope = async (request: FastifyRequest) => {
    const { centreId } = request.params as { centreId: string };
    const tenantId = await ctx.centres.tenantOf(centreId);
    return tenantId === undefined ? undefined : { tenantId, centreId };
  };
  const tenantOfCentre = async (centreId: string) => {
    const tenantId = await ctx.centres.tenantOf(centreId);
    if (tenantId === undefined) {
      throw new DomainError('CENTRE_NOT_REGISTERED', `centre ${centreId} is not registered`, { centreId });
    }
    return tenantId;
  };
  const staff = (request: FastifyRequest) => {
    if (request.principal === null) throw new Error('guarded route without principal');
    return request.principal;
  };

  typed.post(
    '/api/v1/holds',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      schema: {
        tags: ['bookings'],
        summary: 'Hold a slot before the booking form (public): held until holdExpiresAt',
        description:
          'Picking a slot holds it for the centre’s hold minutes (15). POST /api/v1/bookings with ' +
          '`hold: {id: holdId, token: holdToken}` turns it into the booking, keeping the reservation and ' +
          'its expiry. A hold never booked is released at its expiry.',
        headers: CommandHeaders,
        body: HoldBody,
        response: { 201: HoldResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const tenantId = await tenantOfCentre(request.body.centreId);
      const input: HoldSlotInput = request.body;
      return runCommand(deps, request, reply, {
        tenantId,
        actor:
          request.principal && request.principal.tenantId === tenantId
            ? staffActor(request.principal)
            : { id: 'anonymous', role: 'motorist' },
        status: 201,
        run: async (meta) => ({ ...(await holdSlot(ctx, input, meta)) }),
      });
    },
  );

  typed.post(
    '/api/v1/holds/:holdId/release',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      schema: {
        tags: ['bookings'],
        summary: 'Let go of a hold not yet booked (public, hold token): the slot is free again at once',
        headers: CommandHeaders,
        params: HoldParams,
        body: ReleaseHoldBody,
        response: { 200: ReleasedHoldResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { token, centreId, start } = request.body;
      const tenantId = await tenantOfCentre(centreId);
      return runCommand(deps, request, reply, {
        tenantId,
        actor: { id: 'anonymous', role: 'motorist' },
        status: 200,
        run: async (meta) => ({
          ...(await releaseOwnHold(
            ctx,
            { holdId: request.params.holdId, holdToken: token, centreId, start },
            meta,
          )),
        }),
      });
    },
  );

  typed.post(
    '/api/v1/bookings',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      schema: {
        tags: ['bookings'],
        summary:
          'Book a control (public): holds the slot until holdExpiresAt, or takes a hold from POST /api/v1/holds',
        headers: CommandHeaders,
        body: PlaceBody,
        response: { 201: PlacedResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { centreId, customer, ...rest } = request.body;
      const tenantId = await tenantOfCentre(centreId);
      const input: PlaceBookingInput = { centreId, ...rest, customer: customerInput(customer) };
      return runCommand(deps, request, reply, {
        tenantId,
        actor:
          request.principal && request.principal.tenantId === tenantId
            ? staffActor(request.principal)
            : { id: 'anonymous', role: customerRole(customer.kind) },
        status: 201,
        run: async (meta) => placedResponse(await placeBooking(ctx, input, meta)),
      });
    },
  );

  typed.post(
    '/api/v1/centres/:centreId/bookings',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      onRequest: requirePermission('booking.place_on_behalf', {
        scope: centreScope,
        notFoundOutOfTenant: true,
      }),
      schema: {
        tags: ['bookings'],
        summary: 'Book on a customer’s behalf (call centre, counter)',
        security: staffSecurity,
        headers: CommandHeaders,
        params: CentreParams,
        body: PlaceOnBehalfBody,
        response: { 201: PlacedResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = staff(request);
      const { customer, channel, paymentMode, ...rest } = request.body;
      const input: PlaceBookingInput = {
        centreId: request.params.centreId,
        ...rest,
        customer: customerInput(customer),
        channel: channel ?? (principal.role === 'call_centre' ? 'call_centre' : 'backoffice'),
        paymentMode: paymentMode ?? 'on_site',
      };
      return runCommand(deps, request, reply, {
        tenantId: principal.tenantId,
        actor: staffActor(principal),
        status: 201,
        run: async (meta) => placedResponse(await placeBooking(ctx, input, meta)),
      });
    },
  );

  typed.post(
    '/api/v1/bookings/:bookingId/confirm',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      schema: {
        tags: ['bookings'],
        summary: 'Confirm with payment on site: with the booking’s manage token, or as staff',
        headers: CommandHeaders,
        params: BookingParams,
        body: ConfirmBody,
        response: { 200: BookingResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { bookingId } = request.params;
      const location = await locateBooking(ctx, bookingId);
      const principal = request.principal;
      let actor: { id: string; role: ActorRole };
      let tenantId: string;
      if (request.body.manageToken !== undefined) {
        // The link holder acts as the customer; a token for another booking is refused.
        requireManageToken(
          request.body.manageToken,
          ctx.secrets.manageTokenSecrets,
          ctx.env.now(),
          bookingId,
        );
        if (location === undefined) {
          throw new DomainError('BOOKING_NOT_FOUND', 'the booking does not exist', {
            reason: 'BOOKING_NOT_FOUND',
          });
        }
        actor = { id: location.customerId, role: customerRole(location.customerKind) };
        tenantId = location.tenantId;
      } else if (principal !== null && principal.role !== 'motorist' && principal.role !== 'client_pro') {
        if (location === undefined) {
          assertCan(principal, 'booking.manage_on_behalf');
          throw new DomainError('BOOKING_NOT_FOUND', 'the booking does not exist', {
            reason: 'BOOKING_NOT_FOUND',
          });
        }
        assertCan(principal, 'booking.manage_on_behalf', {
          tenantId: location.tenantId,
          centreId: location.centreId,
        });
        actor = staffActor(principal);
        tenantId = principal.tenantId;
      } else {
        throw (
          request.authFailure ??
          new AuthenticationError('TOKEN_MISSING', 'send the booking’s manageToken, or a staff bearer token')
        );
      }
      return runCommand(deps, request, reply, {
        tenantId,
        actor,
        status: 200,
        run: async (meta) =>
          viewResponse(await confirmBooking(ctx, { bookingId, paymentMode: 'on_site' }, meta)),
      });
    },
  );

  typed.post(
    '/api/v1/manage/:token/cancel',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      schema: {
        tags: ['manage'],
        summary: 'Cancel with the manage link, before the centre’s cut-off',
        headers: CommandHeaders,
        params: ManageParams,
        body: ManageCancelBody,
        response: { 200: BookingResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const target = await manageTarget(ctx, request.params.token);
      return runCommand(deps, request, reply, {
        tenantId: target.tenantId,
        actor: { id: target.customerId, role: customerRole(target.customerKind) },
        status: 200,
        run: async (meta) =>
          viewResponse(
            await cancelBooking(
              ctx,
              {
                bookingId: target.bookingId,
                by: 'customer',
                reason: 'customer_request',
                comment: request.body.comment ?? null,
              },
              meta,
            ),
          ),
      });
    },
  );

  typed.post(
    '/api/v1/manage/:token/reschedule',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      schema: {
        tags: ['manage'],
        summary: 'Move the booking with the manage link, before the centre’s cut-off',
        headers: CommandHeaders,
        params: ManageParams,
        body: RescheduleBody,
        response: { 200: BookingResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const target = await manageTarget(ctx, request.params.token);
      return runCommand(deps, request, reply, {
        tenantId: target.tenantId,
        actor: { id: target.customerId, role: customerRole(target.customerKind) },
        status: 200,
        run: async (meta) =>
          viewResponse(
            await rescheduleBooking(
              ctx,
              { bookingId: target.bookingId, ...request.body, by: 'customer' },
              meta,
            ),
          ),
      });
    },
  );

  staffCommandRoute(app, deps, {
    method: 'POST',
    url: '/api/v1/bookings/:bookingId/cancel',
    permission: 'booking.manage_on_behalf',
    scope: bookingScope,
    tag: 'bookings',
    summary: 'Cancel on the customer’s behalf, at any time, with a reason',
    params: BookingParams,
    body: CancelBody,
    response: BookingResponse,
    run: async ({ params, body, principal }, meta) =>
      viewResponse(
        await cancelBooking(
          ctx,
          {
            bookingId: params.bookingId,
            by: bookingActorOf(principal.role),
            reason: body.reason,
            comment: body.comment ?? null,
          },
          meta,
        ),
      ),
  });

  typed.post(
    '/api/v1/bookings/:bookingId/reschedule',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      onRequest: requirePermission('booking.manage_on_behalf', {
        scope: bookingScope,
        notFoundOutOfTenant: true,
      }),
      schema: {
        tags: ['bookings'],
        summary: 'Move a booking to another start, day or centre on the customer’s behalf',
        security: staffSecurity,
        headers: CommandHeaders,
        params: BookingParams,
        body: RescheduleBody,
        response: { 200: BookingResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = staff(request);
      const target = request.body.centreId;
      if (target !== undefined && target !== null) {
        // The new centre must be in the caller's scope too.
        const tenantId = await ctx.centres.tenantOf(target);
        if (tenantId !== undefined)
          assertCan(principal, 'booking.manage_on_behalf', { tenantId, centreId: target });
      }
      return runCommand(deps, request, reply, {
        tenantId: principal.tenantId,
        actor: staffActor(principal),
        status: 200,
        run: async (meta) =>
          viewResponse(
            await rescheduleBooking(
              ctx,
              { bookingId: request.params.bookingId, ...request.body, by: bookingActorOf(principal.role) },
              meta,
            ),
          ),
      });
    },
  );

  // Staff commands on one booking: the same guard, headers, answers and tenant (staffCommandRoute).
  const onBooking = {
    method: 'POST',
    scope: bookingScope,
    tag: 'bookings',
    params: BookingParams,
    response: BookingResponse,
  } as const;

  staffCommandRoute(app, deps, {
    ...onBooking,
    url: '/api/v1/bookings/:bookingId/check-in',
    permission: 'booking.check_in',
    summary: 'The vehicle arrived (on the appointment’s day)',
    body: CheckInBody,
    run: async ({ params, body }, meta) =>
      viewResponse(await checkInBooking(ctx, { bookingId: params.bookingId, ...body }, meta)),
  });

  staffCommandRoute(app, deps, {
    ...onBooking,
    url: '/api/v1/bookings/:bookingId/result',
    permission: 'booking.record_result',
    summary: 'Record the inspection result A/S/R',
    body: ResultBody,
    run: async ({ params, body }, meta) =>
      viewResponse(await recordResult(ctx, { bookingId: params.bookingId, ...body }, meta)),
  });

  staffCommandRoute(app, deps, {
    ...onBooking,
    url: '/api/v1/bookings/:bookingId/no-show',
    permission: 'booking.record_no_show',
    summary: 'The customer did not come (after the start); frees the reservation',
    body: EmptyBody,
    run: async ({ params }, meta) =>
      viewResponse(await recordNoShow(ctx, { bookingId: params.bookingId }, meta)),
  });
}
