import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { secretEquals } from '../payment/payzen/payzen-wire.js';
import {
  type Appointment,
  type AppointmentReceipt,
  type InspectionResult,
  isAppointment,
  isAppointmentChange,
  SIGNATURE_HEADER,
  webhookSignature,
} from './adelsoft-wire.js';

/**
 * A local AdelSoft implementing `adelsoft-connector.openapi.yaml`: appointments kept in memory,
 * idempotency keys honoured (same key and body: the first answer again, with
 * `Idempotent-Replayed: true`; same key, other body: 422), results served by `GET /v1/results` and
 * posted as signed webhooks. `setOutage(true)` answers 503 to everything, to exercise retries.
 *
 * Mount it with a prefix: `app.register(simulator.plugin, { prefix: '/simulators/adelsoft' })`.
 */
export interface AdelsoftSimulatorOptions {
  readonly apiKey: string;
  /** Where `publishResult` posts the webhook (the platform's `POST /api/v1/adelsoft/results`). */
  readonly webhookUrl?: string;
  readonly webhookSecret?: string;
  readonly fetch?: typeof fetch;
}

export const ADELSOFT_SIMULATOR_API_KEY = 'adelsoft-simulateur-cle';
export const ADELSOFT_SIMULATOR_WEBHOOK_SECRET = 'adelsoft-simulateur-secret-webhook';

export interface SimulatedAppointment {
  readonly appointmentId: string;
  readonly centreCode: string;
  readonly bookingId: string;
  appointment: Appointment;
  status: 'scheduled' | 'cancelled';
}

export interface SimulatedRequest {
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey: string | null;
  readonly status: number;
  readonly replayed: boolean;
}

export interface AdelsoftSimulator {
  readonly plugin: FastifyPluginAsync;
  setOutage(down: boolean): void;
  appointments(): readonly SimulatedAppointment[];
  requests(): readonly SimulatedRequest[];
  results(): readonly InspectionResult[];
  /** Records a result (served by `GET /v1/results`) and posts the webhook when one is configured. */
  publishResult(input: {
    readonly bookingId: string;
    readonly centreCode: string;
    readonly result: 'A' | 'S' | 'R';
    readonly inspectorId?: string | null;
  }): Promise<{ readonly result: InspectionResult; readonly webhookStatus: number | null }>;
}

interface StoredAnswer {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: unknown;
}

function problem(reply: FastifyReply, status: number, title: string, detail?: string) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title, status, ...(detail ? { detail } : {}) });
}

