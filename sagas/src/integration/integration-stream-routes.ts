// Loads @fastify/swagger's FastifySchema augmentation (tags, summary) for the build, which compiles no test.
import type {} from '@fastify/swagger';
import { asyncApiDocument, type MappedIntegrationEvent, PUBLISHED_DOMAIN_EVENT_TYPES } from '@pti/events';
import {
  type Ledger,
  type Position,
  positionFromString,
  type RecordedEvent,
  requireRole,
  START,
} from '@pti/platform';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { integrationEventsOf } from './integration-relay.js';

/**
 * The integration events over HTTP, where Kafka is absent (DESIGN.md §7): the same envelopes the
 * relay publishes, as server-sent events, read from the ledger in its global order.
 *
 * `GET /api/v1/integration/events`: `event:` is the public type (`booking.confirmed`), `id:` the
 * ledger position (`commit/prepare`), `data:` the envelope JSON. A client resumes after the last
 * event it handled by sending that id as `Last-Event-ID` (browsers' EventSource does it by itself on
 * reconnection) or as `?after=`. `?follow=false` answers what is there and closes. Only the caller's
 * tenant's events are sent. `GET /api/v1/integration/asyncapi.json` serves the AsyncAPI 3 document.
 */
export interface IntegrationStreamRoutesOptions {
  readonly ledger: Ledger;
  /** Comment line interval keeping proxies from closing an idle stream (default 15 s). */
  readonly heartbeatMs?: number;
}

const StreamQuery = Type.Object({
  after: Type.Optional(Type.String({ pattern: '^\\d+/\\d+$' })),
  aggregate: Type.Optional(Type.Union([Type.Literal('booking'), Type.Literal('centre')])),
  follow: Type.Optional(Type.Boolean({ default: true })),
});

const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  code: Type.String(),
  detail: Type.Optional(Type.String()),
});

function badPosition(reply: FastifyReply, value: string) {
  return reply
    .code(400)
    .type('application/problem+json')
    .send({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      code: 'INVALID_POSITION',
      detail: `Last-Event-ID / after must be a position "commit/prepare", not ${JSON.stringify(value.slice(0, 40))}`,
    });
}

export function sseFrame(message: MappedIntegrationEvent): string {
  return `id: ${message.envelope.position}\nevent: ${message.envelope.type}\ndata: ${JSON.stringify(message.envelope)}\n\n`;
}

export const integrationStreamRoutes: FastifyPluginAsync<IntegrationStreamRoutesOptions> = async (
  app,
  options,
) => {
  const { ledger } = options;
  const guard = requireRole('admin_reseau', 'analyst', 'auditor');
  const filter = { eventTypes: [...PUBLISHED_DOMAIN_EVENT_TYPES] };
  // Open streams end when the server closes (otherwise close() would wait for every client).
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const finish of [...open]) finish();
  });

  app.get(
    '/integration/asyncapi.json',
    { schema: { tags: ['integration'], summary: 'AsyncAPI 3 document of the public integration events' } },
    async (request) => asyncApiDocument({ httpHost: request.headers.host ?? 'localhost:3000' }),
  );

  app.get<{ Querystring: Static<typeof StreamQuery> }>(
    '/integration/events',
    {
      onRequest: guard,
      schema: {
        tags: ['integration'],
        summary: 'Public integration events as server-sent events, resumable with Last-Event-ID',
        security: [{ bearerAuth: [] }],
        querystring: StreamQuery,
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 60 })) }),
        response: {
          200: {
            description:
              'text/event-stream: `id:` position, `event:` type, `data:` envelope (see the AsyncAPI document)',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          400: Problem,
          401: Problem,
          403: Problem,
        },
      },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      const resumeFrom = typeof header === 'string' && header !== '' ? header : request.query.after;
      let after: Position = START;
      if (resumeFrom !== undefined) {
        try {
          after = positionFromString(resumeFrom);
        } catch {
          return badPosition(reply, resumeFrom);
        }
      }
      const tenantId = request.principal?.tenantId;
      const aggregate = request.query.aggregate;
      const follow = request.query.follow !== false;
      const select = (records: readonly RecordedEvent[]) =>
        integrationEventsOf(records).filter(
          (message) =>
            message.envelope.tenantId === tenantId &&
            (aggregate === undefined || message.envelope.aggregateType === aggregate),
        );

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 2000\n\n');
      let closed = false;
      const write = async (text: string) => {
        if (closed || text === '') return;
        if (!raw.write(text)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              raw.off('drain', done);
              raw.off('close', done);
              resolve();
            };
            raw.once('drain', done);
            raw.once('close', done);
          });
        }
      };

      if (!follow) {
        for (;;) {
          const page = await ledger.readAll({ after, limit: 500, filter });
          await write(select(page.events).map(sseFrame).join(''));
          after = page.next;
          if (page.isEnd || page.events.length === 0) break;
        }
        raw.end();
        return;
      }

      const subscription = ledger.subscribe(
        { after, filter, batchSize: 200 },
        {
          async handle(events) {
            await write(select(events).map(sseFrame).join(''));
          },
        },
      );
      const heartbeat = setInterval(() => {
        if (!closed) raw.write(': keep-alive\n\n');
      }, options.heartbeatMs ?? 15_000);
      const finish = () => {
        if (closed) return;
        closed = true;
        open.delete(finish);
        clearInterval(heartbeat);
        void subscription.stop();
        if (!raw.writableEnded) raw.end();
      };
      request.raw.once('close', finish);
      raw.once('close', finish);
      open.add(finish);
      subscription.done.catch((error: unknown) => {
        request.log.error({ err: error }, 'integration stream failed');
        finish();
      });
    },
  );
};
