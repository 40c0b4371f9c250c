import { asProblem, type CommandPaths, createPtiApi, idempotencyKey, type ReadPaths } from '@pti/api-client';

/** The platform's API as this app uses it: the generated, typed client on the page's origin. */
export const api = createPtiApi();

type JsonOf<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type PlaceBookingBody = JsonOf<CommandPaths['/api/v1/bookings']['post']['requestBody']>;
export type PlacedBooking = JsonOf<CommandPaths['/api/v1/bookings']['post']['responses'][201]>;
export type HoldBody = JsonOf<CommandPaths['/api/v1/holds']['post']['requestBody']>;
/** One booking a signed-in fleet manager placed (`GET /api/v1/pro/bookings`). */
export type AccountBooking = JsonOf<
  ReadPaths['/api/v1/pro/bookings']['get']['responses'][200]
>['items'][number];
export type HeldSlot = JsonOf<CommandPaths['/api/v1/holds']['post']['responses'][201]>;
export type CentreSearchPage = JsonOf<ReadPaths['/api/v1/centres']['get']['responses'][200]>;
export type CentreSearchHit = CentreSearchPage['items'][number];
export type CentreCard = JsonOf<ReadPaths['/api/v1/centres/{centreId}']['get']['responses'][200]>;
export type Availability = JsonOf<
  ReadPaths['/api/v1/centres/{centreId}/availability']['get']['responses'][200]
>;
export type PublicBooking = JsonOf<ReadPaths['/api/v1/bookings/by-manage-token']['get']['responses'][200]>;

/** A failed call, in words for the person and with the API's stable code for the program. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const FRENCH_MESSAGES: Record<string, string> = {
  SLOT_TAKEN: 'Ce créneau vient d’être pris. Choisissez-en un autre.',
  DAY_FULL: 'Cette journée est complète. Choisissez un autre jour.',
  INSPECTOR_UNAVAILABLE: 'Ce créneau vient d’être pris. Choisissez-en un autre.',
  TOO_SHORT_NOTICE: 'Ce créneau est trop proche pour être réservé en ligne.',
  BEYOND_HORIZON: 'Ce créneau est trop éloigné pour être réservé en ligne.',
  NOT_ACCREDITED: 'Ce centre ne peut pas contrôler ce type de véhicule.',
  NOT_PRICED: 'Ce centre ne propose pas ce contrôle pour ce véhicule.',
  CENTRE_CLOSED: 'Le centre est fermé à cette heure-là.',
  OUTSIDE_OPENING_HOURS: 'Le centre est fermé à cette heure-là.',
  INVALID_SIRET: 'Le numéro SIRET n’est pas valide.',
  TOO_LATE_TO_CANCEL: 'Il est trop tard pour modifier ce rendez-vous en ligne : appelez le centre.',
  HOLD_EXPIRED: 'Le délai de réservation de 15 minutes est écoulé : le créneau a été libéré.',
  RESERVATION_ENDED: 'Le créneau qui vous était réservé a été libéré. Choisissez-en un autre.',
  UNKNOWN_RESERVATION: 'Le créneau qui vous était réservé a été libéré. Choisissez-en un autre.',
  INVALID_HOLD_TOKEN: 'Le créneau qui vous était réservé a été libéré. Choisissez-en un autre.',
  HOLD_ALREADY_USED: 'Ce créneau a déjà été réservé depuis cette page : consultez « Mes rendez-vous ».',
  INVALID_PLATE: 'L’immatriculation n’est pas valide.',
  BOOKING_NOT_FOUND: 'Aucun rendez-vous ne correspond à ces informations.',
  MANAGE_LINK_EXPIRED: 'Ce lien a expiré : retrouvez le rendez-vous avec sa référence.',
  INVALID_CREDENTIALS: 'Identifiant ou mot de passe incorrect.',
  RATE_LIMITED: 'Trop de tentatives : réessayez dans une minute.',
};

export function apiError(response: Response | undefined, body: unknown): ApiError {
  const problem = asProblem(body);
  const code = problem?.code ?? (response ? `HTTP_${response.status}` : 'NETWORK');
  const known = FRENCH_MESSAGES[code];
  const fallback =
    response === undefined
      ? 'Connexion impossible. Vérifiez votre réseau puis réessayez.'
      : response.status === 404
        ? 'Service ou élément introuvable.'
        : `La demande a échoué (${problem?.detail ?? problem?.title ?? response.status}).`;
  return new ApiError(response?.status ?? 0, code, known ?? fallback);
}

/** Unwraps an openapi-fetch result, throwing an {@link ApiError} on any problem answer. */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request;
  } catch {
    throw apiError(undefined, null);
  }
  if (result.data === undefined || !result.response.ok) throw apiError(result.response, result.error);
  return result.data;
}

