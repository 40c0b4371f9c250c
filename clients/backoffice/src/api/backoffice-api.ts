import { createPtiApi } from '@pti/api-client';
import { ApiError, createHttp, type HttpOptions, problemFrom } from './http.js';
import type {
  Accreditation,
  BookingPolicyPatch,
  CancellationReason,
  CentreReporting,
  ControlType,
  DeadLetter,
  Fuel,
  InspectionResult,
  OutboxMessage,
  PlaceOnBehalfBody,
  PriceEntry,
  ProjectionRebuild,
  ResentConfirmation,
  VehicleCategory,
  WeekHours,
} from './types.js';

/**
 * Every call the back office makes, one function per route, through `@pti/api-client` (the
 * typed client generated from the servers' OpenAPI documents): paths, parameters and bodies are
 * checked against the contract at compile time. Errors become {@link ApiError} (problem+json).
 *
 * Two kinds of call go through the small {@link createHttp} instead: the CSV export (text, not
 * JSON) and the saga routes of {@link SAGA_ROUTES}, which are not in the OpenAPI documents yet.
 */

const enc = encodeURIComponent;

/**
 * Saga routes (sagas/src/http/staff-saga-routes.ts, admin_reseau; the confirmation resend of
 * sagas/src/http/resend-confirmation-routes.ts, staff booking on behalf), not in the generated client yet.
 */
export const SAGA_ROUTES = {
  deadLetters: '/api/v1/ops/sagas/dead-letters',
  retryDeadLetter: (id: string) => `/api/v1/ops/sagas/dead-letters/${enc(id)}/retry`,
  discardDeadLetter: (id: string) => `/api/v1/ops/sagas/dead-letters/${enc(id)}/discard`,
  outbox: '/api/v1/ops/outbox',
  resendConfirmation: (bookingId: string) => `/api/v1/staff/bookings/${enc(bookingId)}/confirmation/resend`,
} as const;

/**
 * Rebuilds of the read models (ops/src/start/rebuild-routes.ts, admin_reseau), served by the ops
 * composition in the process that runs the projectors: not in the generated client's documents.
 */
export const REBUILD_ROUTES = {
  start: (readModel: string) => `/api/v1/ops/projections/${enc(readModel)}/rebuild`,
  progress: (id: string) => `/api/v1/ops/projections/rebuilds/${enc(id)}`,
  latest: '/api/v1/ops/projections/rebuilds/latest',
} as const;

interface FetchResult<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

