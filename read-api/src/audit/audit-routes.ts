import { type Principal, requirePermission } from '@pti/platform';
import { type ReplayAtInstant, replayAtInstant } from '@pti/write-side/domain';
import { Type } from '@sinclair/typebox';
import type { ReadApiApp, RouteContext } from '../app/route-context.js';
import { neverStore } from '../http/cache-control.js';
import {
  type ApiProblem,
  invalidCursor,
  invalidRequest,
  notFound,
  type ProblemFieldError,
  replyProblem,
  STAFF_PROBLEMS,
} from '../http/problem.js';
import { Nullable, StringEnum } from '../http/schemas.js';
import { callerOf, scopeProblem, scopeProblemForAny, tenantScopeOf } from '../http/staff-auth.js';
import {
  PaginationQuery,
  pageOf,
  pageRequest,
  queryFingerprint,
  responsePage,
} from '../pagination/cursor.js';
import type { StreamEvent } from '../ports/read-models.js';
import type { AuditQuery } from '../ports/read-ports.js';
import { InstantQuery, parseInstant, StreamParams } from './audit-query.js';
import { AuditEntryView, auditEntryView, JsonObject } from './audit-views.js';
import { type ParsedStream, parseStreamName } from './stream-names.js';

/**
 * Auditors (audit.read): the history of any booking, calendar day or centre, filtered, and the
 * state it had at any past instant, folded from its stream through the deciders' own `evolve`.
 */

const EVENT_TYPE_PATTERN = '^[A-Z][A-Za-z0-9]{1,63}$';

const AuditTrailQuerystring = Type.Object(
  {
    actor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Actor id (token subject)' }),
    ),
    from: Type.Optional(InstantQuery('Events that occurred at or after this instant')),
    to: Type.Optional(InstantQuery('Events that occurred at or before this instant')),
    type: Type.Optional(
      Type.Array(Type.String({ pattern: EVENT_TYPE_PATTERN }), {
        maxItems: 20,
        description: 'Event types to keep (repeat the parameter for several)',
      }),
    ),
    ...PaginationQuery,
  },
  { additionalProperties: false },
);

const StateAtInstantView = Type.Object({
  stream: Type.String(),
  aggregate: StringEnum(['centre', 'calendar', 'booking'] as const),
  at: Type.String({ format: 'date-time' }),
  exists: Type.Boolean({ description: 'Whether the aggregate existed at that instant' }),
  revision: Type.Integer({ minimum: 0, description: 'Revision of the last event applied (0: none)' }),
  eventsApplied: Type.Integer({ minimum: 0 }),
  lastEventAt: Nullable(Type.String({ format: 'date-time' })),
  state: JsonObject,
});

/** The centre a centre or calendar stream belongs to (the route checks it before reading). */
function centreOfName(parsed: ParsedStream): string | null {
  return parsed.category === 'booking' ? null : parsed.centreId;
}

/** Centres a booking stream touched: its appointments, current and previous, at the stream's end. */
function centresOfBooking(stream: string, events: readonly StreamEvent[]): string[] {
  const latest = replayAtInstant(stream, events, new Date(8.64e15));
  if (latest.replayed.aggregate !== 'booking' || latest.replayed.state.status === 'none') return [];
  const booking = latest.replayed.state;
  return [booking.centreId, ...booking.previousAppointments.map((appointment) => appointment.centreId)];
}

/**
 * May the caller read this stream? Another tenant's stream answers 404 like an unknown one; a
 * stream mixing tenants (never written, but fail closed) too.
 */
function streamScopeProblem(
  principal: Principal,
  stream: string,
  parsed: ParsedStream,
  events: readonly StreamEvent[],
): ApiProblem | null {
  const tenants = new Set(events.map((event) => event.tenantId));
  const [tenantId] = tenants;
  if (tenantId === undefined || tenants.size > 1) return notFound();
  const centre = centreOfName(parsed);
  if (centre !== null) return scopeProblem(principal, 'audit.read', { tenantId, centreId: centre });
  return scopeProblemForAny(principal, 'audit.read', tenantId, centresOfBooking(stream, events));
}

function exists(replay: ReplayAtInstant): boolean {
  switch (replay.replayed.aggregate) {
    case 'booking':
      return replay.replayed.state.status !== 'none';
    case 'calendar':
      return replay.replayed.state.centreId !== null;
    case 'centre':
      return replay.replayed.state.status !== 'unregistered';
  }
}

