import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import type { AdelsoftResultReceiver } from '../adelsoft/adelsoft-saga.js';
import { isResultsWebhook, SIGNATURE_HEADER, webhookSignatureMatches } from '../adelsoft/adelsoft-wire.js';
import { PaymentProviderError } from '../payment/payment-provider.js';
import type { NotificationResult, PaymentService } from '../payment/payment-service.js';
import { acceptFormBodies, stringFields } from '../shared/form-body.js';

/**
 * The HTTP entry points of the sagas, mounted by the composition root under `/api/v1`:
 *
 * | route                                   | from                     | answer                                  |
 * | --------------------------------------- | ------------------------ | --------------------------------------- |
 * | `POST /payments/payzen/ipn`             | Payzen (or the simulator), form | 200 once verified (also for a replay or an unknown order); 400 problem when the signature fails |
 * | `POST /payments/payzen/return`          | the customer's browser, form | 303 to the booking page                 |
 * | `POST /payments/lemonway/notification`  | Lemonway, form or JSON   | 200; 400 for an unknown transaction; 503 when Lemonway cannot be re-read (it retries) |
 * | `POST /adelsoft/results`                | AdelSoft webhook, JSON signed with `X-AdelSoft-Signature` | 202; 401 bad signature |
 */
export interface SagaRoutesOptions {
  readonly payments?: {
    readonly service: PaymentService;
    /** The provider behind the Payzen-format routes: `payzen`, or `simulator` in embedded mode. */
    readonly payzenProvider: 'payzen' | 'simulator';
    /** Whether the Lemonway route is served. */
    readonly lemonway: boolean;
    /** The page the browser lands on after a payment. */
    readonly returnPage: (outcome: {
      readonly bookingId: string | null;
      readonly status: 'paid' | 'failed' | 'pending' | 'unknown';
    }) => string;
  };
  readonly adelsoft?: {
    readonly receiver: AdelsoftResultReceiver;
    readonly webhookSecret: string;
  };
}

const FormBody = Type.Record(Type.String(), Type.String());
const Acknowledgement = Type.Object({ status: Type.String() });
const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  code: Type.String(),
  detail: Type.Optional(Type.String()),
});

function problem(reply: FastifyReply, status: number, code: string, title: string, detail?: string) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title, status, code, ...(detail === undefined ? {} : { detail }) });
}

/** What a provider is told: every verified notification is acknowledged, even one that changes nothing. */
function acknowledge(reply: FastifyReply, result: NotificationResult) {
  if (result.status === 'rejected') {
    return problem(reply, 400, 'invalid_notification', 'Notification de paiement refusée', result.reason);
  }
  return reply.code(200).send({ status: result.status });
}

async function paymentRoutes(app: FastifyInstance, options: NonNullable<SagaRoutesOptions['payments']>) {
  const { service } = options;
  acceptFormBodies(app);
  const formRoute = {
    schema: {
      body: FormBody,
      response: { 200: Acknowledgement, 400: Problem, 503: Problem },
    },
  };

  app.post('/payments/payzen/ipn', formRoute, async (request, reply) =>
    acknowledge(
      reply,
      await service.receiveNotification(options.payzenProvider, {
        fields: stringFields(request.body),
        channel: 'ipn',
      }),
    ),
  );

  app.post('/payments/payzen/return', { schema: { body: FormBody } }, async (request, reply) => {
    const result = await service.receiveNotification(options.payzenProvider, {
      fields: stringFields(request.body),
      channel: 'browser_return',
    });
    const bookingId =
      result.status === 'accepted' || result.status === 'duplicate'
        ? result.bookingId
        : result.status === 'pending'
          ? ((await service.bookingOfOrder(result.orderId)) ?? null)
          : null;
    // The IPN usually arrives first: the browser return is then a duplicate of the same outcome.
    const status =
      result.status === 'accepted' || result.status === 'duplicate'
        ? result.outcome
        : result.status === 'pending'
          ? 'pending'
          : 'unknown';
    return reply.redirect(options.returnPage({ bookingId, status }), 303);
  });

  if (options.lemonway) {
    app.post('/payments/lemonway/notification', formRoute, async (request, reply) => {
      try {
        return acknowledge(
          reply,
          await service.receiveNotification('lemonway', {
            fields: stringFields(request.body),
            channel: 'ipn',
          }),
        );
      } catch (error) {
        // Lemonway could not be re-read: nothing is believed; Lemonway notifies again later.
        if (error instanceof PaymentProviderError && error.retryable) {
          return problem(
            reply,
            503,
            'provider_unavailable',
            'Prestataire de paiement injoignable',
            error.message,
          );
        }
        throw error;
      }
    });
  }
}

async function adelsoftRoutes(app: FastifyInstance, options: NonNullable<SagaRoutesOptions['adelsoft']>) {
  // The signature covers the raw body: JSON is parsed here, after it is checked.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    '/adelsoft/results',
    { schema: { response: { 202: Type.Object({ accepted: Type.Integer() }), 400: Problem, 401: Problem } } },
    async (request, reply) => {
      const raw = typeof request.body === 'string' ? request.body : '';
      const header = request.headers[SIGNATURE_HEADER];
      if (
        !webhookSignatureMatches(raw, typeof header === 'string' ? header : undefined, options.webhookSecret)
      ) {
        return problem(reply, 401, 'invalid_signature', 'Signature AdelSoft invalide');
      }
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return problem(reply, 400, 'invalid_body', 'Corps JSON invalide');
      }
      if (!isResultsWebhook(body)) return problem(reply, 400, 'invalid_body', 'Résultats invalides');
      const { accepted } = await options.receiver.receive(body.results);
      return reply.code(202).send({ accepted });
    },
  );
}

export const sagaRoutes: FastifyPluginAsync<SagaRoutesOptions> = async (app, options) => {
  const { payments, adelsoft } = options;
  if (payments) await app.register(async (child) => paymentRoutes(child, payments));
  if (adelsoft) await app.register(async (child) => adelsoftRoutes(child, adelsoft));
};
