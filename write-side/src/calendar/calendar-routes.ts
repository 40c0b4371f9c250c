import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CentreId,
  Channel,
  ControlType,
  EntityId,
  Fuel,
  Label,
  LocalDate,
  LocalTime,
  ReassignmentReason,
  VehicleCategory,
} from '@pti/events';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/shared/domain-error.js';
import { CommandHeaders, runCommand, staffActor, type WriteSideRouteDeps } from '../http/command-request.js';
import { problemResponses } from '../http/problem.js';
import {
  CalendarCommandResponse,
  COMMAND_BODY_LIMIT,
  closed,
  DayParams,
  OptionalId,
} from '../http/schemas.js';
import { staffCommandRoute } from '../http/staff-command-route.js';
import {
  blockPeriod,
  joinWaitlist,
  leaveWaitlist,
  reassignInspector,
  unblockPeriod,
} from './calendar-operations.js';
import { requireWaitlistToken } from './waitlist-token.js';

/**
 * A centre's day: staff blocks and reassignments, and the waitlist.
 *
 * | route                                                                            | permission             |
 * | -------------------------------------------------------------------------------- | ---------------------- |
 * | POST   /api/v1/centres/{centreId}/days/{date}/blocks                             | calendar.block_period  |
 * | DELETE /api/v1/centres/{centreId}/days/{date}/blocks/{blockId}                   | calendar.block_period  |
 * | POST   /api/v1/centres/{centreId}/days/{date}/reservations/{reservationId}/reassign | calendar.block_period |
 * | POST   /api/v1/centres/{centreId}/days/{date}/waitlist                           | public                 |
 * | POST   /api/v1/centres/{centreId}/days/{date}/waitlist/{entryId}/leave           | public (leave token)   |
 * | DELETE /api/v1/centres/{centreId}/days/{date}/waitlist/{entryId}                 | booking.manage_on_behalf |
 */

const BlockBody = Type.Object(
  {
    blockId: OptionalId('generated when absent'),
    from: LocalTime,
    to: LocalTime,
    inspectorId: Type.Optional(
      Type.Union([EntityId, Type.Null()], { description: 'absent or null: the whole centre' }),
    ),
    label: Label,
  },
  closed,
);
const ReassignBody = Type.Object(
  {
    toInspectorId: Type.Optional(
      Type.Union([EntityId, Type.Null()], {
        description: 'absent or null: the free inspector balancing the day',
      }),
    ),
    reason: ReassignmentReason,
  },
  closed,
);
const JoinBody = Type.Object(
  {
    contact: Type.Object(
      {
        email: Type.String({ minLength: 3, maxLength: 254 }),
        phone: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 40 }), Type.Null()])),
      },
      closed,
    ),
    controlType: ControlType,
    vehicle: Type.Object({ category: VehicleCategory, fuel: Fuel }, closed),
    earliestStart: LocalTime,
    latestStart: LocalTime,
    channel: Type.Optional(Channel),
  },
  closed,
);
const EmptyBody = Type.Object({}, { ...closed, description: 'No fields (the body may be omitted)' });
const LeaveBody = Type.Object({ leaveToken: Type.String({ minLength: 1, maxLength: 600 }) }, closed);
const BlockParams = Type.Object({ centreId: CentreId, date: LocalDate, blockId: EntityId }, closed);
const ReservationParams = Type.Object(
  { centreId: CentreId, date: LocalDate, reservationId: EntityId },
  closed,
);
const EntryParams = Type.Object({ centreId: CentreId, date: LocalDate, entryId: EntityId }, closed);
const JoinedResponse = Type.Object({
  centreId: Type.String(),
  date: Type.String(),
  revision: Type.Integer(),
  entryId: Type.String(),
  leaveToken: Type.String({ description: 'Send it back to leave the waitlist' }),
});