export function registerAuditRoutes(app: ReadApiApp, context: RouteContext): void {
  app.get(
    '/audit/streams/:stream/events',
    {
      preHandler: requirePermission('audit.read'),
      schema: {
        operationId: 'getAuditTrail',
        tags: ['audit'],
        summary: 'The events of a booking, calendar day or centre, with actor, time and correlation',
        security: [{ bearerAuth: [] }],
        params: StreamParams,
        querystring: AuditTrailQuerystring,
        response: { 200: pageOf(AuditEntryView), ...STAFF_PROBLEMS },
      },
    },
    async (request, reply) => {
      neverStore(reply);
      const principal = callerOf(request);
      const { stream } = request.params;
      const parsed = parseStreamName(stream);
      if (parsed === null) {
        return replyProblem(
          reply,
          invalidRequest([{ path: '/params/stream', message: 'is not an aggregate stream' }]),
        );
      }
      const errors: ProblemFieldError[] = [];
      const from =
        request.query.from === undefined ? undefined : parseInstant(request.query.from, '/querystring/from');
      const to =
        request.query.to === undefined ? undefined : parseInstant(request.query.to, '/querystring/to');
      if (from !== undefined && !(from instanceof Date)) errors.push(from);
      if (to !== undefined && !(to instanceof Date)) errors.push(to);
      if (from instanceof Date && to instanceof Date && from > to) {
        errors.push({ path: '/querystring/to', message: 'must not be before from' });
      }
      if (errors.length > 0) return replyProblem(reply, invalidRequest(errors));
      // Centre and calendar streams name their centre: a centre-scoped caller is checked before
      // any read. Booking streams are filtered by the adapter with the caller's centres.
      const centre = centreOfName(parsed);
      if (centre !== null) {
        const refusal = scopeProblem(principal, 'audit.read', {
          tenantId: principal.tenantId,
          centreId: centre,
        });
        if (refusal !== null) return replyProblem(reply, refusal);
      }
      const query: AuditQuery = {
        stream,
        ...(request.query.actor === undefined ? {} : { actorId: request.query.actor }),
        ...(from instanceof Date ? { from } : {}),
        ...(to instanceof Date ? { to } : {}),
        ...(request.query.type === undefined ? {} : { eventTypes: [...new Set(request.query.type)].sort() }),
      };
      const scope = tenantScopeOf(principal);
      const fingerprint = queryFingerprint({
        route: 'audit',
        ...query,
        from: query.from?.toISOString(),
        to: query.to?.toISOString(),
        scope,
      });
      const paging = pageRequest(request.query, fingerprint);
      if (!paging.ok) return replyProblem(reply, invalidCursor(paging.reason));
      const result = await context.ports.auditTrail(scope, query, paging.page);
      if (result === null) return replyProblem(reply, notFound());
      return responsePage(result, fingerprint, auditEntryView);
    },
  );

  app.get(
    '/audit/streams/:stream/state',
    {
      preHandler: requirePermission('audit.read'),
      schema: {
        operationId: 'getStreamStateAtInstant',
        tags: ['audit'],
        summary: 'The state of a booking, calendar day or centre as it was at an instant',
        description:
          'The stream’s events that occurred at or before `at`, folded through the deciders’ `evolve`: ' +
          'exactly the state the aggregate had between the last of them and the next.',
        security: [{ bearerAuth: [] }],
        params: StreamParams,
        querystring: Type.Object(
          { at: InstantQuery('The instant (RFC 3339 with offset)') },
          { additionalProperties: false },
        ),
        response: { 200: StateAtInstantView, ...STAFF_PROBLEMS },
      },
    },
    async (request, reply) => {
      neverStore(reply);
      const principal = callerOf(request);
      const { stream } = request.params;
      const parsed = parseStreamName(stream);
      if (parsed === null) {
        return replyProblem(
          reply,
          invalidRequest([{ path: '/params/stream', message: 'is not an aggregate stream' }]),
        );
      }
      const at = parseInstant(request.query.at, '/querystring/at');
      if (!(at instanceof Date)) return replyProblem(reply, invalidRequest([at]));
      const centre = centreOfName(parsed);
      if (centre !== null) {
        const refusal = scopeProblem(principal, 'audit.read', {
          tenantId: principal.tenantId,
          centreId: centre,
        });
        if (refusal !== null) return replyProblem(reply, refusal);
      }
      const events = await context.ports.readStream(stream);
      if (events.length === 0) return replyProblem(reply, notFound());
      const refusal = streamScopeProblem(principal, stream, parsed, events);
      if (refusal !== null) return replyProblem(reply, refusal);
      const replay = replayAtInstant(stream, events, at);
      return {
        stream,
        aggregate: replay.replayed.aggregate,
        at: replay.at,
        exists: exists(replay),
        revision: Number(replay.revision),
        eventsApplied: replay.eventsApplied,
        lastEventAt: replay.lastEventAt,
        state: { ...replay.replayed.state },
      };
    },
  );
}