export function createAdelsoftSimulator(options: AdelsoftSimulatorOptions): AdelsoftSimulator {
  const doFetch = options.fetch ?? fetch;
  const appointments = new Map<string, SimulatedAppointment>();
  const answers = new Map<string, StoredAnswer>();
  const requests: SimulatedRequest[] = [];
  const results: InspectionResult[] = [];
  let outage = false;

  const keyOf = (centreCode: string, bookingId: string) => `${centreCode}/${bookingId}`;
  const receipt = (stored: SimulatedAppointment): AppointmentReceipt => ({
    appointmentId: stored.appointmentId,
    bookingId: stored.bookingId,
    status: stored.status,
    start: stored.appointment.start,
  });

  /** Runs a push under its idempotency key: a replay answers the stored answer, unchanged. */
  async function idempotent(
    request: FastifyRequest,
    reply: FastifyReply,
    run: () => { status: number; body: unknown },
  ): Promise<FastifyReply> {
    const header = request.headers['idempotency-key'];
    const key = typeof header === 'string' && header !== '' ? header : null;
    const path = request.url;
    if (key === null) {
      requests.push({ method: request.method, path, idempotencyKey: null, status: 400, replayed: false });
      return problem(reply, 400, 'En-tête Idempotency-Key manquant');
    }
    const fingerprint = `${request.method} ${path} ${JSON.stringify(request.body ?? null)}`;
    const stored = answers.get(key);
    if (stored !== undefined) {
      if (stored.fingerprint !== fingerprint) {
        requests.push({ method: request.method, path, idempotencyKey: key, status: 422, replayed: false });
        return problem(reply, 422, 'Clé d’idempotence déjà utilisée pour une autre requête');
      }
      requests.push({
        method: request.method,
        path,
        idempotencyKey: key,
        status: stored.status,
        replayed: true,
      });
      return reply.code(stored.status).header('idempotent-replayed', 'true').send(stored.body);
    }
    const answer = run();
    if (answer.status < 500) answers.set(key, { fingerprint, ...answer });
    requests.push({
      method: request.method,
      path,
      idempotencyKey: key,
      status: answer.status,
      replayed: false,
    });
    return answer.status >= 400
      ? problem(reply, answer.status, String(answer.body))
      : reply.code(answer.status).send(answer.body);
  }

  async function routes(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', async (request, reply) => {
      const key = request.headers['x-api-key'];
      if (typeof key !== 'string' || !secretEquals(key, options.apiKey)) {
        return problem(reply, 401, 'Clé d’API invalide');
      }
      if (outage) {
        requests.push({
          method: request.method,
          path: request.url,
          idempotencyKey:
            typeof request.headers['idempotency-key'] === 'string'
              ? request.headers['idempotency-key']
              : null,
          status: 503,
          replayed: false,
        });
        return problem(reply, 503, 'Service indisponible', 'AdelSoft est en maintenance');
      }
      return undefined;
    });

    app.post<{ Params: { centreCode: string } }>('/v1/centres/:centreCode/appointments', (request, reply) =>
      idempotent(request, reply, () => {
        const body = request.body;
        if (!isAppointment(body)) return { status: 400, body: 'Rendez-vous invalide' };
        const key = keyOf(request.params.centreCode, body.bookingId);
        const existing = appointments.get(key);
        if (existing !== undefined && existing.status === 'scheduled')
          return { status: 200, body: receipt(existing) };
        const created: SimulatedAppointment = {
          appointmentId: randomUUID(),
          centreCode: request.params.centreCode,
          bookingId: body.bookingId,
          appointment: body,
          status: 'scheduled',
        };
        appointments.set(key, created);
        return { status: 201, body: receipt(created) };
      }),
    );

    app.put<{ Params: { centreCode: string; bookingId: string } }>(
      '/v1/centres/:centreCode/appointments/:bookingId',
      (request, reply) =>
        idempotent(request, reply, () => {
          const body = request.body;
          if (!isAppointmentChange(body)) return { status: 400, body: 'Modification invalide' };
          const existing = appointments.get(keyOf(request.params.centreCode, request.params.bookingId));
          if (existing === undefined || existing.status !== 'scheduled')
            return { status: 404, body: 'Rendez-vous inconnu' };
          existing.appointment = {
            ...existing.appointment,
            start: body.start,
            durationMinutes: body.durationMinutes,
          };
          return { status: 200, body: receipt(existing) };
        }),
    );

    app.delete<{ Params: { centreCode: string; bookingId: string } }>(
      '/v1/centres/:centreCode/appointments/:bookingId',
      (request, reply) =>
        idempotent(request, reply, () => {
          const existing = appointments.get(keyOf(request.params.centreCode, request.params.bookingId));
          if (existing === undefined) return { status: 404, body: 'Rendez-vous inconnu' };
          existing.status = 'cancelled';
          return { status: 200, body: receipt(existing) };
        }),
    );

    app.get<{ Querystring: { after?: string; limit?: string } }>('/v1/results', async (request, reply) => {
      const from = request.query.after === undefined ? 0 : Number(request.query.after);
      const limit = Math.min(500, Math.max(1, Number(request.query.limit ?? 100) || 100));
      if (!Number.isInteger(from) || from < 0) return problem(reply, 400, 'Curseur invalide');
      const page = results.slice(from, from + limit);
      requests.push({ method: 'GET', path: request.url, idempotencyKey: null, status: 200, replayed: false });
      return reply.send({ results: page, next: String(from + page.length) });
    });
  }

  return {
    plugin: routes,
    setOutage(down) {
      outage = down;
    },
    appointments: () => [...appointments.values()],
    requests: () => [...requests],
    results: () => [...results],
    async publishResult(input) {
      const result: InspectionResult = {
        resultId: randomUUID(),
        bookingId: input.bookingId,
        centreCode: input.centreCode,
        result: input.result,
        inspectorId: input.inspectorId ?? null,
        completedAt: new Date().toISOString(),
      };
      results.push(result);
      if (options.webhookUrl === undefined || options.webhookSecret === undefined)
        return { result, webhookStatus: null };
      const body = JSON.stringify({ results: [result] });
      try {
        const response = await doFetch(options.webhookUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER]: webhookSignature(body, options.webhookSecret),
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        return { result, webhookStatus: response.status };
      } catch {
        return { result, webhookStatus: 0 };
      }
    },
  };
}
