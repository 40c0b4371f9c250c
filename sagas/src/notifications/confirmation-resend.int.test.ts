import { fastifyAuth, type JwtVerifier, type Principal } from '@pti/platform';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resendConfirmationRoutes } from '../http/resend-confirmation-routes.js';
import { manualClock } from '../runtime/clock.js';
import { createSagaRuntime, type SagaRuntime } from '../runtime/saga-runtime.js';
import { createLedgerWorld, type LedgerWorld, TENANT, WORLD_START } from '../testing/ledger-world.js';
import { closeTestStores, type TestStores, testBackends } from '../testing/test-stores.js';
import type { NotificationChannels, OutgoingEmail } from './channels.js';
import { createConfirmationResender } from './confirmation-resend.js';
import { notificationSaga, publicSiteLinks } from './notification-saga.js';
import { listOutbox } from './outbox.js';

const CENTRE = 'lyon-gerland';
const LINKS = publicSiteLinks('https://rdv.pti.example');

const principal = (role: Principal['role'], tenantId = TENANT, centreIds: string[] = []): Principal => ({
  subject: `${role}-${tenantId}-${centreIds.join('+')}`,
  role,
  tenantId,
  centreIds,
  displayName: role,
});
const PRINCIPALS: Record<string, Principal> = {
  conseiller: principal('call_centre'),
  operateur: principal('operateur', TENANT, [CENTRE]),
  'operateur-ailleurs': principal('operateur', TENANT, ['villeurbanne']),
  'admin-autre-reseau': principal('admin_reseau', 'tenant-other'),
  auditeur: principal('auditor'),
};
const verifier: JwtVerifier = {
  issuer: 'test',
  async verify(token) {
    const found = PRINCIPALS[token];
    if (found === undefined) throw new Error(`unknown test token ${token}`);
    return found;
  },
} as JwtVerifier;

afterAll(closeTestStores);

