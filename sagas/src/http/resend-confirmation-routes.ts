// Loads @fastify/swagger's FastifySchema augmentation (tags, summary) for the build, which compiles no test.
import type {} from '@fastify/swagger';
import {
  AuthorizationError,
  authorizationProblem,
  authorize,
  type Principal,
  requirePermission,
  sendProblem,
} from '@pti/platform';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ConfirmationResender } from '../notifications/confirmation-resend.js';
import type { OutboxMessage } from '../notifications/outbox.js';

/**
 * `POST /staff/bookings/{bookingId}/confirmation/resend` (mounted under `/api/v1`): staff holding
 * `booking.manage_on_behalf` (call centre, opérateur, responsable de centre, admin réseau) re-send a
 * confirmed booking's confirmation, e-mail with its calendar file and SMS, through the notification
 * channels. The `Idempotency-Key` header is required: the same key answers the first call's
 * messages and sends nothing more. Another tenant's booking is a 404, another centre's a 403.
 */
export interface ResendConfirmationRoutesOptions {
  readonly resender: ConfirmationResender;
}

const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  code: Type.String(),
  detail: Type.Optional(Type.String()),
});

const Params = Type.Object({
  bookingId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }),
});

const Headers = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: '1 to 200 printable characters' })),
});

const ResentMessage = Type.Object({
  id: Type.String(),
  channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
  recipient: Type.String(),
  status: Type.String({
    description: '`pending` (a provider will send it), `sent`, or `recorded` (outbox only)',
  }),
  attachments: Type.Array(Type.Object({ filename: Type.String(), contentType: Type.String() })),
  createdAt: Type.String({ format: 'date-time' }),
});

const ResendResponse = Type.Object({
  bookingId: Type.String(),
  /** True when this Idempotency-Key was already used: nothing more was sent. */
  replayed: Type.Boolean(),
  messages: Type.Array(ResentMessage),
});

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

function problem(reply: FastifyReply, status: number, code: string, title: string, detail?: string) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title, status, code, ...(detail === undefined ? {} : { detail }) });
}

function messageView(message: OutboxMessage): Static<typeof ResentMessage> {
  return {
    id: message.id,
    channel: message.channel,
    recipient: message.recipient,
    status: message.status,
    attachments: message.attachments.map(({ filename, contentType }) => ({ filename, contentType })),
    createdAt: message.createdAt.toISOString(),
  };
}

export const resendConfirmationRoutes: FastifyPluginAsync<ResendConfirmationRoutesOptions> = async (
  app,
  options,
) => {
  app.post<{ Params: Static<typeof Params>; Headers: Static<typeof Headers> }>(
    '/staff/bookings/:bookingId/confirmation/resend',
    {
      preHandler: requirePermission('booking.manage_on_behalf'),
      // Answered here as a problem, whatever error handler the host server has.
      attachValidation: true,
      schema: {
        operationId: 'resendBookingConfirmation',
        tags: ['staff'],
        summary: 'Send a confirmed booking’s confirmation (e-mail with calendar file, SMS) again',
        security: [{ bearerAuth: [] }],
        params: Params,
        headers: Headers,
        response: {
          202: ResendResponse,
          400: Problem,
          401: Problem,
          403: Problem,
          404: Problem,
          409: Problem,
          422: Problem,
        },
      },
    },
    async (request, reply) => {
      if (request.validationError !== undefined) {
        return problem(reply, 400, 'INVALID_REQUEST', 'Requête invalide', request.validationError.message);
      }
      const key = request.headers['idempotency-key'];
      if (key === undefined || !IDEMPOTENCY_KEY.test(key)) {
        return problem(
          reply,
          400,
          'IDEMPOTENCY_KEY_REQUIRED',
          'En-tête Idempotency-Key manquant ou invalide',
          'send an Idempotency-Key header of 1 to 200 printable characters',
        );
      }
      const { bookingId } = request.params;
      const principal = request.principal as Principal;
      const scope = await options.resender.scopeOf(bookingId);
      // The very answer another tenant's booking gets: ids cannot be probed across tenants.
      const notFound = () => problem(reply, 404, 'NOT_FOUND', 'Not Found', 'no such resource');
      if (scope === undefined) return notFound();
      const decision = authorize(principal, 'booking.manage_on_behalf', scope);
      if (!decision.allowed) {
        const error = new AuthorizationError(decision.code, decision.reason, decision.violation);
        return sendProblem(reply, authorizationProblem(error, { notFoundOutOfTenant: true }));
      }
      const outcome = await options.resender.resend(bookingId, key);
      switch (outcome.status) {
        case 'not_found':
          return notFound();
        case 'not_confirmed':
          return problem(
            reply,
            409,
            'BOOKING_NOT_CONFIRMED',
            'Seul un rendez-vous confirmé a une confirmation à renvoyer',
            `the booking is ${outcome.bookingStatus}`,
          );
        case 'no_recipient':
          return problem(
            reply,
            422,
            'NO_RECIPIENT',
            'Aucune adresse ni téléphone pour ce client',
            'the customer’s contact details were erased',
          );
        default:
          return reply.code(202).send({
            bookingId: outcome.bookingId,
            replayed: outcome.status === 'replayed',
            messages: outcome.messages.map(messageView),
          });
      }
    },
  );
};
