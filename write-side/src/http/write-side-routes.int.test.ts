import { bookingStream, calendarStream } from '@pti/events';
import type { Principal } from '@pti/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpCentre, weekOf } from '../centre/centre-setup.js';
import { bookingBody, TEST_HOURS, testCentre } from '../testing/centre-fixtures.js';
import {
  buildTestApp,
  OTHER_TENANT,
  principal,
  systemMeta,
  TENANT,
  type TestApp,
} from '../testing/test-app.js';
import { countEvents } from '../testing/test-store.js';
import { createSqlIdempotencyStore, requestHash } from './idempotency-store.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp('routes');
});
afterAll(() => t.close());

type Json = Record<string, unknown>;
async function call(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET',
  url: string,
  options: { body?: unknown; as?: Principal; headers?: Record<string, string> } = {},
) {
  const headers = { ...(options.as ? await t.bearer(options.as) : {}), ...options.headers };
  const response = await t.app.inject({
    method,
    url,
    headers,
    ...(options.body === undefined ? {} : { payload: options.body as Json }),
  });
  return { status: response.statusCode, body: response.json() as Json, headers: response.headers };
}

const admin = principal('admin_reseau');
const week = weekOf(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'], TEST_HOURS);
const centreBody = (centreId: string) => ({
  centreId,
  code: `R-${centreId.toUpperCase()}`,
  name: 'Centre de test',
  address: '3 rue Garibaldi',
  postcode: '69003',
  city: 'Lyon',
  position: { lat: 45.76, lon: 4.85 },
  contact: { phone: '+33478000000', email: 'contact@example.fr' },
});

describe('centre administration routes', () => {
  it('runs every centre command, with the stream revision as ETag and If-Match honoured', async () => {
    const base = '/api/v1/centres/adm-1';
    const registered = await call('POST', '/api/v1/centres', { body: centreBody('adm-1'), as: admin });
    expect(registered).toMatchObject({ status: 201, body: { centreId: 'adm-1', revision: 1 } });
    expect(registered.headers.etag).toBe('"1"');
    const { centreId: _id, code: _code, ...details } = centreBody('adm-1');
    expect(
      (await call('PUT', `${base}/details`, { body: { ...details, name: 'Nouveau nom' }, as: admin })).status,
    ).toBe(200);
    const hours = await call('PUT', `${base}/opening-hours`, {
      body: { week },
      as: admin,
      headers: { 'if-match': '"2"' },
    });
    expect(hours).toMatchObject({ status: 200, body: { revision: 3 } });
    const before = await countEvents(t.store.ledger);
    const stale = await call('PUT', `${base}/opening-hours`, {
      body: { week },
      as: admin,
      headers: { 'if-match': '"2"' },
    });
    expect(stale).toMatchObject({
      status: 412,
      body: { code: 'PRECONDITION_FAILED', details: { revision: 3 } },
    });
    expect(await countEvents(t.store.ledger)).toBe(before);

    const closure = await call('POST', `${base}/closures`, {
      body: { from: '2026-12-24', to: '2026-12-26', label: 'Noël' },
      as: admin,
    });
    expect(closure.status).toBe(201);
    expect((await call('DELETE', `${base}/closures/${closure.body.closureId}`, { as: admin })).status).toBe(
      200,
    );
    const prices = [{ controlType: 'CTP', vehicleCategory: 'VP', fuel: null, priceCents: 7900 }];
    expect(
      (await call('PUT', `${base}/price-list`, { body: { currency: 'EUR', entries: prices }, as: admin }))
        .status,
    ).toBe(200);
    expect(
      (await call('PATCH', `${base}/policy`, { body: { overbookingPercent: 0, holdMinutes: 20 }, as: admin }))
        .status,
    ).toBe(200);
    expect((await call('PUT', `${base}/daily-capacity`, { body: { capacity: 40 }, as: admin })).status).toBe(
      200,
    );
    const inspector = await call('POST', `${base}/inspectors`, {
      body: { name: 'Jeanne Petit', accreditations: ['VL'] },
      as: admin,
    });
    expect(inspector.status).toBe(201);
    const inspectorUrl = `${base}/inspectors/${inspector.body.inspectorId}`;
    expect(
      (
        await call('PUT', `${inspectorUrl}/accreditations`, {
          body: { accreditations: ['VL', 'L'] },
          as: admin,
        })
      ).status,
    ).toBe(200);
    expect((await call('PUT', `${inspectorUrl}/schedule`, { body: { week }, as: admin })).status).toBe(200);
    const absence = await call('POST', `${inspectorUrl}/absences`, {
      body: { from: '2026-06-10T08:00', to: '2026-06-12T18:00', kind: 'leave' },
      as: admin,
    });
    expect(absence.status).toBe(201);
    expect(
      (await call('DELETE', `${inspectorUrl}/absences/${absence.body.absenceId}`, { as: admin })).status,
    ).toBe(200);
    expect((await call('DELETE', inspectorUrl, { as: admin })).status).toBe(200);
    expect(
      (await call('POST', `${base}/deactivate`, { body: { reason: 'travaux' }, as: admin })).status,
    ).toBe(200);
    const reactivated = await call('POST', `${base}/reactivate`, { as: admin });
    expect(reactivated).toMatchObject({ status: 200, body: { centreId: 'adm-1' } });
    expect(reactivated.headers.etag).toBe(`"${reactivated.body.revision}"`);
    // Domain refusals keep their codes.
    expect(await call('POST', `${base}/reactivate`, { as: admin })).toMatchObject({
      status: 409,
      body: { code: 'CENTRE_ALREADY_ACTIVE' },
    });
    expect(await call('POST', '/api/v1/centres', { body: centreBody('adm-1'), as: admin })).toMatchObject({
      status: 409,
      body: { code: 'CENTRE_ALREADY_REGISTERED' },
    });
  });

  it('scopes staff: 401 without a token, 403 for a role or centre out of reach, 404 for another tenant', async () => {
    await call('POST', '/api/v1/centres', { body: centreBody('adm-2'), as: admin });
    await call('POST', '/api/v1/centres', { body: centreBody('adm-3'), as: admin });
    const url = '/api/v1/centres/adm-2/daily-capacity';
    const body = { capacity: 10 };
    const before = await countEvents(t.store.ledger);
    const anonymous = await call('PUT', url, { body });
    expect(anonymous).toMatchObject({ status: 401, body: { code: 'TOKEN_MISSING' } });
    expect(anonymous.headers['www-authenticate']).toContain('Bearer');
    expect(await call('PUT', url, { body, headers: { authorization: 'Bearer nope' } })).toMatchObject({
      status: 401,
      body: { code: 'TOKEN_INVALID' },
    });
    expect(
      await call('PUT', url, { body, as: principal('controleur', { centreIds: ['adm-2'] }) }),
    ).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    const responsable = principal('responsable_centre', { centreIds: ['adm-3'] });
    expect(await call('PUT', url, { body, as: responsable })).toMatchObject({
      status: 403,
      body: { code: 'OUT_OF_SCOPE' },
    });
    expect(
      await call('PATCH', '/api/v1/centres/adm-3/policy', { body: { horizonDays: 30 }, as: responsable }),
    ).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    const stranger = principal('admin_reseau', { tenantId: OTHER_TENANT });
    expect(await call('PUT', url, { body, as: stranger })).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
    expect(await call('POST', '/api/v1/centres', { body: centreBody('adm-2'), as: stranger })).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
    expect(await countEvents(t.store.ledger)).toBe(before);
    expect(
      (await call('PUT', '/api/v1/centres/adm-3/daily-capacity', { body, as: responsable })).status,
    ).toBe(200);
    // An unknown centre is a plain 404 with the domain code.
    expect(await call('PUT', '/api/v1/centres/nowhere/daily-capacity', { body, as: admin })).toMatchObject({
      status: 404,
      body: { code: 'CENTRE_NOT_REGISTERED' },
    });
  });
});

describe('calendar routes', () => {
  it('blocks and unblocks a period, and reassigns a reservation', async () => {
    await setUpCentre(t.ctx, testCentre('cal-1'), systemMeta());
    const responsable = principal('responsable_centre', { centreIds: ['cal-1'] });
    const day = '/api/v1/centres/cal-1/days/2026-06-03';
    const block = await call('POST', `${day}/blocks`, {
      body: { from: '08:00', to: '09:00', label: 'Étalonnage' },
      as: responsable,
    });
    expect(block).toMatchObject({
      status: 201,
      body: { centreId: 'cal-1', date: '2026-06-03', revision: 1 },
    });
    expect(
      await call('POST', '/api/v1/bookings', { body: bookingBody('cal-1', '2026-06-03T08:15') }),
    ).toMatchObject({
      status: 409,
      body: { code: 'PERIOD_BLOCKED' },
    });
    expect((await call('DELETE', `${day}/blocks/${block.body.blockId}`, { as: responsable })).status).toBe(
      200,
    );
    const placed = await call('POST', '/api/v1/bookings', { body: bookingBody('cal-1', '2026-06-03T08:15') });
    expect(placed.status).toBe(201);
    const reservationId = (await t.ctx.env.ledger.readStream(calendarStream('cal-1', '2026-06-03')))
      .map((event) => event.data as { reservationId?: string })
      .find((data) => data.reservationId)?.reservationId;
    const reassigned = await call('POST', `${day}/reservations/${reservationId}/reassign`, {
      body: { reason: 'manual' },
      as: responsable,
    });
    expect(reassigned).toMatchObject({ status: 200, body: { reservationId } });
    expect(reassigned.body.inspectorId).not.toBe(placed.body.inspectorId);
    expect(
      await call('POST', `${day}/blocks`, { body: { from: '08:00', to: '09:00', label: 'x' } }),
    ).toMatchObject({ status: 401 });
  });

  it('lets a customer wait for a full day and leave with their token; staff may take an entry off', async () => {
    await setUpCentre(
      t.ctx,
      testCentre('cal-2', { inspectors: 1, policy: { overbookingPercent: 0 } }),
      systemMeta(),
    );
    expect(
      (await call('POST', '/api/v1/bookings', { body: bookingBody('cal-2', '2026-06-03T09:00') })).status,
    ).toBe(201);
    const day = '/api/v1/centres/cal-2/days/2026-06-03';
    const wait = {
      contact: { email: 'Attente@Example.fr', phone: '06 11 22 33 44' },
      controlType: 'CTP',
      vehicle: { category: 'VP', fuel: 'Diesel' },
      earliestStart: '09:00',
      latestStart: '09:15',
    };
    expect(await call('POST', `${day}/waitlist`, { body: { ...wait, latestStart: '11:00' } })).toMatchObject({
      status: 409,
      body: { code: 'DAY_NOT_FULL' },
    });
    const joined = await call('POST', `${day}/waitlist`, { body: wait });
    expect(joined).toMatchObject({ status: 201, body: { centreId: 'cal-2' } });
    const entry = `${day}/waitlist/${joined.body.entryId}`;
    expect(await call('POST', `${entry}/leave`, { body: { leaveToken: 'forged.token' } })).toMatchObject({
      status: 422,
      body: { code: 'INVALID_MANAGE_TOKEN' },
    });
    expect(
      (await call('POST', `${entry}/leave`, { body: { leaveToken: joined.body.leaveToken } })).status,
    ).toBe(200);
    const other = await call('POST', `${day}/waitlist`, {
      body: { ...wait, contact: { email: 'b@example.fr' } },
    });
    const operateur = principal('operateur', { centreIds: ['cal-2'] });
    expect((await call('DELETE', `${day}/waitlist/${other.body.entryId}`, { as: operateur })).status).toBe(
      200,
    );
    const events = await t.ctx.env.ledger.readStream(calendarStream('cal-2', '2026-06-03'));
    expect(events.map((event) => event.type)).toEqual([
      'SlotHeld',
      'WaitlistJoined',
      'WaitlistLeft',
      'WaitlistJoined',
      'WaitlistLeft',
    ]);
  });
});

describe('booking routes', () => {
  it('public: place, confirm with the manage token, reschedule and cancel with the link', async () => {
    await setUpCentre(t.ctx, testCentre('bk-1'), systemMeta());
    const placed = await call('POST', '/api/v1/bookings', { body: bookingBody('bk-1', '2026-06-03T09:00') });
    expect(placed).toMatchObject({
      status: 201,
      body: {
        status: 'placed',
        start: '2026-06-03T09:00',
        end: '2026-06-03T09:45',
        priceCents: 7800,
        overbooked: false,
      },
    });
    expect(Object.keys(placed.body).sort()).toEqual(
      [
        'bookingId',
        'centreId',
        'end',
        'holdExpiresAt',
        'inspectorId',
        'manageToken',
        'overbooked',
        'priceCents',
        'reference',
        'start',
        'status',
      ].sort(),
    );
    const { bookingId, manageToken } = placed.body as { bookingId: string; manageToken: string };
    const [placedEvent] = await t.ctx.env.ledger.readStream(bookingStream(bookingId));
    expect(placedEvent?.metadata.actor).toEqual({ id: 'anonymous', role: 'motorist' });
    expect(await call('POST', `/api/v1/bookings/${bookingId}/confirm`, { body: {} })).toMatchObject({
      status: 401,
      body: { code: 'TOKEN_MISSING' },
    });
    const other = await call('POST', '/api/v1/bookings', { body: bookingBody('bk-1', '2026-06-03T10:00') });
    expect(
      await call('POST', `/api/v1/bookings/${bookingId}/confirm`, {
        body: { manageToken: other.body.manageToken },
      }),
    ).toMatchObject({
      status: 422,
      body: { code: 'INVALID_MANAGE_TOKEN', details: { reason: 'wrong_booking' } },
    });
    const confirmed = await call('POST', `/api/v1/bookings/${bookingId}/confirm`, {
      body: { manageToken, paymentMode: 'on_site' },
    });
    expect(confirmed).toMatchObject({ status: 200, body: { status: 'confirmed', paymentMode: 'on_site' } });
    const [, confirmedEvent] = await t.ctx.env.ledger.readStream(bookingStream(bookingId));
    expect(confirmedEvent?.metadata.actor.role).toBe('motorist');
    const moved = await call('POST', `/api/v1/manage/${manageToken}/reschedule`, {
      body: { start: '2026-06-04T14:00' },
    });
    expect(moved).toMatchObject({ status: 200, body: { status: 'confirmed', start: '2026-06-04T14:00' } });
    const cancelled = await call('POST', `/api/v1/manage/${manageToken}/cancel`, {
      body: { comment: 'empêchement' },
    });
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled', refundEligible: false } });
    expect(await call('POST', '/api/v1/manage/AAAA.BBBB/cancel', { body: {} })).toMatchObject({
      status: 422,
      body: { code: 'INVALID_MANAGE_TOKEN' },
    });
  });

  it('staff: place on behalf, confirm, reschedule, cancel; check in, record the result, record a no-show', async () => {
    await setUpCentre(t.ctx, testCentre('bk-2'), systemMeta());
    await setUpCentre(t.ctx, testCentre('bk-3'), systemMeta());
    const agent = principal('call_centre');
    const { centreId: _c, channel: _ch, ...onBehalf } = bookingBody('bk-2', '2026-06-03T09:00');
    const placed = await call('POST', '/api/v1/centres/bk-2/bookings', { body: onBehalf, as: agent });
    expect(placed).toMatchObject({ status: 201, body: { status: 'placed' } });
    const bookingId = placed.body.bookingId as string;
    const [event] = await t.ctx.env.ledger.readStream(bookingStream(bookingId));
    expect(event?.data).toMatchObject({ channel: 'call_centre', paymentMode: 'on_site' });
    expect(event?.metadata.actor).toEqual({ id: 'test-call_centre', role: 'call_centre' });
    expect((await call('POST', `/api/v1/bookings/${bookingId}/confirm`, { as: agent })).body.status).toBe(
      'confirmed',
    );
    const moved = await call('POST', `/api/v1/bookings/${bookingId}/reschedule`, {
      body: { centreId: 'bk-3', start: '2026-06-05T10:00' },
      as: agent,
    });
    expect(moved).toMatchObject({ status: 200, body: { centreId: 'bk-3', start: '2026-06-05T10:00' } });
    expect(
      await call('POST', `/api/v1/bookings/${bookingId}/cancel`, {
        body: { reason: 'duplicate' },
        as: principal('auditor'),
      }),
    ).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(
      await call('POST', `/api/v1/bookings/${bookingId}/cancel`, {
        body: { reason: 'duplicate' },
        as: principal('admin_reseau', { tenantId: OTHER_TENANT }),
      }),
    ).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(
      await call('POST', `/api/v1/bookings/${bookingId}/cancel`, {
        body: { reason: 'duplicate' },
        as: agent,
      }),
    ).toMatchObject({
      status: 200,
      body: { status: 'cancelled' },
    });

    const desk = principal('operateur', { centreIds: ['bk-2'] });
    const a = await call('POST', '/api/v1/centres/bk-2/bookings', {
      body: { ...onBehalf, start: '2026-06-03T10:00' },
      as: desk,
    });
    const b = await call('POST', '/api/v1/centres/bk-2/bookings', {
      body: { ...onBehalf, start: '2026-06-03T11:00' },
      as: desk,
    });
    expect(a.status).toBe(201);
    await call('POST', `/api/v1/bookings/${a.body.bookingId}/confirm`, { as: desk });
    await call('POST', `/api/v1/bookings/${b.body.bookingId}/confirm`, { as: desk });
    t.clock.set('2026-06-03T07:55:00.000Z');
    try {
      const checkedIn = await call('POST', `/api/v1/bookings/${a.body.bookingId}/check-in`, {
        body: { inspectorId: 'insp-2' },
        as: desk,
      });
      expect(checkedIn).toMatchObject({ status: 200, body: { status: 'checked_in', inspectorId: 'insp-2' } });
      const controleur = principal('controleur', { centreIds: ['bk-2'] });
      expect(
        await call('POST', `/api/v1/bookings/${a.body.bookingId}/result`, {
          body: { result: 'R' },
          as: controleur,
        }),
      ).toMatchObject({
        status: 200,
        body: { status: 'completed', result: 'R', contreVisiteDueBy: '2026-08-03' },
      });
      expect(await call('POST', `/api/v1/bookings/${b.body.bookingId}/no-show`, { as: desk })).toMatchObject({
        status: 409,
        body: { code: 'INVALID_TRANSITION', details: { reason: 'TOO_EARLY_FOR_NO_SHOW' } },
      });
      t.clock.set('2026-06-03T09:30:00.000Z');
      expect(await call('POST', `/api/v1/bookings/${b.body.bookingId}/no-show`, { as: desk })).toMatchObject({
        status: 200,
        body: { status: 'no_show' },
      });
    } finally {
      t.clock.set('2026-06-01T06:00:00.000Z');
    }
  });
});

describe('Idempotency-Key', () => {
  it('answers a repeated request the same and books once; refuses the key for another request', async () => {
    await setUpCentre(t.ctx, testCentre('idem-1'), systemMeta());
    const body = bookingBody('idem-1', '2026-06-03T09:00');
    const headers = { 'idempotency-key': 'place-idem-1' };
    const first = await call('POST', '/api/v1/bookings', { body, headers });
    const second = await call('POST', '/api/v1/bookings', { body, headers });
    expect(first.status).toBe(201);
    expect(second).toEqual({ ...first, headers: expect.objectContaining({ 'idempotent-replayed': 'true' }) });
    expect(await t.ctx.env.ledger.readStream(calendarStream('idem-1', '2026-06-03'))).toHaveLength(1);
    expect(await t.ctx.env.ledger.readStream(bookingStream(first.body.bookingId as string))).toHaveLength(1);
    const before = await countEvents(t.store.ledger);
    expect(
      await call('POST', '/api/v1/bookings', { body: { ...body, start: '2026-06-03T10:00' }, headers }),
    ).toMatchObject({
      status: 422,
      body: { code: 'IDEMPOTENCY_KEY_REUSED' },
    });
    // The first request with a key still running: the second waits its turn.
    const running = createSqlIdempotencyStore(t.store.sql, t.store.schema);
    const late = { ...body, start: '2026-06-03T11:00' };
    await running.begin(
      TENANT,
      'in-flight',
      requestHash('POST', '/api/v1/bookings', { body: late, actor: 'anonymous' }),
    );
    expect(
      await call('POST', '/api/v1/bookings', { body: late, headers: { 'idempotency-key': 'in-flight' } }),
    ).toMatchObject({
      status: 409,
      body: { code: 'IDEMPOTENCY_KEY_IN_USE' },
    });
    expect(await countEvents(t.store.ledger)).toBe(before);
    // A refused command forgets its key: the client may retry once the cause is fixed.
    const refused = await call('POST', '/api/v1/bookings', {
      body: { ...body, start: '2026-06-07T09:00' },
      headers: { 'idempotency-key': 'k2' },
    });
    expect(refused).toMatchObject({ status: 409, body: { code: 'CENTRE_CLOSED' } });
  });
});

describe('OpenAPI', () => {
  it('documents every command route with its request and problem responses', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const doc = response.json() as {
      paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.length).toBe(34);
    for (const { operation } of operations) {
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['4XX', '5XX']));
    }
    expect(doc.paths['/api/v1/bookings']?.post?.requestBody).toBeDefined();
  });
});
