// Loads @fastify/swagger's FastifySchema augmentation (tags, summary) for the build, which compiles no test.
import type {} from '@fastify/swagger';
import { requireRole } from '@pti/platform';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { OutboxMessage, OutboxQuery } from '../notifications/outbox.js';
import type { DeadLetter, DeadLetterQuery } from '../runtime/saga-store.js';

/**
 * What staff read of the sagas through the API (mounted under `/api/v1`):
 *
 * | route                                         | who           | what                                   |
 * | --------------------------------------------- | ------------- | -------------------------------------- |
 * | `GET /ops/outbox`                             | admin_reseau  | messages the sagas wrote (embedded mode: nothing else sends them) |
 * | `GET /ops/sagas/dead-letters`                 | admin_reseau  | jobs that failed their last attempt    |
 * | `POST /ops/sagas/dead-letters/{id}/retry`     | admin_reseau  | schedule it again, now                 |
 * | `POST /ops/sagas/dead-letters/{id}/discard`   | admin_reseau  | forget it                              |
 *
 * The outbox holds recipients' addresses: network administrators only (they already see customers).
 */
export interface StaffSagaRoutesOptions {
  listOutbox(query: OutboxQuery): Promise<OutboxMessage[]>;
  readonly deadLetters: {
    list(query?: DeadLetterQuery): Promise<DeadLetter[]>;
    retry(id: string): Promise<DeadLetter | undefined>;
    discard(id: string): Promise<DeadLetter | undefined>;
  };
}

const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  code: Type.String(),
  detail: Type.Optional(Type.String()),
});

const OutboxItem = Type.Object({
  id: Type.String(),
  template: Type.String(),
  channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
  bookingId: Type.Union([Type.String(), Type.Null()]),
  recipient: Type.String(),
  subject: Type.Union([Type.String(), Type.Null()]),
  body: Type.String(),
  attachments: Type.Array(Type.Object({ filename: Type.String(), contentType: Type.String() })),
  status: Type.String(),
  provider: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const OutboxQuerySchema = Type.Object({
  bookingId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  template: Type.Optional(Type.String({ maxLength: 60 })),
  channel: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('sms')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

const DeadLetterItem = Type.Object({
  id: Type.String(),
  saga: Type.String(),
  kind: Type.String(),
  key: Type.String(),
  attempts: Type.Integer(),
  lastError: Type.String(),
  firstScheduledAt: Type.String({ format: 'date-time' }),
  failedAt: Type.String({ format: 'date-time' }),
});

const DeadLetterQuerySchema = Type.Object({
  saga: Type.Optional(Type.String({ maxLength: 60 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

function outboxItem(message: OutboxMessage): Static<typeof OutboxItem> {
  return {
    id: message.id,
    template: message.template,
    channel: message.channel,
    bookingId: message.bookingId,
    recipient: message.recipient,
    subject: message.subject,
    body: message.body,
    attachments: message.attachments.map(({ filename, contentType }) => ({ filename, contentType })),
    status: message.status,
    provider: message.provider,
    createdAt: message.createdAt.toISOString(),
    sentAt: message.sentAt?.toISOString() ?? null,
  };
}

function deadLetterItem(letter: DeadLetter): Static<typeof DeadLetterItem> {
  return {
    id: letter.id,
    saga: letter.saga,
    kind: letter.kind,
    key: letter.key,
    attempts: letter.attempts,
    lastError: letter.lastError,
    firstScheduledAt: letter.firstScheduledAt.toISOString(),
    failedAt: letter.failedAt.toISOString(),
  };
}

function notFound(reply: FastifyReply, id: string) {
  return reply
    .code(404)
    .type('application/problem+json')
    .send({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      code: 'DEAD_LETTER_NOT_FOUND',
      detail: `no dead letter ${id}`,
    });
}

export const staffSagaRoutes: FastifyPluginAsync<StaffSagaRoutesOptions> = async (app, options) => {
  const guard = requireRole('admin_reseau');
  const security = [{ bearerAuth: [] }];

  app.get<{ Querystring: Static<typeof OutboxQuerySchema> }>(
    '/ops/outbox',
    {
      onRequest: guard,
      schema: {
        tags: ['ops'],
        summary: 'Messages written by the notification sagas, newest first',
        security,
        querystring: OutboxQuerySchema,
        response: { 200: Type.Object({ items: Type.Array(OutboxItem) }), 401: Problem, 403: Problem },
      },
    },
    async (request) => ({ items: (await options.listOutbox(request.query)).map(outboxItem) }),
  );

  app.get<{ Querystring: Static<typeof DeadLetterQuerySchema> }>(
    '/ops/sagas/dead-letters',
    {
      onRequest: guard,
      schema: {
        tags: ['ops'],
        summary: 'Saga jobs that failed their last attempt',
        security,
        querystring: DeadLetterQuerySchema,
        response: { 200: Type.Object({ items: Type.Array(DeadLetterItem) }), 401: Problem, 403: Problem },
      },
    },
    async (request) => ({ items: (await options.deadLetters.list(request.query)).map(deadLetterItem) }),
  );

  for (const action of ['retry', 'discard'] as const) {
    app.post<{ Params: Static<typeof IdParams> }>(
      `/ops/sagas/dead-letters/:id/${action}`,
      {
        onRequest: guard,
        schema: {
          tags: ['ops'],
          summary: action === 'retry' ? 'Run a dead-lettered job again now' : 'Forget a dead-lettered job',
          security,
          params: IdParams,
          response: { 200: DeadLetterItem, 401: Problem, 403: Problem, 404: Problem },
        },
      },
      async (request, reply) => {
        const letter = await options.deadLetters[action](request.params.id);
        return letter === undefined ? notFound(reply, request.params.id) : deadLetterItem(letter);
      },
    );
  }
};