export async function calendarRoutes(app: FastifyInstance, deps: WriteSideRouteDeps): Promise<void> {
  const ctx = deps.writeSide;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const centreScope = async (request: FastifyRequest) => {
    const { centreId } = request.params as { centreId: string };
    const tenantId = await ctx.centres.tenantOf(centreId);
    return tenantId === undefined ? undefined : { tenantId, centreId };
  };
  /** Public routes act in the tenant of the centre they name. */
  const tenantOfCentre = async (centreId: string): Promise<string> => {
    const tenantId = await ctx.centres.tenantOf(centreId);
    if (tenantId === undefined) {
      throw new DomainError('CENTRE_NOT_REGISTERED', `centre ${centreId} is not registered`, { centreId });
    }
    return tenantId;
  };

  // Staff commands on a centre's day: the same guard, headers, answers and tenant (staffCommandRoute).
  const onDay = { scope: centreScope, tag: 'calendar', response: CalendarCommandResponse } as const;

  staffCommandRoute(app, deps, {
    ...onDay,
    method: 'POST',
    url: '/api/v1/centres/:centreId/days/:date/blocks',
    permission: 'calendar.block_period',
    summary: 'Block a period of the day, for the whole centre or one inspector',
    params: DayParams,
    body: BlockBody,
    status: 201,
    run: async ({ params, body }, meta) => {
      const { inspectorId, ...rest } = body;
      const result = await blockPeriod(ctx, { ...params, ...rest, inspectorId: inspectorId ?? null }, meta);
      return {
        centreId: result.centreId,
        date: result.date,
        revision: Number(result.revision),
        blockId: result.blockId,
      };
    },
  });

  staffCommandRoute(app, deps, {
    ...onDay,
    method: 'DELETE',
    url: '/api/v1/centres/:centreId/days/:date/blocks/:blockId',
    permission: 'calendar.block_period',
    summary: 'Lift a blocked period (the time goes to overbooked reservations, then the waitlist)',
    params: BlockParams,
    body: EmptyBody,
    run: async ({ params }, meta) => {
      const result = await unblockPeriod(ctx, params, meta);
      return { centreId: result.centreId, date: result.date, revision: Number(result.revision) };
    },
  });

  staffCommandRoute(app, deps, {
    ...onDay,
    method: 'POST',
    url: '/api/v1/centres/:centreId/days/:date/reservations/:reservationId/reassign',
    permission: 'calendar.block_period',
    summary: 'Move a reservation to another inspector, or give an overbooked one its inspector',
    params: ReservationParams,
    body: ReassignBody,
    run: async ({ params, body }, meta) => {
      const result = await reassignInspector(
        ctx,
        { ...params, toInspectorId: body.toInspectorId ?? null, reason: body.reason },
        meta,
      );
      return {
        centreId: result.centreId,
        date: result.date,
        revision: Number(result.revision),
        reservationId: result.reservationId,
        inspectorId: result.inspectorId,
      };
    },
  });

  typed.post(
    '/api/v1/centres/:centreId/days/:date/waitlist',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      schema: {
        tags: ['calendar'],
        summary: 'Wait for a slot on a full day (public)',
        headers: CommandHeaders,
        params: DayParams,
        body: JoinBody,
        response: { 201: JoinedResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const tenantId = await tenantOfCentre(request.params.centreId);
      return runCommand(deps, request, reply, {
        tenantId,
        actor: request.principal ? staffActor(request.principal) : { id: 'anonymous', role: 'motorist' },
        status: 201,
        run: async (meta) => {
          const result = await joinWaitlist(
            ctx,
            { ...request.params, ...request.body, channel: request.body.channel ?? 'web' },
            meta,
          );
          return {
            centreId: result.centreId,
            date: result.date,
            revision: Number(result.revision),
            entryId: result.entryId,
            leaveToken: result.leaveToken,
          };
        },
      });
    },
  );

  typed.post(
    '/api/v1/centres/:centreId/days/:date/waitlist/:entryId/leave',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      schema: {
        tags: ['calendar'],
        summary: 'Leave a waitlist with the token received on joining (public)',
        headers: CommandHeaders,
        params: EntryParams,
        body: LeaveBody,
        response: { 200: CalendarCommandResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      requireWaitlistToken(ctx.secrets, request.body.leaveToken, ctx.env.now(), request.params.entryId);
      const tenantId = await tenantOfCentre(request.params.centreId);
      return runCommand(deps, request, reply, {
        tenantId,
        actor: { id: 'anonymous', role: 'motorist' },
        status: 200,
        run: async (meta) => {
          const result = await leaveWaitlist(ctx, { ...request.params, reason: 'withdrawn' }, meta);
          return {
            centreId: result.centreId,
            date: result.date,
            revision: Number(result.revision),
            entryId: result.entryId,
          };
        },
      });
    },
  );

  staffCommandRoute(app, deps, {
    ...onDay,
    method: 'DELETE',
    url: '/api/v1/centres/:centreId/days/:date/waitlist/:entryId',
    permission: 'booking.manage_on_behalf',
    summary: 'Take an entry off the waitlist on the customer’s behalf',
    params: EntryParams,
    body: EmptyBody,
    run: async ({ params }, meta) => {
      const result = await leaveWaitlist(ctx, { ...params, reason: 'withdrawn' }, meta);
      return {
        centreId: result.centreId,
        date: result.date,
        revision: Number(result.revision),
        entryId: result.entryId,
      };
    },
  });
}
