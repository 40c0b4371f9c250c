import { Type } from '@sinclair/typebox';
import type { ReadApiApp, RouteContext } from '../app/route-context.js';
import { cachePublicly } from '../http/cache-control.js';
import {
  COMMON_PROBLEMS,
  invalidCursor,
  invalidRequest,
  notFound,
  type ProblemFieldError,
  replyProblem,
} from '../http/problem.js';
import {
  CentreSummaryView,
  Cents,
  EntityId,
  FreeSlotView,
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
import type { CentreSearchLocation } from '../ports/read-ports.js';
import {
  CentreCardView,
  centreCardView,
  centreSummaryView,
  freeSlotView,
  profileOf,
  profileView,
  roundKm,
} from './centre-views.js';

/** Public: centre search (postcode, town or position) and a centre's card. */

export const DEFAULT_RADIUS_KM = 20;
export const MAX_RADIUS_KM = 200;

const RadiusKm = Type.Number({
  exclusiveMinimum: 0,
  maximum: MAX_RADIUS_KM,
  default: DEFAULT_RADIUS_KM,
  description: 'Search radius in kilometres',
});

const CentreSearchQuerystring = Type.Object(
  {
    postcode: Type.Optional(Type.String({ pattern: '^\\d{5}$', description: 'French postcode, 5 digits' })),
    town: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Town name' })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    radiusKm: Type.Optional(RadiusKm),
    ...VehicleProfileQuery,
    ...PaginationQuery,
  },
  { additionalProperties: false },
);

const CentreSearchHitView = Type.Object({
  centre: CentreSummaryView,
  distanceKm: Nullable(Type.Number({ minimum: 0 })),
  priceCents: Nullable(Cents),
  firstFreeSlot: Nullable(FreeSlotView),
});

const CentreSearchPage = Type.Object({
  profile: VehicleProfileView,
  ...pageOf(CentreSearchHitView).properties,
});

/** Exactly one way of locating: a postcode, a town, or a position (lat and lon together). */
export function searchLocation(query: {
  readonly postcode?: string;
  readonly town?: string;
  readonly lat?: number;
  readonly lon?: number;
  readonly radiusKm?: number;
}): { ok: true; location: CentreSearchLocation } | { ok: false; errors: ProblemFieldError[] } {
  const radiusKm = query.radiusKm ?? DEFAULT_RADIUS_KM;
  const town = query.town?.trim().replace(/\s+/g, ' ');
  const hasPosition = query.lat !== undefined || query.lon !== undefined;
  const given = [query.postcode !== undefined, town !== undefined, hasPosition].filter(Boolean).length;
  if (given !== 1) {
    return {
      ok: false,
      errors: [{ path: '/querystring', message: 'give exactly one of postcode, town, or lat and lon' }],
    };
  }
  if (query.postcode !== undefined)
    return { ok: true, location: { kind: 'postcode', postcode: query.postcode, radiusKm } };
  if (town !== undefined) {
    return town.length === 0
      ? { ok: false, errors: [{ path: '/querystring/town', message: 'must not be blank' }] }
      : { ok: true, location: { kind: 'town', town, radiusKm } };
  }
  if (query.lat === undefined)
    return { ok: false, errors: [{ path: '/querystring/lat', message: 'is required with lon' }] };
  if (query.lon === undefined)
    return { ok: false, errors: [{ path: '/querystring/lon', message: 'is required with lat' }] };
  return { ok: true, location: { kind: 'position', point: { lat: query.lat, lon: query.lon }, radiusKm } };
}

export function registerCentreRoutes(app: ReadApiApp, context: RouteContext): void {
  app.get(
    '/centres',
    {
      schema: {
        operationId: 'searchCentres',
        tags: ['centres'],
        summary: 'Find centres near a postcode, a town or a position',
        description:
          'Centres offering the control for the vehicle profile, nearest first, each with its price and first free slot. ' +
          'Give exactly one of `postcode`, `town`, or `lat` and `lon`.',
        querystring: CentreSearchQuerystring,
        response: { 200: CentreSearchPage, ...COMMON_PROBLEMS },
      },
    },
    async (request, reply) => {
      const located = searchLocation(request.query);
      if (!located.ok) return replyProblem(reply, invalidRequest(located.errors));
      const profile = profileOf(request.query);
      const fingerprint = queryFingerprint({ route: 'centres', location: located.location, profile });
      const paging = pageRequest(request.query, fingerprint);
      if (!paging.ok) return replyProblem(reply, invalidCursor(paging.reason));
      const result = await context.ports.searchCentres(
        { location: located.location, profile, now: context.now() },
        paging.page,
      );
      cachePublicly(reply, 10);
      return {
        profile: profileView(profile),
        ...responsePage(result, fingerprint, (hit) => ({
          centre: centreSummaryView(hit.centre),
          distanceKm: hit.distanceKm === null ? null : roundKm(hit.distanceKm),
          priceCents: hit.priceCents,
          firstFreeSlot: hit.firstFreeSlot === null ? null : freeSlotView(hit.firstFreeSlot),
        })),
      };
    },
  );

  app.get(
    '/centres/:centreId',
    {
      schema: {
        operationId: 'getCentre',
        tags: ['centres'],
        summary: 'A centre: address, contact, opening hours and price list',
        params: Type.Object({ centreId: EntityId }),
        response: { 200: CentreCardView, ...COMMON_PROBLEMS },
      },
    },
    async (request, reply) => {
      const card = await context.ports.centreById(request.params.centreId);
      if (card === null) return replyProblem(reply, notFound('no such centre'));
      cachePublicly(reply, 60);
      return centreCardView(card);
    },
  );
}
