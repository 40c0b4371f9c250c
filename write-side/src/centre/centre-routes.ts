import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AbsenceKind,
  Accreditations,
  CentreCode,
  CentreContact,
  CentreId,
  Currency,
  EntityId,
  GeoPosition,
  Label,
  LocalDate,
  LocalDateTime,
  Postcode,
  PriceEntry,
  WeeklyHours,
} from '@pti/events';
import { type Permission, requirePermission } from '@pti/platform';
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestIds } from '../commands/command-meta.js';
import type { CentreCommand } from '../domain/centre/centre-commands.js';
import {
  CentreEditHeaders,
  CommandHeaders,
  etagOf,
  ifMatchRevision,
  runCommand,
  staffActor,
  type WriteSideRouteDeps,
} from '../http/command-request.js';
import { problemResponses } from '../http/problem.js';
import {
  CentreCommandResponse,
  CentreParams,
  COMMAND_BODY_LIMIT,
  closed,
  OptionalId,
  staffSecurity,
} from '../http/schemas.js';
import { administerCentre } from './centre-administration.js';

/**
 * Centre administration (staff, JWT). Every route acts on one centre stream; the answer carries the
 * stream's revision as ETag, and an `If-Match` with that ETag makes the edit conditional (412 when
 * someone else edited the centre since). Scope: the centre's tenant must be the caller's (another
 * tenant's centre answers 404), centre staff act on their own centres only.
 *
 * | route                                                         | permission        |
 * | ------------------------------------------------------------- | ----------------- |
 * | POST   /api/v1/centres                                        | centre.administer |
 * | PUT    /api/v1/centres/{centreId}/details                     | centre.configure  |
 * | PUT    /api/v1/centres/{centreId}/opening-hours               | centre.configure  |
 * | POST   /api/v1/centres/{centreId}/closures                    | centre.configure  |
 * | DELETE /api/v1/centres/{centreId}/closures/{closureId}        | centre.configure  |
 * | PUT    /api/v1/centres/{centreId}/price-list                  | centre.configure  |
 * | PATCH  /api/v1/centres/{centreId}/policy                      | centre.administer |
 * | PUT    /api/v1/centres/{centreId}/daily-capacity              | centre.configure  |
 * | POST   /api/v1/centres/{centreId}/inspectors                  | centre.configure  |
 * | DELETE /api/v1/centres/{centreId}/inspectors/{inspectorId}    | centre.configure  |
 * | PUT    …/inspectors/{inspectorId}/accreditations              | centre.configure  |
 * | PUT    …/inspectors/{inspectorId}/schedule                    | centre.configure  |
 * | POST   …/inspectors/{inspectorId}/absences                    | centre.configure  |
 * | DELETE …/inspectors/{inspectorId}/absences/{absenceId}        | centre.configure  |
 * | POST   /api/v1/centres/{centreId}/deactivate                  | centre.administer |
 * | POST   /api/v1/centres/{centreId}/reactivate                  | centre.administer |
 */

const details = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  address: Type.String({ minLength: 1, maxLength: 200 }),
  postcode: Postcode,
  city: Type.String({ minLength: 1, maxLength: 100 }),
  position: GeoPosition,
  contact: CentreContact,
};

const RegisterBody = Type.Object({ centreId: CentreId, code: CentreCode, ...details }, closed);
const DetailsBody = Type.Object(details, closed);
const WeekBody = Type.Object({ week: WeeklyHours }, closed);
const ClosureBody = Type.Object(
  { closureId: OptionalId('generated when absent'), from: LocalDate, to: LocalDate, label: Label },
  closed,
);
const PriceListBody = Type.Object(
  { currency: Currency, entries: Type.Array(PriceEntry, { minItems: 1, maxItems: 200 }) },
  closed,
);
const PolicyBody = Type.Object(
  {
    holdMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })),
    overbookingPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    minimumNoticeMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_080 })),
    horizonDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
    cancellationCutoffHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 720 })),
    freeContreVisiteDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 62 })),
  },
  { ...closed, description: 'Fields left out keep their value' },
);
const CapacityBody = Type.Object({ capacity: Type.Integer({ minimum: 0, maximum: 1000 }) }, closed);
const InspectorBody = Type.Object(
  {
    inspectorId: OptionalId('generated when absent'),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    userId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
    accreditations: Accreditations,
  },
  closed,
);
const AccreditationsBody = Type.Object({ accreditations: Accreditations }, closed);
const AbsenceBody = Type.Object(
  {
    absenceId: OptionalId('generated when absent'),
    from: LocalDateTime,
    to: LocalDateTime,
    kind: AbsenceKind,
  },
  closed,
);
const DeactivateBody = Type.Object({ reason: Label }, closed);
const EmptyBody = Type.Object({}, { ...closed, description: 'No fields (the body may be omitted)' });

const InspectorParams = Type.Object({ centreId: CentreId, inspectorId: EntityId }, closed);
const ClosureParams = Type.Object({ centreId: CentreId, closureId: EntityId }, closed);
const AbsenceParams = Type.Object({ centreId: CentreId, inspectorId: EntityId, absenceId: EntityId }, closed);