export function createBackofficeApi(transport: HttpOptions) {
  const http = createHttp(transport);
  const { commands, queries } = createPtiApi({
    baseUrl: transport.baseUrl,
    fetch: (request: Request) => transport.fetch(request),
  });
  const auth = (): Record<string, string> => {
    const token = transport.token();
    return token === null ? {} : { authorization: `Bearer ${token}` };
  };
  // A retried click never books twice: the server answers the same key with the same result.
  const command = () => ({ ...auth(), 'idempotency-key': globalThis.crypto.randomUUID() });

  async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<NonNullable<T>> {
    let result: FetchResult<T>;
    try {
      result = await call;
    } catch (error) {
      throw new ApiError({
        title: 'Réseau indisponible',
        status: 0,
        code: 'NETWORK_ERROR',
        detail: error instanceof Error ? error.message : String(error),
      });
    }
    if (result.response.status === 401) transport.onUnauthorized?.();
    if (!result.response.ok || result.error !== undefined)
      throw new ApiError(problemFrom(result.error, result.response));
    return result.data as NonNullable<T>;
  }

  const bookingPath = { params: { path: { bookingId: '' } } };
  const onBooking = (bookingId: string) => ({ params: { path: { bookingId } } }) satisfies typeof bookingPath;

  return {
    // identity
    login: (username: string, password: string) =>
      unwrap(commands.POST('/api/v1/auth/login', { body: { username, password } })),
    me: () => unwrap(commands.GET('/api/v1/auth/me', { headers: auth() })),

    // centres (public read side)
    centre: (centreId: string) =>
      unwrap(queries.GET('/api/v1/centres/{centreId}', { params: { path: { centreId } }, headers: auth() })),
    searchCentres: (query: { postcode?: string; town?: string }) =>
      unwrap(queries.GET('/api/v1/centres', { params: { query: { ...query, limit: 20 } }, headers: auth() })),
    availability: (
      centreId: string,
      query: { from: string; to: string; category: VehicleCategory; fuel: Fuel; controlType: ControlType },
    ) =>
      unwrap(
        queries.GET('/api/v1/centres/{centreId}/availability', {
          params: { path: { centreId }, query },
          headers: auth(),
        }),
      ),

    // staff views
    agenda: (centreId: string, date: string) =>
      unwrap(
        queries.GET('/api/v1/staff/centres/{centreId}/agenda/{date}', {
          params: { path: { centreId, date } },
          headers: auth(),
        }),
      ),
    searchCustomers: (criteria: {
      phone?: string;
      plate?: string;
      name?: string;
      email?: string;
      reference?: string;
    }) =>
      unwrap(
        queries.GET('/api/v1/staff/customers', {
          params: { query: { ...criteria, limit: 20 } },
          headers: auth(),
        }),
      ),
    /** A customer's bookings, newest appointment first; `cursor`: the previous page's `nextCursor`. */
    customerBookings: (customerId: string, cursor?: string) =>
      unwrap(
        queries.GET('/api/v1/staff/customers/{customerId}/bookings', {
          params: { path: { customerId }, query: { limit: 20, ...(cursor ? { cursor } : {}) } },
          headers: auth(),
        }),
      ),
    bookingDetail: (bookingId: string) =>
      unwrap(
        queries.GET('/api/v1/staff/bookings/{bookingId}', {
          params: { path: { bookingId } },
          headers: auth(),
        }),
      ),
    reporting: async (centreId: string, from: string, to: string): Promise<CentreReporting> =>
      // The route answers JSON or CSV (format=csv); without `format` it is the JSON document.
      (await unwrap(
        queries.GET('/api/v1/staff/centres/{centreId}/reporting', {
          params: { path: { centreId }, query: { from, to } },
          headers: auth(),
        }),
      )) as CentreReporting,
    reportingCsv: (centreId: string, from: string, to: string) =>
      http.request<string>(`/api/v1/staff/centres/${enc(centreId)}/reporting`, {
        query: { from, to, format: 'csv' },
        text: true,
      }),

    // audit
    auditTrail: (
      stream: string,
      filters: { actor?: string; from?: string; to?: string; cursor?: string; limit?: number } = {},
    ) =>
      unwrap(
        queries.GET('/api/v1/audit/streams/{stream}/events', {
          params: { path: { stream }, query: { limit: 100, ...filters } },
          headers: auth(),
        }),
      ),
    stateAt: (stream: string, at: string) =>
      unwrap(
        queries.GET('/api/v1/audit/streams/{stream}/state', {
          params: { path: { stream }, query: { at } },
          headers: auth(),
        }),
      ),

    // ops
    projections: () => unwrap(queries.GET('/api/v1/ops/projections', { headers: auth() })),
    deadLetters: () => http.request<{ items: DeadLetter[] }>(SAGA_ROUTES.deadLetters),
    retryDeadLetter: (id: string) =>
      http.request<unknown>(SAGA_ROUTES.retryDeadLetter(id), { method: 'POST' }),
    discardDeadLetter: (id: string) =>
      http.request<unknown>(SAGA_ROUTES.discardDeadLetter(id), { method: 'POST' }),
    startRebuild: (readModel: string) =>
      http.request<ProjectionRebuild>(REBUILD_ROUTES.start(readModel), { method: 'POST' }),
    rebuildProgress: (id: string) => http.request<ProjectionRebuild>(REBUILD_ROUTES.progress(id)),
    latestRebuild: () => http.request<ProjectionRebuild>(REBUILD_ROUTES.latest),
    outbox: (bookingId?: string) =>
      http.request<{ items: OutboxMessage[] }>(SAGA_ROUTES.outbox, { query: { bookingId, limit: 50 } }),

    // booking commands
    placeOnBehalf: (centreId: string, body: PlaceOnBehalfBody) =>
      unwrap(
        commands.POST('/api/v1/centres/{centreId}/bookings', {
          params: { path: { centreId } },
          body,
          headers: command(),
        }),
      ),
    confirmOnSite: (bookingId: string) =>
      unwrap(
        commands.POST('/api/v1/bookings/{bookingId}/confirm', {
          ...onBooking(bookingId),
          body: { paymentMode: 'on_site' },
          headers: command(),
        }),
      ),
    cancel: (bookingId: string, reason: CancellationReason, comment?: string) =>
      unwrap(
        commands.POST('/api/v1/bookings/{bookingId}/cancel', {
          ...onBooking(bookingId),
          body: { reason, ...(comment ? { comment } : {}) },
          headers: command(),
        }),
      ),
    reschedule: (bookingId: string, body: { start: string; centreId?: string; inspectorId?: string }) =>
      unwrap(
        commands.POST('/api/v1/bookings/{bookingId}/reschedule', {
          ...onBooking(bookingId),
          body,
          headers: command(),
        }),
      ),
    /** `inspectorId`: who takes the vehicle (the result needs one; a non-inspector must name them). */
    checkIn: (bookingId: string, inspectorId?: string) =>
      unwrap(
        commands.POST('/api/v1/bookings/{bookingId}/check-in', {
          ...onBooking(bookingId),
          body: inspectorId ? { inspectorId } : {},
          headers: command(),
        }),
      ),
    recordResult: (bookingId: string, result: InspectionResult, inspectorId?: string) =>
      unwrap(
        commands.POST('/api/v1/bookings/{bookingId}/result', {
          ...onBooking(bookingId),
          body: { result, ...(inspectorId ? { inspectorId } : {}) },
          headers: command(),
        }),
      ),
    noShow: (bookingId: string) =>
      unwrap(
        commands.POST('/api/v1/bookings/{bookingId}/no-show', {
          ...onBooking(bookingId),
          body: {},
          headers: command(),
        }),
      ),
    /** The thin client sends a fresh Idempotency-Key with each POST: one click, one resend. */
    resendConfirmation: (bookingId: string) =>
      http.request<ResentConfirmation>(SAGA_ROUTES.resendConfirmation(bookingId), { method: 'POST' }),

    // calendar commands
    blockPeriod: (
      centreId: string,
      date: string,
      body: { from: string; to: string; label: string; inspectorId?: string },
    ) =>
      unwrap(
        commands.POST('/api/v1/centres/{centreId}/days/{date}/blocks', {
          params: { path: { centreId, date } },
          body,
          headers: command(),
        }),
      ),
    unblockPeriod: (centreId: string, date: string, blockId: string) =>
      unwrap(
        commands.DELETE('/api/v1/centres/{centreId}/days/{date}/blocks/{blockId}', {
          params: { path: { centreId, date, blockId } },
          body: {},
          headers: command(),
        }),
      ),

    // centre administration
    setOpeningHours: (centreId: string, week: WeekHours) =>
      unwrap(
        commands.PUT('/api/v1/centres/{centreId}/opening-hours', {
          params: { path: { centreId } },
          body: { week },
          headers: auth(),
        }),
      ),
    addClosure: (centreId: string, body: { from: string; to: string; label: string }) =>
      unwrap(
        commands.POST('/api/v1/centres/{centreId}/closures', {
          params: { path: { centreId } },
          body,
          headers: command(),
        }),
      ),
    setPriceList: (centreId: string, entries: PriceEntry[]) =>
      unwrap(
        commands.PUT('/api/v1/centres/{centreId}/price-list', {
          params: { path: { centreId } },
          body: { currency: 'EUR', entries },
          headers: auth(),
        }),
      ),
    setPolicy: (centreId: string, patch: BookingPolicyPatch) =>
      unwrap(
        commands.PATCH('/api/v1/centres/{centreId}/policy', {
          params: { path: { centreId } },
          body: patch,
          headers: auth(),
        }),
      ),
    addInspector: (centreId: string, body: { name: string; accreditations: Accreditation[] }) =>
      unwrap(
        commands.POST('/api/v1/centres/{centreId}/inspectors', {
          params: { path: { centreId } },
          body,
          headers: command(),
        }),
      ),
    setAccreditations: (centreId: string, inspectorId: string, accreditations: Accreditation[]) =>
      unwrap(
        commands.PUT('/api/v1/centres/{centreId}/inspectors/{inspectorId}/accreditations', {
          params: { path: { centreId, inspectorId } },
          body: { accreditations },
          headers: auth(),
        }),
      ),
    setSchedule: (centreId: string, inspectorId: string, week: WeekHours) =>
      unwrap(
        commands.PUT('/api/v1/centres/{centreId}/inspectors/{inspectorId}/schedule', {
          params: { path: { centreId, inspectorId } },
          body: { week },
          headers: auth(),
        }),
      ),
    addAbsence: (
      centreId: string,
      inspectorId: string,
      body: { from: string; to: string; kind: 'leave' | 'training' | 'other' },
    ) =>
      unwrap(
        commands.POST('/api/v1/centres/{centreId}/inspectors/{inspectorId}/absences', {
          params: { path: { centreId, inspectorId } },
          body,
          headers: command(),
        }),
      ),
  };
}

export type BackofficeApi = ReturnType<typeof createBackofficeApi>;
