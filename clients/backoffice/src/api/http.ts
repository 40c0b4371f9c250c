/**
 * The one place the back office speaks HTTP: bearer token, JSON, `Idempotency-Key` on commands and
 * problem+json errors turned into {@link ApiError} (the UI switches on its stable `code`).
 */

export interface Problem {
  readonly type?: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
  readonly errors?: { path: string; message: string }[];
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
}

export type FetchLike = (input: string | Request, init?: RequestInit) => Promise<Response>;

export interface HttpOptions {
  /** Origin + prefix the paths are appended to; '' for same origin. */
  readonly baseUrl: string;
  readonly fetch: FetchLike;
  readonly token: () => string | null;
  /** Called on a 401 so the session can end (expired token). */
  readonly onUnauthorized?: () => void;
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly query?: Record<string, string | number | undefined | readonly string[]>;
  readonly body?: unknown;
  /** Answer as text (CSV) rather than JSON. */
  readonly text?: boolean;
}

export interface Http {
  request<T>(path: string, options?: RequestOptions): Promise<T>;
}

export function queryString(query: RequestOptions['query']): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

export function createHttp(options: HttpOptions): Http {
  return {
    async request<T>(path: string, request: RequestOptions = {}): Promise<T> {
      const method = request.method ?? 'GET';
      const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
      const token = options.token();
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (method !== 'GET') {
        headers['content-type'] = 'application/json';
        // A retried click never books twice: the server answers the same key with the same result.
        if (method === 'POST') headers['idempotency-key'] = newIdempotencyKey();
      }
      let response: Response;
      try {
        response = await options.fetch(`${options.baseUrl}${path}${queryString(request.query)}`, {
          method,
          headers,
          ...(method === 'GET' ? {} : { body: JSON.stringify(request.body ?? {}) }),
        });
      } catch (error) {
        throw new ApiError({
          title: 'Réseau indisponible',
          status: 0,
          code: 'NETWORK_ERROR',
          detail: error instanceof Error ? error.message : String(error),
        });
      }
      if (response.status === 401) options.onUnauthorized?.();
      if (!response.ok) throw new ApiError(await problemOf(response));
      if (request.text === true) return (await response.text()) as T;
      if (response.status === 204) return undefined as T;
      return (await response.json()) as T;
    },
  };
}

async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text();
  try {
    return problemFrom(JSON.parse(text), response);
  } catch {
    return {
      title: response.statusText || 'Erreur',
      status: response.status,
      code: `HTTP_${response.status}`,
    };
  }
}

/** A problem+json body (or anything else an error answer carried) as a {@link Problem}. */
export function problemFrom(body: unknown, response: Response): Problem {
  const parsed = (typeof body === 'object' && body !== null ? body : {}) as Partial<Problem>;
  return {
    title: parsed.title ?? response.statusText,
    status: parsed.status ?? response.status,
    code: parsed.code ?? `HTTP_${response.status}`,
    ...(parsed.detail === undefined ? {} : { detail: parsed.detail }),
    ...(parsed.errors === undefined ? {} : { errors: parsed.errors }),
  };
}

/** A French sentence for an error, for alerts. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const known = FRENCH_CODES[error.code];
    if (known !== undefined) return known;
    if (error.status === 0) return 'Le serveur est injoignable. Vérifiez la connexion puis réessayez.';
    if (error.status === 404) return 'Introuvable (ou fonction non disponible sur ce serveur).';
    const fields = error.problem.errors?.map((e) => `${e.path} : ${e.message}`).join(' ; ');
    return `${error.problem.title} (${error.code})${fields ? ` — ${fields}` : error.problem.detail ? ` — ${error.problem.detail}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

const FRENCH_CODES: Record<string, string> = {
  INVALID_CREDENTIALS: 'Identifiant ou mot de passe incorrect.',
  TOKEN_EXPIRED: 'Votre session a expiré. Reconnectez-vous.',
  FORBIDDEN: 'Votre rôle ne permet pas cette action.',
  SLOT_TAKEN: 'Ce créneau vient d’être pris. Choisissez-en un autre.',
  OUTSIDE_OPENING_HOURS: 'Ce créneau est en dehors des heures d’ouverture.',
  NOT_ACCREDITED: 'Aucun contrôleur habilité pour ce véhicule sur ce créneau.',
  TOO_LATE_TO_CANCEL: 'Il est trop tard pour annuler ce rendez-vous.',
  CONCURRENT_MODIFICATION: 'Modification concurrente : rechargez puis réessayez.',
  PRECONDITION_FAILED: 'Les données ont changé entre-temps : rechargez puis réessayez.',
};