export async function centreRoutes(app: FastifyInstance, deps: WriteSideRouteDeps): Promise<void> {
  const ctx = deps.writeSide;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  /** The centre's scope from the path: its tenant (from the registry) and the centre itself. */
  const centreScope = async (request: FastifyRequest) => {
    const { centreId } = request.params as { centreId: string };
    const tenantId = await ctx.centres.tenantOf(centreId);
    return tenantId === undefined ? undefined : { tenantId, centreId };
  };
  const guard = (permission: Permission) =>
    requirePermission(permission, { scope: centreScope, notFoundOutOfTenant: true });

  function route<B extends TSchema, P extends TSchema>(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    spec: {
      readonly permission: Permission;
      readonly summary: string;
      readonly params: P;
      readonly body?: B;
      readonly status?: number;
      readonly command: (
        request: { params: unknown; body: unknown },
        ids: ReturnType<typeof requestIds>,
      ) => { readonly command: CentreCommand; readonly created?: Record<string, string> };
    },
  ): void {
    const status = spec.status ?? 200;
    typed.route({
      method,
      url,
      bodyLimit: COMMAND_BODY_LIMIT,
      onRequest: guard(spec.permission),
      schema: {
        tags: ['centres'],
        summary: spec.summary,
        security: staffSecurity,
        headers: CentreEditHeaders,
        params: spec.params,
        ...(spec.body === undefined ? {} : { body: spec.body }),
        response: { [status]: CentreCommandResponse, ...problemResponses },
      },
      handler: async (request, reply) => {
        const principal = request.principal;
        if (principal === null) throw new Error('guarded route without principal');
        const expectedRevision = ifMatchRevision(request);
        return runCommand(deps, request, reply, {
          tenantId: principal.tenantId,
          actor: staffActor(principal),
          status,
          etag: (body: { revision: number }) => etagOf(body.revision),
          run: async (meta) => {
            const { command, created } = spec.command(
              { params: request.params, body: request.body ?? {} },
              requestIds(meta),
            );
            const result = await administerCentre(ctx, command, meta, { expectedRevision });
            return { centreId: result.centreId, revision: Number(result.revision), ...created };
          },
        });
      },
    });
  }

  type Params = { centreId: string };

  typed.post(
    '/api/v1/centres',
    {
      bodyLimit: COMMAND_BODY_LIMIT,
      onRequest: requirePermission('centre.administer'),
      // The tenant of an id already taken by another network answers 404, like elsewhere.
      preHandler: requirePermission('centre.administer', {
        notFoundOutOfTenant: true,
        scope: async (request) => {
          const { centreId } = request.body as { centreId: string };
          const tenantId = (await ctx.centres.tenantOf(centreId)) ?? request.principal?.tenantId;
          return tenantId === undefined ? undefined : { tenantId };
        },
      }),
      schema: {
        tags: ['centres'],
        summary: 'Register a centre in the caller’s network',
        security: staffSecurity,
        headers: CommandHeaders,
        body: RegisterBody,
        response: { 201: CentreCommandResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (principal === null) throw new Error('guarded route without principal');
      return runCommand(deps, request, reply, {
        tenantId: principal.tenantId,
        actor: staffActor(principal),
        status: 201,
        etag: (body: { revision: number }) => etagOf(body.revision),
        run: async (meta) => {
          const result = await administerCentre(ctx, { type: 'RegisterCentre', ...request.body }, meta);
          return { centreId: result.centreId, revision: Number(result.revision) };
        },
      });
    },
  );

  route('PUT', '/api/v1/centres/:centreId/details', {
    permission: 'centre.configure',
    summary: 'Replace the centre’s public details',
    params: CentreParams,
    body: DetailsBody,
    command: ({ params, body }) => ({
      command: { type: 'UpdateCentreDetails', ...(params as Params), ...(body as typeof DetailsBody.static) },
    }),
  });
  route('PUT', '/api/v1/centres/:centreId/opening-hours', {
    permission: 'centre.configure',
    summary: 'Replace the weekly opening hours (two intervals make a split day)',
    params: CentreParams,
    body: WeekBody,
    command: ({ params, body }) => ({
      command: {
        type: 'SetOpeningHours',
        ...(params as Params),
        week: (body as typeof WeekBody.static).week,
      },
    }),
  });
  route('POST', '/api/v1/centres/:centreId/closures', {
    permission: 'centre.configure',
    summary: 'Close the centre on whole days',
    params: CentreParams,
    body: ClosureBody,
    status: 201,
    command: ({ params, body }, ids) => {
      const { closureId, ...rest } = body as typeof ClosureBody.static;
      const id = closureId ?? ids.id('closure');
      return {
        command: { type: 'AddClosure', ...(params as Params), closureId: id, ...rest },
        created: { closureId: id },
      };
    },
  });
  route('DELETE', '/api/v1/centres/:centreId/closures/:closureId', {
    permission: 'centre.configure',
    summary: 'Withdraw a closure',
    params: ClosureParams,
    body: EmptyBody,
    command: ({ params }) => ({
      command: { type: 'RemoveClosure', ...(params as typeof ClosureParams.static) },
    }),
  });
  route('PUT', '/api/v1/centres/:centreId/price-list', {
    permission: 'centre.configure',
    summary: 'Replace the price list (cents incl. VAT)',
    params: CentreParams,
    body: PriceListBody,
    command: ({ params, body }) => ({
      command: { type: 'SetPriceList', ...(params as Params), ...(body as typeof PriceListBody.static) },
    }),
  });
  route('PATCH', '/api/v1/centres/:centreId/policy', {
    permission: 'centre.administer',
    summary: 'Change the booking policy (hold, overbooking, notice, horizon, cut-off, free contre-visite)',
    params: CentreParams,
    body: PolicyBody,
    command: ({ params, body }) => ({
      command: { type: 'SetBookingPolicy', ...(params as Params), ...(body as typeof PolicyBody.static) },
    }),
  });
  route('PUT', '/api/v1/centres/:centreId/daily-capacity', {
    permission: 'centre.configure',
    summary: 'Cap the number of controls per day',
    params: CentreParams,
    body: CapacityBody,
    command: ({ params, body }) => ({
      command: {
        type: 'SetDailyCapacity',
        ...(params as Params),
        capacity: (body as typeof CapacityBody.static).capacity,
      },
    }),
  });
  route('POST', '/api/v1/centres/:centreId/inspectors', {
    permission: 'centre.configure',
    summary: 'Add an accredited inspector',
    params: CentreParams,
    body: InspectorBody,
    status: 201,
    command: ({ params, body }, ids) => {
      const { inspectorId, userId, ...rest } = body as typeof InspectorBody.static;
      const id = inspectorId ?? ids.id('inspector');
      return {
        command: {
          type: 'AddInspector',
          ...(params as Params),
          inspectorId: id,
          userId: userId ?? null,
          ...rest,
        },
        created: { inspectorId: id },
      };
    },
  });
  route('DELETE', '/api/v1/centres/:centreId/inspectors/:inspectorId', {
    permission: 'centre.configure',
    summary: 'Remove an inspector',
    params: InspectorParams,
    body: EmptyBody,
    command: ({ params }) => ({
      command: { type: 'RemoveInspector', ...(params as typeof InspectorParams.static) },
    }),
  });
  route('PUT', '/api/v1/centres/:centreId/inspectors/:inspectorId/accreditations', {
    permission: 'centre.configure',
    summary: 'Replace an inspector’s accreditations',
    params: InspectorParams,
    body: AccreditationsBody,
    command: ({ params, body }) => ({
      command: {
        type: 'ChangeInspectorAccreditations',
        ...(params as typeof InspectorParams.static),
        accreditations: (body as typeof AccreditationsBody.static).accreditations,
      },
    }),
  });
  route('PUT', '/api/v1/centres/:centreId/inspectors/:inspectorId/schedule', {
    permission: 'centre.configure',
    summary: 'Replace an inspector’s weekly schedule',
    params: InspectorParams,
    body: WeekBody,
    command: ({ params, body }) => ({
      command: {
        type: 'SetInspectorSchedule',
        ...(params as typeof InspectorParams.static),
        week: (body as typeof WeekBody.static).week,
      },
    }),
  });
  route('POST', '/api/v1/centres/:centreId/inspectors/:inspectorId/absences', {
    permission: 'centre.configure',
    summary: 'Declare an absence [from, to) in local time',
    params: InspectorParams,
    body: AbsenceBody,
    status: 201,
    command: ({ params, body }, ids) => {
      const { absenceId, ...rest } = body as typeof AbsenceBody.static;
      const id = absenceId ?? ids.id('absence');
      return {
        command: {
          type: 'DeclareInspectorAbsence',
          ...(params as typeof InspectorParams.static),
          absenceId: id,
          ...rest,
        },
        created: { absenceId: id },
      };
    },
  });
  route('DELETE', '/api/v1/centres/:centreId/inspectors/:inspectorId/absences/:absenceId', {
    permission: 'centre.configure',
    summary: 'Cancel an absence',
    params: AbsenceParams,
    body: EmptyBody,
    command: ({ params }) => ({
      command: { type: 'CancelInspectorAbsence', ...(params as typeof AbsenceParams.static) },
    }),
  });
  route('POST', '/api/v1/centres/:centreId/deactivate', {
    permission: 'centre.administer',
    summary: 'Stop taking bookings (existing ones stay)',
    params: CentreParams,
    body: DeactivateBody,
    command: ({ params, body }) => ({
      command: {
        type: 'DeactivateCentre',
        ...(params as Params),
        reason: (body as typeof DeactivateBody.static).reason,
      },
    }),
  });
  route('POST', '/api/v1/centres/:centreId/reactivate', {
    permission: 'centre.administer',
    summary: 'Take bookings again',
    params: CentreParams,
    body: EmptyBody,
    command: ({ params }) => ({ command: { type: 'ReactivateCentre', ...(params as Params) } }),
  });
}
