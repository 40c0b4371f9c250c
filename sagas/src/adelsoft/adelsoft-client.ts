import {
  type Appointment,
  type AppointmentChange,
  type InspectionResult,
  isResultPage,
} from './adelsoft-wire.js';

/**
 * The HTTP adapter of the AdelSoft connector (`adelsoft-connector.openapi.yaml`). Every push sends
 * the caller's `Idempotency-Key`. Failures say whether a retry may help: network errors, timeouts,
 * 429 and 5xx are `retryable`; other 4xx are not (the request itself is wrong).
 */
export interface AdelsoftClient {
  createAppointment(centreCode: string, appointment: Appointment, idempotencyKey: string): Promise<void>;
  moveAppointment(
    centreCode: string,
    bookingId: string,
    change: AppointmentChange,
    idempotencyKey: string,
  ): Promise<void>;
  /** Cancelling an appointment AdelSoft does not have (404) counts as done. */
  cancelAppointment(centreCode: string, bookingId: string, idempotencyKey: string): Promise<void>;
  listResults(
    after: string | null,
    limit: number,
  ): Promise<{ results: InspectionResult[]; next: string | null }>;
}

export class AdelsoftError extends Error {
  override readonly name = 'AdelsoftError';
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface AdelsoftClientOptions {
  /** The connector's base URL (the simulator: `http://host/simulators/adelsoft`). */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export function createAdelsoftClient(options: AdelsoftClientOptions): AdelsoftClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    init: { readonly body?: object; readonly idempotencyKey?: string; readonly missingIsDone?: boolean } = {},
  ): Promise<unknown> {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: {
          'x-api-key': options.apiKey,
          accept: 'application/json',
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(init.idempotencyKey === undefined ? {} : { 'idempotency-key': init.idempotencyKey }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new AdelsoftError(`AdelSoft unreachable: ${String(error)}`, 0, true);
    }
    const json: unknown = await response.json().catch(() => undefined);
    if (response.status === 404 && init.missingIsDone === true) return json;
    if (!response.ok) {
      const detail =
        typeof json === 'object' &&
        json !== null &&
        typeof (json as Record<string, unknown>).detail === 'string'
          ? `: ${(json as Record<string, unknown>).detail}`
          : '';
      const retryable = response.status === 429 || response.status >= 500;
      throw new AdelsoftError(
        `AdelSoft ${method} ${path} answered HTTP ${response.status}${detail}`,
        response.status,
        retryable,
      );
    }
    return json;
  }

  const appointmentsOf = (centreCode: string) => `/v1/centres/${encodeURIComponent(centreCode)}/appointments`;

  return {
    async createAppointment(centreCode, appointment, idempotencyKey) {
      await request('POST', appointmentsOf(centreCode), { body: appointment, idempotencyKey });
    },
    async moveAppointment(centreCode, bookingId, change, idempotencyKey) {
      await request('PUT', `${appointmentsOf(centreCode)}/${encodeURIComponent(bookingId)}`, {
        body: change,
        idempotencyKey,
      });
    },
    async cancelAppointment(centreCode, bookingId, idempotencyKey) {
      await request('DELETE', `${appointmentsOf(centreCode)}/${encodeURIComponent(bookingId)}`, {
        idempotencyKey,
        missingIsDone: true,
      });
    },
    async listResults(after, limit) {
      const query = new URLSearchParams({ limit: String(limit), ...(after === null ? {} : { after }) });
      const page = await request('GET', `/v1/results?${query.toString()}`);
      if (!isResultPage(page))
        throw new AdelsoftError('AdelSoft answered a malformed result page', 200, false);
      return page;
    },
  };
}
