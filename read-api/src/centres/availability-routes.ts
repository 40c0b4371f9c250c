import { DEFAULT_TIME_ZONE, instantToLocal } from '@pti/write-side/domain';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ReadApiApp, RouteContext } from '../app/route-context.js';
import { answerCache, type CachedAnswer, cachedAnswer, matchesEtag } from '../http/answer-cache.js';
import { cachePublicly } from '../http/cache-control.js';
import { dateErrors, dateRangeErrors } from '../http/local-dates.js';
import { COMMON_PROBLEMS, invalidCursor, invalidRequest, notFound, replyProblem } from '../http/problem.js';
import {
  CentreSummaryView,
  Cents,
  EntityId,
  FreeSlotView,
  LocalDate,
  LocalTime,
  Nullable,
  VehicleProfileQuery,
  VehicleProfileView,
} from '../http/schemas.js';
import {
  PaginationQuery,
  pageOf,
  pageRequest,
  queryFingerprint,
  responsePage,
} from '../pagination/cursor.js';
import { DEFAULT_RADIUS_KM, MAX_RADIUS_KM } from './centre-routes.js';
import { centreSummaryView, freeSlotView, profileOf, profileView, roundKm } from './centre-views.js';

/** Public: a centre's free start times over a range, and the first free slots near a point. */

/** The widest range one availability request may cover (a booking horizon is 90 days: 3 requests). */
export const MAX_AVAILABILITY_DAYS = 31;

const AvailabilityQuerystring = Type.Object(
  {
    from: LocalDate,
    to: LocalDate,
    ...VehicleProfileQuery,
  },
  { additionalProperties: false },
);

const AvailabilityView = Type.Object({
  centreId: Type.String(),
  from: LocalDate,
  to: LocalDate,
  profile: VehicleProfileView,
  timeZone: Type.String(),
  durationMinutes: Type.Integer({ minimum: 1 }),
  priceCents: Nullable(Cents),
  days: Type.Array(Type.Object({ date: LocalDate, starts: Type.Array(LocalTime) })),
});

const FirstFreeSlotsQuerystring = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    radiusKm: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: MAX_RADIUS_KM, default: DEFAULT_RADIUS_KM }),
    ),
    from: Type.Optional({ ...LocalDate, description: 'Earliest local date; today by default' }),
    ...VehicleProfileQuery,
    ...PaginationQuery,
  },
  { additionalProperties: false },
);

const FreeSlotNearbyView = Type.Object({
  centre: CentreSummaryView,
  distanceKm: Type.Number({ minimum: 0 }),
  slot: FreeSlotView,
  priceCents: Nullable(Cents),
});

const FirstFreeSlotsPage = Type.Object({
  profile: VehicleProfileView,
  ...pageOf(FreeSlotNearbyView).properties,
});

/** How long an availability answer is reused in process by default (see {@link answerCache}). */
export const DEFAULT_AVAILABILITY_CACHE_MS = 1_000;

const JSON_UTF8 = 'application/json; charset=utf-8';

/** A stored answer, or 304 when the client holds it already. */
function sendAnswer(request: FastifyRequest, reply: FastifyReply, answer: CachedAnswer): FastifyReply {
  cachePublicly(reply, 5);
  reply.header('etag', answer.etag);
  if (matchesEtag(request.headers['if-none-match'], answer.etag)) return reply.code(304).send();
  return reply.type(JSON_UTF8).send(answer.body);
}

export function registerAvailabilityRoutes(app: ReadApiApp, context: RouteContext): void {
  // The hot public route: answers are kept at most `availabilityCacheMs` (1 s by default), so a
  // popular centre's week is read from the read model and serialized once a second per process.
  const answers = answerCache<CachedAnswer | null>({
    ttlMs: context.availabilityCacheMs ?? DEFAULT_AVAILABILITY_CACHE_MS,
  });
  app.get(
    '/centres/:centreId/availability',
    {
      schema: {
        operationId: 'getCentreAvailability',
        tags: ['availability'],
        summary: 'Free start times of a centre over a date range for a vehicle profile',
        description: `At most ${MAX_AVAILABILITY_DAYS} days per request; minimum notice and horizon applied.`,
        params: Type.Object({ centreId: EntityId }),
        querystring: AvailabilityQuerystring,
        response: { 200: AvailabilityView, ...COMMON_PROBLEMS },
      },
    },
    async (request, reply) => {
      const { centreId } = request.params;
      const { from, to } = request.query;
      const profile = profileOf(request.query);
      const key = `${centreId}|${from}|${to}|${profile.category}|${profile.fuel}|${profile.controlType}`;
      // A fresh stored answer passed the checks below when it was computed.
      const stored = answers.fresh(key);
      if (stored !== undefined && stored !== null) return sendAnswer(request, reply, stored);
      const errors = dateRangeErrors(request.query, MAX_AVAILABILITY_DAYS);
      if (errors.length > 0) return replyProblem(reply, invalidRequest(errors));
      const answer = await answers.load(key, async () => {
        const availability = await context.ports.centreAvailability({
          centreId,
          from,
          to,
          profile,
          now: context.now(),
        });
        if (availability === null) return null;
        const view: Static<typeof AvailabilityView> = {
          centreId: availability.centreId,
          from,
          to,
          profile: profileView(profile),
          timeZone: availability.timeZone,
          durationMinutes: availability.durationMinutes,
          priceCents: availability.priceCents,
          days: availability.days.map((day) => ({ date: day.date, starts: [...day.starts] })),
        };
        // Built in the schema's shape and key order above (strings, numbers, null): the native
        // JSON.stringify, once per cached answer, then the bytes are sent as they are.
        return cachedAnswer(JSON.stringify(view));
      });
      if (answer === null) return replyProblem(reply, notFound('no such centre'));
      return sendAnswer(request, reply, answer);
    },
  );

  app.get(
    '/first-free-slots',
    {
      schema: {
        operationId: 'findFirstFreeSlots',
        tags: ['availability'],
        summary: 'The first free slot of each centre near a point, earliest first',
        querystring: FirstFreeSlotsQuerystring,
        response: { 200: FirstFreeSlotsPage, ...COMMON_PROBLEMS },
      },
    },
    async (request, reply) => {
      const now = context.now();
      const from = request.query.from ?? instantToLocal(now, DEFAULT_TIME_ZONE).date;
      const errors = dateErrors(from, '/querystring/from');
      if (errors.length > 0) return replyProblem(reply, invalidRequest(errors));
      const profile = profileOf(request.query);
      const near = { lat: request.query.lat, lon: request.query.lon };
      const radiusKm = request.query.radiusKm ?? DEFAULT_RADIUS_KM;
      const fingerprint = queryFingerprint({ route: 'first-free-slots', near, radiusKm, profile, from });
      const paging = pageRequest(request.query, fingerprint);
      if (!paging.ok) return replyProblem(reply, invalidCursor(paging.reason));
      const result = await context.ports.firstFreeSlots({ near, radiusKm, profile, from, now }, paging.page);
      cachePublicly(reply, 5);
      return {
        profile: profileView(profile),
        ...responsePage(result, fingerprint, (hit) => ({
          centre: centreSummaryView(hit.centre),
          distanceKm: roundKm(hit.distanceKm),
          slot: freeSlotView(hit.slot),
          priceCents: hit.priceCents,
        })),
      };
    },
  );
}
