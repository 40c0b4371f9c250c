import { bookingDecider } from '@pti/write-side/domain';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOKING_STREAM, decidedBookingStream } from '../testing/booking-stream.js';
import { CENTRE_STREAM, decidedCentreStream } from '../testing/centre-stream.js';
import { defaultFakeData, fakePorts } from '../testing/fake-ports.js';
import { CAMILLE_BOOKING_ID, GERLAND, TENANT_B } from '../testing/fixtures.js';
import { bearer, buildTestApp, json } from '../testing/test-app.js';

/** A tenant-B booking stream, to prove auditors of A never see it. */
const OTHER_TENANT_STREAM = 'booking-0f0e0d0c-0b0a-4909-8807-060504030201';

let app: FastifyInstance;
const stream = decidedBookingStream();
const data = defaultFakeData();
const ports = fakePorts({
  ...data,
  streams: {
    ...data.streams,
    [OTHER_TENANT_STREAM]: decidedBookingStream(TENANT_B).events,
    [CENTRE_STREAM]: decidedCentreStream(),
  },
});

beforeAll(async () => {
  app = await buildTestApp({ ports });
});
afterAll(async () => {
  await app.close();
});

const get = (url: string, token?: string) =>
  app.inject({ method: 'GET', url, headers: token === undefined ? {} : bearer(token) });

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(json(response)).toMatchObject({ status, code });
}

const stateUrl = (at: string, name = BOOKING_STREAM) =>
  `/api/v1/audit/streams/${name}/state?at=${encodeURIComponent(at)}`;

describe('GET /api/v1/audit/streams/{stream}/state', () => {
  it('answers exactly the state the booking had between two of its events', async () => {
    // Events: placed 08:00, payment requested 08:02, payment succeeded + confirmed 08:04, checked in
    // (14 March) 08:25, completed 09:20 (all UTC).
    const cases: [string, number][] = [
      ['2025-03-10T07:59:59.999Z', 0],
      ['2025-03-10T08:00:00.000Z', 1],
      ['2025-03-10T09:01:30+01:00', 1], // 08:01:30Z, between the placement and the payment request
      ['2025-03-10T08:03:59.999Z', 2],
      ['2025-03-10T08:04:00.000Z', 4],
      ['2025-03-14T08:24:59Z', 4],
      ['2025-03-14T09:00:00Z', 5],
      ['2030-01-01T00:00:00Z', 6],
    ];
    for (const [at, applied] of cases) {
      const response = await get(stateUrl(at), 'auditor-a');
      expect(response.statusCode, at).toBe(200);
      const body = json(response);
      // The state the decider had folded right after the last applied event, nothing more, nothing less.
      const expected = applied === 0 ? bookingDecider.initialState() : stream.statesAfter[applied - 1];
      expect(body.state, at).toEqual(JSON.parse(JSON.stringify(expected)));
      expect(body, at).toMatchObject({
        stream: BOOKING_STREAM,
        aggregate: 'booking',
        at: new Date(at).toISOString(),
        exists: applied > 0,
        revision: applied,
        eventsApplied: applied,
        lastEventAt: applied === 0 ? null : stream.events[applied - 1]?.occurredAt,
      });
    }
  });

  it('shows the lifecycle through the statuses the booking went through', async () => {
    const statusAt = async (at: string) =>
      (json(await get(stateUrl(at), 'admin-a')).state as { status: string }).status;
    expect(await statusAt('2025-03-10T08:03:00Z')).toBe('placed');
    expect(await statusAt('2025-03-12T12:00:00Z')).toBe('confirmed');
    expect(await statusAt('2025-03-14T09:00:00Z')).toBe('checked_in');
    expect(await statusAt('2025-03-15T00:00:00Z')).toBe('completed');
  });

  it('replays a centre stream too: not registered, active, then deactivated', async () => {
    const at = async (instant: string) => json(await get(stateUrl(instant, CENTRE_STREAM), 'auditor-a'));
    expect(await at('2025-01-01T00:00:00Z')).toMatchObject({
      aggregate: 'centre',
      exists: false,
      revision: 0,
    });
    expect(await at('2025-03-01T00:00:00Z')).toMatchObject({
      exists: true,
      revision: 2,
      state: { status: 'active', dailyCapacity: 48, code: 'CT-LYON-GERLAND' },
    });
    expect(await at('2025-07-01T00:00:00Z')).toMatchObject({
      revision: 3,
      state: { status: 'inactive', deactivationReason: 'Travaux de mise aux normes' },
    });
    expectProblem(
      await get(stateUrl('2025-03-01T00:00:00Z', CENTRE_STREAM), 'auditor-villeurbanne'),
      403,
      'OUT_OF_SCOPE',
    );
  });

  it('hides another tenant’s stream (404, as an unknown one)', async () => {
    const other = await get(stateUrl('2025-03-12T12:00:00Z', OTHER_TENANT_STREAM), 'auditor-a');
    const unknown = await get(
      stateUrl('2025-03-12T12:00:00Z', 'booking-00000000-0000-4000-8000-000000000000'),
      'auditor-a',
    );
    expectProblem(other, 404, 'NOT_FOUND');
    expect(other.body).toBe(unknown.body);
    expect((await get(stateUrl('2025-03-12T12:00:00Z', OTHER_TENANT_STREAM), 'auditor-b')).statusCode).toBe(
      200,
    );
  });

  it('keeps a centre-scoped auditor to the streams of their centres', async () => {
    expectProblem(await get(stateUrl('2025-03-12T12:00:00Z'), 'auditor-villeurbanne'), 403, 'OUT_OF_SCOPE');
    expectProblem(
      await get(stateUrl('2025-03-12T12:00:00Z', `calendar-${GERLAND}-2025-03-14`), 'auditor-villeurbanne'),
      403,
      'OUT_OF_SCOPE',
    );
  });

  it('needs audit.read', async () => {
    expectProblem(await get(stateUrl('2025-03-12T12:00:00Z')), 401, 'TOKEN_MISSING');
    expectProblem(await get(stateUrl('2025-03-12T12:00:00Z'), 'conseiller-a'), 403, 'FORBIDDEN');
  });

  it.each([
    ['no instant', `/api/v1/audit/streams/${BOOKING_STREAM}/state`, '/querystring/at'],
    ['an instant without offset', stateUrl('2025-03-12T12:00:00'), '/querystring/at'],
    ['an instant that does not exist', stateUrl('2025-02-30T12:00:00Z'), '/querystring/at'],
    [
      'a stream that is no aggregate',
      '/api/v1/audit/streams/$all/state?at=2025-03-12T12:00:00Z',
      '/params/stream',
    ],
    [
      'an unknown category',
      '/api/v1/audit/streams/invoice-12/state?at=2025-03-12T12:00:00Z',
      '/params/stream',
    ],
  ])('answers 400 for %s', async (_case, url, path) => {
    const response = await get(url, 'auditor-a');
    expectProblem(response, 400, 'INVALID_REQUEST');
    expect((json(response).errors as { path: string }[])[0]?.path).toBe(path);
  });
});