describe.each(testBackends())('resending a confirmation on $name', (backend) => {
  let stores: TestStores;
  let world: LedgerWorld;
  let runtime: SagaRuntime;
  let app: FastifyInstance;
  let sent: OutgoingEmail[];

  beforeEach(async () => {
    stores = await backend.open();
    world = createLedgerWorld(stores.ledger, manualClock(WORLD_START));
    await world.registerCentre(CENTRE);
    sent = [];
    // An e-mail provider (recording what it is asked to send); no SMS provider: SMS stay in the outbox.
    const channels: NotificationChannels = {
      email: {
        provider: 'test-mail',
        async send(email) {
          sent.push(email);
          return { messageId: `m${sent.length}` };
        },
      },
      sms: null,
    };
    runtime = createSagaRuntime({
      ledger: stores.ledger,
      sql: stores.sql,
      schema: stores.schema,
      sagas: [notificationSaga({ channels, links: LINKS })],
      clock: world.clock,
    });
    await runtime.start({ poll: false });
    app = Fastify({ logger: false });
    await app.register(fastifyAuth, { verifier });
    await app.register(resendConfirmationRoutes, {
      prefix: '/api/v1',
      resender: createConfirmationResender({
        sql: stores.sql,
        schema: stores.schema,
        channels,
        links: LINKS,
        clock: world.clock,
        ledger: stores.ledger,
      }),
    });
  });

  afterEach(async () => {
    await app.close();
    await runtime.stop();
    await stores.close();
  });

  const idle = () => runtime.runUntilIdle({ until: stores.head });
  const resend = (bookingId: string, token: string | null, key: string | null = 'key-1') =>
    app.inject({
      method: 'POST',
      url: `/api/v1/staff/bookings/${bookingId}/confirmation/resend`,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(key === null ? {} : { 'idempotency-key': key }),
      },
    });
  const confirmedBooking = async () => {
    const slot = await world.book({ centreId: CENTRE, start: '10:00', paymentMode: 'on_site' });
    await world.confirmOnSite(slot);
    await idle();
    return slot;
  };
  const resent = async (bookingId: string) =>
    (await listOutbox(stores.sql, stores.schema, { bookingId, template: 'confirmation' })).filter((m) =>
      m.idempotencyKey.startsWith('resend:'),
    );

  it('re-sends the confirmation with its calendar file through the channels, once per Idempotency-Key', async () => {
    const slot = await confirmedBooking();
    sent = [];
    const first = await resend(slot.bookingId, 'conseiller');
    expect(first.statusCode).toBe(202);
    const body = first.json() as {
      replayed: boolean;
      messages: { id: string; channel: string; status: string; recipient: string; attachments: unknown[] }[];
    };
    expect(body.replayed).toBe(false);
    expect(body.messages.map((m) => [m.channel, m.status, m.recipient]).sort()).toEqual([
      ['email', 'pending', 'camille.martin@example.fr'],
      ['sms', 'recorded', '+33612345678'],
    ]);
    expect(body.messages.find((m) => m.channel === 'email')?.attachments).toEqual([
      { filename: 'rendez-vous.ics', contentType: 'text/calendar; charset=utf-8; method=REQUEST' },
    ]);

    // The same key again: the first call's messages, nothing new.
    const again = await resend(slot.bookingId, 'operateur');
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ replayed: true });
    expect((again.json() as typeof body).messages.map((m) => m.id).sort()).toEqual(
      body.messages.map((m) => m.id).sort(),
    );
    expect(await resent(slot.bookingId)).toHaveLength(2);

    // The saga's delivery job sends the e-mail through the provider.
    await idle();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.subject).toBe(
      'Rendez-vous confirmé : contrôle technique le mardi 16 juin 2026 à 10 h 00',
    );
    expect(sent[0]?.attachments[0]?.content).toContain(`UID:${slot.bookingId}@pti-calendar`);
    const email = (await resent(slot.bookingId)).find((m) => m.channel === 'email');
    expect(email).toMatchObject({ status: 'sent', provider: 'test-mail' });

    // Another key: another resend.
    expect((await resend(slot.bookingId, 'conseiller', 'key-2')).statusCode).toBe(202);
    expect(await resent(slot.bookingId)).toHaveLength(4);
  });

  it('refuses bad input: no Idempotency-Key, a malformed id, a booking not confirmed, an unknown one', async () => {
    const slot = await confirmedBooking();
    const missing = await resend(slot.bookingId, 'conseiller', null);
    expect(missing.statusCode).toBe(400);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REQUIRED' });
    expect((await resend(slot.bookingId, 'conseiller', 'a key with spaces')).statusCode).toBe(400);
    expect((await resend('not_an:id', 'conseiller')).statusCode).toBe(400);

    const held = await world.book({ centreId: CENTRE, start: '11:00', paymentMode: 'on_site' });
    await idle();
    const notConfirmed = await resend(held.bookingId, 'conseiller');
    expect(notConfirmed.statusCode).toBe(409);
    expect(notConfirmed.json()).toMatchObject({ code: 'BOOKING_NOT_CONFIRMED' });

    const unknown = await resend('00000000-0000-4000-8000-000000000000', 'conseiller');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'NOT_FOUND' });
    expect(await resent(slot.bookingId)).toEqual([]);
    expect(await resent(held.bookingId)).toEqual([]);
  });

  it('keeps to the caller’s tenant (404, as unknown) and centres (403); needs a role that books on behalf', async () => {
    const slot = await confirmedBooking();
    const otherTenant = await resend(slot.bookingId, 'admin-autre-reseau');
    expect(otherTenant.statusCode).toBe(404);
    expect(otherTenant.json()).toMatchObject({ code: 'NOT_FOUND' });
    expect((await resend(slot.bookingId, 'operateur-ailleurs')).statusCode).toBe(403);
    expect((await resend(slot.bookingId, 'auditeur')).statusCode).toBe(403);
    expect((await resend(slot.bookingId, null)).statusCode).toBe(401);
    expect(await resent(slot.bookingId)).toEqual([]);
  });

  it('finds the tenant of a booking noted before tenants were kept, from its stream', async () => {
    const slot = await confirmedBooking();
    await stores.sql.query(`update ${stores.schema}.notify_bookings set tenant_id = null`);
    expect((await resend(slot.bookingId, 'admin-autre-reseau')).statusCode).toBe(404);
    expect((await resend(slot.bookingId, 'conseiller')).statusCode).toBe(202);
    const { rows } = await stores.sql.query<{ tenant_id: string }>(
      `select tenant_id from ${stores.schema}.notify_bookings where booking_id = $1`,
      [slot.bookingId],
    );
    expect(rows).toEqual([{ tenant_id: TENANT }]);
  });
});