export function placeBooking(body: PlaceBookingBody, key: string = idempotencyKey()) {
  return call(
    api.commands.POST('/api/v1/bookings', { body, params: { header: { 'idempotency-key': key } } }),
  );
}

/** Picking a slot holds it: the hold, its countdown's end and the token to book on it. */
export function holdSlot(body: HoldBody, key: string = idempotencyKey()) {
  return call(api.commands.POST('/api/v1/holds', { body, params: { header: { 'idempotency-key': key } } }));
}

/** Lets go of a hold not booked (the person picks another slot): the slot is free again at once. */
export function releaseHold(hold: HeldSlot) {
  return call(
    api.commands.POST('/api/v1/holds/{holdId}/release', {
      params: { path: { holdId: hold.holdId }, header: { 'idempotency-key': idempotencyKey() } },
      body: { token: hold.holdToken, centreId: hold.centreId, start: hold.start },
    }),
  );
}

export function confirmOnSite(bookingId: string, manageToken: string) {
  return call(
    api.commands.POST('/api/v1/bookings/{bookingId}/confirm', {
      params: { path: { bookingId }, header: { 'idempotency-key': idempotencyKey() } },
      body: { paymentMode: 'on_site', manageToken },
    }),
  );
}

export function bookingByToken(token: string) {
  return call(api.queries.GET('/api/v1/bookings/by-manage-token', { params: { query: { token } } }));
}

export function cancelByToken(token: string) {
  return call(
    api.commands.POST('/api/v1/manage/{token}/cancel', {
      params: { path: { token }, header: { 'idempotency-key': idempotencyKey() } },
      body: {},
    }),
  );
}

export function rescheduleByToken(token: string, start: string) {
  return call(
    api.commands.POST('/api/v1/manage/{token}/reschedule', {
      params: { path: { token }, header: { 'idempotency-key': idempotencyKey() } },
      body: { start },
    }),
  );
}

/** The owner's proof travels as a query: the documents are links the browser opens itself. */
export function documentUrl(reference: string, email: string, kind: 'calendar.ics' | 'confirmation.pdf') {
  return `/api/v1/bookings/${encodeURIComponent(reference)}/${kind}?${new URLSearchParams({ email })}`;
}

/** Codes that mean "the slot is gone": the draft's and the form's message say so plainly. */
export const SLOT_GONE_CODES: ReadonlySet<string> = new Set([
  'SLOT_TAKEN',
  'DAY_FULL',
  'INSPECTOR_UNAVAILABLE',
  'TOO_SHORT_NOTICE',
  'HOLD_EXPIRED',
  'RESERVATION_ENDED',
]);

/** Codes that mean "the hold this page had is gone" (expired, released, unknown): pick again. */
export const HOLD_LOST_CODES: ReadonlySet<string> = new Set([
  'HOLD_EXPIRED',
  'RESERVATION_ENDED',
  'UNKNOWN_RESERVATION',
  'INVALID_HOLD_TOKEN',
]);