describe('GET /api/v1/audit/streams/{stream}/events', () => {
  const url = `/api/v1/audit/streams/${BOOKING_STREAM}/events`;
  const types = (response: { body: string }) =>
    (json(response).items as { type: string }[]).map((e) => e.type);

  it('answers every event with actor, time and correlation', async () => {
    const response = await get(url, 'auditor-a');
    expect(response.statusCode).toBe(200);
    const items = json(response).items as Record<string, unknown>[];
    expect(items).toHaveLength(6);
    expect(items[0]).toMatchObject({
      stream: BOOKING_STREAM,
      revision: 1,
      type: 'BookingPlaced',
      occurredAt: '2025-03-10T08:00:00.000Z',
      actor: { id: 'web', role: 'motorist' },
      correlationId: 'corr-1',
      data: { bookingId: CAMILLE_BOOKING_ID, reference: 'K7M4-QX2P' },
    });
  });

  it('filters by actor, period and event type', async () => {
    expect(types(await get(`${url}?type=BookingPlaced&type=BookingCompleted`, 'auditor-a'))).toEqual([
      'BookingPlaced',
      'BookingCompleted',
    ]);
    expect(types(await get(`${url}?type=BookingCheckedIn`, 'auditor-a'))).toEqual(['BookingCheckedIn']);
    expect(types(await get(`${url}?from=2025-03-10T08:02:00Z&to=2025-03-10T08:04:00Z`, 'auditor-a'))).toEqual(
      ['PaymentRequested', 'PaymentSucceeded', 'BookingConfirmed'],
    );
    expect(types(await get(`${url}?actor=nobody`, 'auditor-a'))).toEqual([]);
  });

  it('pages in revision order', async () => {
    const first = json(await get(`${url}?limit=4`, 'auditor-a'));
    expect((first.items as { revision: number }[]).map((e) => e.revision)).toEqual([1, 2, 3, 4]);
    const second = json(await get(`${url}?limit=4&cursor=${first.nextCursor as string}`, 'auditor-a'));
    expect((second.items as { revision: number }[]).map((e) => e.revision)).toEqual([5, 6]);
    expect(second.nextCursor).toBeNull();
    expectProblem(
      await get(`${url}?limit=4&type=BookingPlaced&cursor=${first.nextCursor as string}`, 'auditor-a'),
      400,
      'INVALID_CURSOR',
    );
  });

  it('hides another tenant’s stream and checks the centre of calendar streams', async () => {
    expectProblem(
      await get(`/api/v1/audit/streams/${OTHER_TENANT_STREAM}/events`, 'auditor-a'),
      404,
      'NOT_FOUND',
    );
    expectProblem(
      await get(`/api/v1/audit/streams/calendar-${GERLAND}-2025-03-14/events`, 'auditor-villeurbanne'),
      403,
      'OUT_OF_SCOPE',
    );
  });

  it.each([
    ['to before from', `${url}?from=2025-03-11T00:00:00Z&to=2025-03-10T00:00:00Z`, '/querystring/to'],
    ['a malformed type', `${url}?type=booking-placed`, '/querystring/type/0'],
    ['a malformed instant', `${url}?from=yesterday`, '/querystring/from'],
  ])('answers 400 for %s', async (_case, bad, path) => {
    const response = await get(bad, 'auditor-a');
    expectProblem(response, 400, 'INVALID_REQUEST');
    expect((json(response).errors as { path: string }[])[0]?.path).toBe(path);
  });
});

describe('GET /api/v1/ops/projections', () => {
  it('answers every projection with its lag and health', async () => {
    const response = await get('/api/v1/ops/projections', 'admin-a');
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({
      generatedAt: '2025-03-10T08:00:00.000Z',
      healthy: true,
      projections: [
        { name: 'availability', state: 'live', lagEvents: 0, healthy: true },
        { name: 'reporting', state: 'catching_up', lagEvents: 142, healthy: true },
      ],
    });
  });

  it('is for network admins only', async () => {
    expectProblem(await get('/api/v1/ops/projections'), 401, 'TOKEN_MISSING');
    expectProblem(await get('/api/v1/ops/projections', 'auditor-a'), 403, 'FORBIDDEN');
  });
});
