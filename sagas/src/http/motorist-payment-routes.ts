// Loads @fastify/swagger's FastifySchema augmentation (tags, summary) for the build, which compiles no test.

import { randomUUID } from 'node:crypto';
import type {} from '@fastify/swagger';
import type { ActorRole, PaymentProvider as PaymentProviderName } from '@pti/events';
import {
  CommandHeaders,
  correlationIdOf,
  DomainError,
  locateBooking,
  problem,
  problemOf,
  problemResponses,
  requestIds,
  requireManageToken,
  sendProblemDetails,
  type WriteSideContext,
} from '@pti/write-side';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyPluginAsync } from 'fastify';
import { requestBookingPayment } from '../commands/write-side-commands.js';
import type { PaymentService } from '../payment/payment-service.js';

/**
 * How a motorist pays a held booking online (DESIGN.md §7, payment):
 *
 * 1. `POST /api/v1/manage/{token}/payment` with the booking's manage token: the write side records
 *    `RequestPayment` (the amount still due, while the hold runs), the provider is asked for a
 *    payment form, and the answer carries `redirectUrl` (the provider's hosted page; in embedded
 *    mode the Payzen simulator's page under `/simulators/payzen/form`) and Payzen's `formToken`
 *    (for the embedded JS form);
 * 2. the motorist pays or declines on that page; the provider posts its signed IPN to
 *    `POST /api/v1/payments/payzen/ipn` and the browser comes back through
 *    `POST /api/v1/payments/payzen/return` (303 to the public site's result page);
 * 3. the payment saga records the outcome: success confirms the booking and its hold; decline or
 *    timeout (the hold ran out) expires the booking and releases the slot; a later cancellation
 *    within policy (`POST /api/v1/manage/{token}/cancel`) refunds.
 *
 * With an `Idempotency-Key` the payment id derives from it, so a retried request asks for the same
 * payment (the booking records it once).
 */
export interface MotoristPaymentRoutesOptions {
  readonly writeSide: WriteSideContext;
  readonly payments: PaymentService;
  /** The provider new payments go to (the first configured: `simulator` in embedded mode). */
  readonly provider: PaymentProviderName;
  /** Where the provider sends the browser back (the Payzen return route). */
  readonly returnUrl: string;
}

export const PaymentStartResponse = Type.Object(
  {
    bookingId: Type.String(),
    paymentId: Type.String(),
    provider: Type.String(),
    amountCents: Type.Integer({ minimum: 1 }),
    currency: Type.Literal('EUR'),
    /** The page to send the browser to (the provider's hosted form). */
    redirectUrl: Type.Union([Type.String(), Type.Null()]),
    /** Payzen's form token, for its embedded JS form. */
    formToken: Type.Union([Type.String(), Type.Null()]),
    /** The payment must be completed before the hold runs out. */
    holdExpiresAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'PaymentStart', description: 'A payment started with the provider' },
);
export type PaymentStartResponse = Static<typeof PaymentStartResponse>;

const ManageParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 600 }) });

function customerRole(kind: 'private' | 'company'): ActorRole {
  return kind === 'company' ? 'client_pro' : 'motorist';
}

export const motoristPaymentRoutes: FastifyPluginAsync<MotoristPaymentRoutesOptions> = async (
  app: FastifyInstance,
  options,
) => {
  const ctx = options.writeSide;
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = problemOf(error);
    if (known) {
      if (known.status >= 500) request.log.error({ err: error }, 'payment start failed');
      return sendProblemDetails(reply, known);
    }
    request.log.error({ err: error }, 'payment start failed');
    return sendProblemDetails(
      reply,
      problem(502, 'PAYMENT_PROVIDER_UNAVAILABLE', 'the payment provider could not be reached; try again'),
    );
  });

  app.post<{ Params: Static<typeof ManageParams> }>(
    '/manage/:token/payment',
    {
      schema: {
        tags: ['manage'],
        summary: 'Pay a held booking online: records the payment request and opens the provider’s form',
        description:
          'Answers the provider page to send the browser to. The provider then notifies the platform (IPN) and the booking is confirmed, or its slot released when the payment is declined or the hold runs out.',
        headers: CommandHeaders,
        params: ManageParams,
        response: { 201: PaymentStartResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const bookingId = requireManageToken(
        request.params.token,
        ctx.secrets.manageTokenSecrets,
        ctx.env.now(),
      );
      const location = await locateBooking(ctx, bookingId);
      if (location === undefined) {
        throw new DomainError('BOOKING_NOT_FOUND', 'the booking does not exist', {
          reason: 'BOOKING_NOT_FOUND',
        });
      }
      const header = request.headers['idempotency-key'];
      const key = typeof header === 'string' ? header : undefined;
      const meta = {
        origin: {
          tenantId: location.tenantId,
          actor: { id: location.customerId, role: customerRole(location.customerKind) },
          correlationId: correlationIdOf(request),
        },
        ...(key === undefined ? {} : { idempotencyKey: key }),
      };
      const paymentId = key === undefined ? randomUUID() : requestIds(meta).id('payment');
      const { booking, amountCents } = await requestBookingPayment(
        ctx,
        { bookingId, paymentId, provider: options.provider },
        meta,
      );
      const session = await options.payments.startPayment({
        tenantId: location.tenantId,
        bookingId,
        paymentId,
        provider: options.provider,
        amountCents,
        customerEmail: booking.customer.email,
        reference: booking.reference,
        returnUrl: options.returnUrl,
      });
      reply.header('x-correlation-id', meta.origin.correlationId);
      const body: PaymentStartResponse = {
        bookingId,
        paymentId,
        provider: session.provider,
        amountCents,
        currency: 'EUR',
        redirectUrl: session.redirectUrl,
        formToken: session.formToken,
        holdExpiresAt: booking.holdExpiresAt,
      };
      return reply.code(201).send(body);
    },
  );
};
