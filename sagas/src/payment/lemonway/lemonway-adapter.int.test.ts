import { createLogger } from '@pti/platform';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sagaRoutes } from '../../http/saga-routes.js';
import { manualClock } from '../../runtime/clock.js';
import { listTimers, migrateComponent, migrateRuntime } from '../../runtime/saga-store.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { closeTestStores, type TestStores, testBackends } from '../../testing/test-stores.js';
import type { PaymentProvider } from '../payment-provider.js';
import { createPaymentService, type PaymentService } from '../payment-service.js';
import { paymentMigrations } from '../payment-store.js';
import { createLemonwayAdapter } from './lemonway-adapter.js';

/**
 * The Lemonway adapter against a fake Lemonway (OAuth, webinit, money-in read, refund) over real
 * HTTP: notifications are never believed as sent, only as read back.
 */
interface FakeLemonway {
  /** Money-ins as Lemonway knows them, by id. */
  readonly moneyIns: Map<string, { id: number; reference: string; status: number; creditAmount: number }>;
  readonly calls: { method: string; url: string; authorization: string | undefined; body: unknown }[];
  tokensIssued: number;
}

afterAll(closeTestStores);

describe.each(testBackends())('Lemonway adapter on $name', (backend) => {
  let stores: TestStores;
  let server: TestServer;
  let fake: FakeLemonway;
  let provider: PaymentProvider;
  let service: PaymentService;
  const clock = manualClock('2026-06-15T08:00:00.000Z');

  beforeEach(async () => {
    stores = await backend.open();
    await migrateRuntime(stores.sql, stores.schema);
    await migrateComponent(stores.sql, stores.schema, 'saga:payment', paymentMigrations(stores.schema));
    fake = { moneyIns: new Map(), calls: [], tokensIssued: 0 };
    server = await startTestServer(async (app, url) => {
      const api = `${url}/lemonway/directkitrest`;
      app.addHook('onRequest', async (request) => {
        if (request.url.startsWith('/lemonway')) {
          fake.calls.push({
            method: request.method,
            url: request.url,
            authorization: request.headers.authorization,
            body: null,
          });
        }
      });
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) =>
        done(null, Object.fromEntries(new URLSearchParams(String(body)))),
      );
      app.post('/lemonway/oauth/token', async (request, reply) => {
        const expected = `Basic ${Buffer.from('client-id:client-secret').toString('base64')}`;
        if (request.headers.authorization !== expected)
          return reply.code(401).send({ error: 'invalid_client' });
        fake.tokensIssued += 1;
        return { access_token: `token-${fake.tokensIssued}`, token_type: 'Bearer', expires_in: 3600 };
      });
      const authorized = (authorization: string | undefined) =>
        authorization?.startsWith('Bearer token-') === true;
      app.post('/lemonway/directkitrest/v2/moneyins/card/webinit', async (request, reply) => {
        if (!authorized(request.headers.authorization)) return reply.code(401).send({});
        const body = request.body as { reference: string; totalAmount: number };
        const last = fake.calls.at(-1);
        if (last) last.body = body;
        const id = 1000 + fake.moneyIns.size;
        fake.moneyIns.set(String(id), {
          id,
          reference: body.reference,
          status: 16,
          creditAmount: body.totalAmount,
        });
        return { webKitToken: `wk-${id}`, id };
      });
      app.get<{ Querystring: { transactionId?: string } }>(
        '/lemonway/directkitrest/v2/moneyins',
        async (request, reply) => {
          if (!authorized(request.headers.authorization)) return reply.code(401).send({});
          const found = fake.moneyIns.get(request.query.transactionId ?? '');
          return { transactions: found ? [found] : [] };
        },
      );
      app.post<{ Params: { id: string } }>(
        '/lemonway/directkitrest/v2/moneyins/:id/refund',
        async (request, reply) => {
          if (!authorized(request.headers.authorization)) return reply.code(401).send({});
          const last = fake.calls.at(-1);
          if (last) last.body = request.body;
          return { transaction: { id: 9000, status: 0 } };
        },
      );
      provider = createLemonwayAdapter({
        apiUrl: api,
        oauthUrl: `${url}/lemonway/oauth/token`,
        clientId: 'client-id',
        clientSecret: 'client-secret',
        walletId: 'pti-wallet',
        webkitUrl: `${url}/lemonway/webkit`,
      });
      service = createPaymentService({
        sql: stores.sql,
        schema: stores.schema,
        providers: [provider],
        clock,
        logger: createLogger({ level: 'silent' }),
      });
      await app.register(sagaRoutes, {
        prefix: '/api/v1',
        payments: { service, payzenProvider: 'payzen', lemonway: true, returnPage: () => '/' },
      });
    });
  });

  afterEach(async () => {
    await server.close();
    await stores.close();
  });

  const start = (paymentId: string) =>
    service.startPayment({
      tenantId: 'tenant-test',
      bookingId: 'booking-1',
      paymentId,
      provider: 'lemonway',
      amountCents: 7800,
      customerEmail: 'camille.martin@example.fr',
      returnUrl: 'https://pti.example/paiement/retour',
    });

  const notify = (fields: Record<string, string>) =>
    fetch(`${server.url}/api/v1/payments/lemonway/notification`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });

  it('starts a web payment with a bearer token obtained once, and sends the browser to the WebKit', async () => {
    const first = await start('payment-1');
    const second = await start('payment-2');
    expect(fake.tokensIssued).toBe(1);
    expect(first.redirectUrl).toBe(`${server.url}/lemonway/webkit?moneyintoken=wk-1000`);
    expect(first.providerReference).toBe('1000');
    expect(second.redirectUrl).toContain('moneyintoken=wk-1001');
    const webinit = fake.calls.find((call) => call.url.endsWith('/webinit'));
    expect(webinit?.authorization).toBe('Bearer token-1');
    expect(webinit?.body).toMatchObject({
      accountId: 'pti-wallet',
      totalAmount: 7800,
      reference: 'payment-1',
      returnUrl: 'https://pti.example/paiement/retour',
      errorUrl: 'https://pti.example/paiement/retour?issue=erreur',
      cancelUrl: 'https://pti.example/paiement/retour?issue=annule',
    });
  });

  it('re-reads the transaction before trusting a notification: Lemonway’s answer wins', async () => {
    await start('payment-1');
    // The notification claims success; Lemonway says the money-in failed.
    fake.moneyIns.set('1000', { id: 1000, reference: 'payment-1', status: 4, creditAmount: 7800 });
    const response = await notify({ response_transactionId: '1000', response_code: '0000', status: '3' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'accepted' });
    const [job] = await listTimers(stores.sql, stores.schema, { kind: 'apply-outcome' });
    expect(job?.payload).toMatchObject({ paymentId: 'payment-1', status: 'failed', transactionId: '1000' });
    const reread = fake.calls.filter(
      (call) => call.method === 'GET' && call.url.includes('transactionId=1000'),
    );
    expect(reread).toHaveLength(1);
  });

  it('accepts a success only as Lemonway reports it, once', async () => {
    await start('payment-1');
    fake.moneyIns.set('1000', { id: 1000, reference: 'payment-1', status: 3, creditAmount: 7800 });
    expect(await (await notify({ response_transactionId: '1000' })).json()).toEqual({ status: 'accepted' });
    expect(await (await notify({ response_transactionId: '1000' })).json()).toEqual({ status: 'duplicate' });
    const jobs = await listTimers(stores.sql, stores.schema, { kind: 'apply-outcome' });
    expect(jobs.map((job) => job.payload.status)).toEqual(['paid']);
    expect(jobs[0]?.payload.amountCents).toBe(7800);
  });

  it('ignores notifications Lemonway cannot confirm, or for payments it was not asked for', async () => {
    await start('payment-1');
    // Unknown to Lemonway: rejected.
    const unknown = await notify({ response_transactionId: '424242' });
    expect(unknown.status).toBe(400);
    // No id at all: rejected.
    expect((await notify({ status: '3' })).status).toBe(400);
    // Known to Lemonway, but for a reference this platform never started: ignored.
    fake.moneyIns.set('5555', { id: 5555, reference: 'someone-else', status: 3, creditAmount: 100 });
    expect(await (await notify({ response_transactionId: '5555' })).json()).toEqual({
      status: 'unknown_order',
    });
    // Still pending at Lemonway: nothing to do yet.
    expect(await (await notify({ response_transactionId: '1000' })).json()).toEqual({ status: 'pending' });
    expect(await listTimers(stores.sql, stores.schema)).toEqual([]);
  });

  it('refunds through the money-in refund endpoint', async () => {
    const refund = await provider.refund({
      paymentId: 'payment-1',
      transactionId: '1000',
      amountCents: 7800,
    });
    expect(refund).toEqual({ refundId: '9000' });
    const call = fake.calls.find((c) => c.url.endsWith('/v2/moneyins/1000/refund'));
    expect(call?.body).toMatchObject({ amountToRefund: 7800 });
  });
});
