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
import { requirePermission } from '@pti/platform';
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
  staffSecurity,
} from '../http/schemas.js';
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
  const staff = (request: FastifyRequest) => {
    if (request.principal === null) throw new Error('guarded route without principal');
    return request.principal;
  };

  typed.post(
    '/api/v1/centres/:centreId/days/:date/blocks',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      onRequest: requirePermission('calendar.block_period', {
        scope: centreScope,
        notFoundOutOfTenant: true,
      }),
      schema: {
        tags: ['calendar'],
        summary: 'Block a period of the day, for the whole centre or one inspector',
        security: staffSecurity,
        headers: CommandHeaders,
        params: DayParams,
        body: BlockBody,
        response: { 201: CalendarCommandResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = staff(request);
      return runCommand(deps, request, reply, {
        tenantId: principal.tenantId,
        actor: staffActor(principal),
        status: 201,
        run: async (meta) => {
          const { inspectorId, ...rest } = request.body;
          const result = await blockPeriod(
            ctx,
            { ...request.params, ...rest, inspectorId: inspectorId ?? null },
            meta,
          );
          return {
            centreId: result.centreId,
            date: result.date,
            revision: Number(result.revision),
            blockId: result.blockId,
          };
        },
      });
    },
  );

  typed.delete(
    '/api/v1/centres/:centreId/days/:date/blocks/:blockId',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      onRequest: requirePermission('calendar.block_period', {
        scope: centreScope,
        notFoundOutOfTenant: true,
      }),
      schema: {
        tags: ['calendar'],
        summary: 'Lift a blocked period (the time goes to overbooked reservations, then the waitlist)',
        security: staffSecurity,
        headers: CommandHeaders,
        params: BlockParams,
        body: EmptyBody,
        response: { 200: CalendarCommandResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = staff(request);
      return runCommand(deps, request, reply, {
        tenantId: principal.tenantId,
        actor: staffActor(principal),
        status: 200,
        run: async (meta) => {
          const result = await unblockPeriod(ctx, request.params, meta);
          return { centreId: result.centreId, date: result.date, revision: Number(result.revision) };
        },
      });
    },
  );

  typed.post(
    '/api/v1/centres/:centreId/days/:date/reservations/:reservationId/reassign',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      onRequest: requirePermission('calendar.block_period', {
        scope: centreScope,
        notFoundOutOfTenant: true,
      }),
      schema: {
        tags: ['calendar'],
        summary: 'Move a reservation to another inspector, or give an overbooked one its inspector',
        security: staffSecurity,
        headers: CommandHeaders,
        params: ReservationParams,
        body: ReassignBody,
        response: { 200: CalendarCommandResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = staff(request);
      return runCommand(deps, request, reply, {
        tenantId: principal.tenantId,
        actor: staffActor(principal),
        status: 200,
        run: async (meta) => {
          const result = await reassignInspector(
            ctx,
            {
              ...request.params,
              toInspectorId: request.body.toInspectorId ?? null,
              reason: request.body.reason,
            },
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
    },
  );

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

  typed.delete(
    '/api/v1/centres/:centreId/days/:date/waitlist/:entryId',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      onRequest: requirePermission('booking.manage_on_behalf', {
        scope: centreScope,
        notFoundOutOfTenant: true,
      }),
      schema: {
        tags: ['calendar'],
        summary: 'Take an entry off the waitlist on the customer’s behalf',
        security: staffSecurity,
        headers: CommandHeaders,
        params: EntryParams,
        body: EmptyBody,
        response: { 200: CalendarCommandResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = staff(request);
      return runCommand(deps, request, reply, {
        tenantId: principal.tenantId,
        actor: staffActor(principal),
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
}
