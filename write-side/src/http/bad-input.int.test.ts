import type { Principal } from '@pti/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpCentre, weekOf } from '../centre/centre-setup.js';
import { bookingBody, TEST_HOURS, testCentre } from '../testing/centre-fixtures.js';
import { buildTestApp, principal, systemMeta, type TestApp } from '../testing/test-app.js';
import { countEvents } from '../testing/test-store.js';

/**
 * Every command route against bad input: malformed JSON, wrong types, unknown fields, impossible
 * dates, bad ids, bad plates, huge bodies, other media types, bad headers. Each answer must be a 4xx
 * application/problem+json with a code, never a 5xx, and the ledger must hold exactly what it held
 * before.
 */

let t: TestApp;
let bookingId = '';
let manageToken = '';
beforeAll(async () => {
  t = await buildTestApp('bad_input');
  await setUpCentre(t.ctx, testCentre('bad-1'), systemMeta());
  const placed = await t.app.inject({
    method: 'POST',
    url: '/api/v1/bookings',
    payload: bookingBody('bad-1', '2026-06-03T09:00'),
  });
  bookingId = placed.json().bookingId;
  manageToken = placed.json().manageToken;
});
afterAll(() => t.close());

interface RouteCase {
  readonly method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: () => string;
  readonly as?: Principal;
  /** A valid body, whose fields are mutated one by one. */
  readonly body: Record<string, unknown>;
  /** Body fields holding a local date or date-time, to be made impossible. */
  readonly dates?: readonly string[];
}

const admin = principal('admin_reseau');
const staff = principal('responsable_centre', { centreIds: ['bad-1'] });
const C = '/api/v1/centres/bad-1';
const D = `${C}/days/2026-06-03`;
const week = weekOf(['monday'], TEST_HOURS);
const details = {
  name: 'Centre',
  address: '1 rue',
  postcode: '69007',
  city: 'Lyon',
  position: { lat: 45, lon: 4 },
  contact: { phone: '+33478000000', email: 'c@example.fr' },
};
const { centreId: _centre, channel: _channel, ...onBehalf } = bookingBody('bad-1', '2026-06-04T09:00');

const routes: readonly RouteCase[] = [
  {
    method: 'POST',
    url: () => '/api/v1/centres',
    as: admin,
    body: { centreId: 'bad-new', code: 'BAD-NEW', ...details },
  },
  { method: 'PUT', url: () => `${C}/details`, as: staff, body: details },
  { method: 'PUT', url: () => `${C}/opening-hours`, as: staff, body: { week } },
  {
    method: 'POST',
    url: () => `${C}/closures`,
    as: staff,
    body: { from: '2026-07-14', to: '2026-07-14', label: 'Fête' },
    dates: ['from', 'to'],
  },
  { method: 'DELETE', url: () => `${C}/closures/noel`, as: staff, body: {} },
  {
    method: 'PUT',
    url: () => `${C}/price-list`,
    as: staff,
    body: {
      currency: 'EUR',
      entries: [{ controlType: 'CTP', vehicleCategory: 'VP', fuel: null, priceCents: 7800 }],
    },
  },
  { method: 'PATCH', url: () => `${C}/policy`, as: admin, body: { holdMinutes: 20 } },
  { method: 'PUT', url: () => `${C}/daily-capacity`, as: staff, body: { capacity: 20 } },
  {
    method: 'POST',
    url: () => `${C}/inspectors`,
    as: staff,
    body: { name: 'Nouvel inspecteur', accreditations: ['VL'] },
  },
  { method: 'DELETE', url: () => `${C}/inspectors/insp-9`, as: staff, body: {} },
  {
    method: 'PUT',
    url: () => `${C}/inspectors/insp-1/accreditations`,
    as: staff,
    body: { accreditations: ['VL'] },
  },
  { method: 'PUT', url: () => `${C}/inspectors/insp-1/schedule`, as: staff, body: { week } },
  {
    method: 'POST',
    url: () => `${C}/inspectors/insp-1/absences`,
    as: staff,
    body: { from: '2026-06-10T08:00', to: '2026-06-10T12:00', kind: 'training' },
    dates: ['from', 'to'],
  },
  { method: 'DELETE', url: () => `${C}/inspectors/insp-1/absences/abs-1`, as: staff, body: {} },
  { method: 'POST', url: () => `${C}/deactivate`, as: admin, body: { reason: 'travaux' } },
  { method: 'POST', url: () => `${C}/reactivate`, as: admin, body: {} },
  { method: 'POST', url: () => `${D}/blocks`, as: staff, body: { from: '08:00', to: '09:00', label: 'x' } },
  { method: 'DELETE', url: () => `${D}/blocks/blk-1`, as: staff, body: {} },
  { method: 'POST', url: () => `${D}/reservations/res-1/reassign`, as: staff, body: { reason: 'manual' } },
  {
    method: 'POST',
    url: () => `${D}/waitlist`,
    body: {
      contact: { email: 'w@example.fr' },
      controlType: 'CTP',
      vehicle: { category: 'VP', fuel: 'Diesel' },
      earliestStart: '09:00',
      latestStart: '10:00',
    },
  },
  { method: 'POST', url: () => `${D}/waitlist/ent-1/leave`, body: { leaveToken: 'a.b' } },
  { method: 'DELETE', url: () => `${D}/waitlist/ent-1`, as: staff, body: {} },
  {
    method: 'POST',
    url: () => '/api/v1/bookings',
    body: bookingBody('bad-1', '2026-06-04T09:00'),
    dates: ['start'],
  },
  {
    method: 'POST',
    url: () => '/api/v1/holds',
    body: {
      centreId: 'bad-1',
      start: '2026-06-04T10:00',
      controlType: 'CTP',
      vehicle: { category: 'VP', fuel: 'Essence' },
    },
    dates: ['start'],
  },
  {
    method: 'POST',
    url: () => '/api/v1/holds/00000000-0000-4000-8000-000000000001/release',
    body: { token: 'a.b', centreId: 'bad-1', start: '2026-06-04T10:00' },
    dates: ['start'],
  },
  { method: 'POST', url: () => `${C}/bookings`, as: staff, body: onBehalf, dates: ['start'] },
  { method: 'POST', url: () => `/api/v1/bookings/${bookingId}/confirm`, body: { manageToken: 'a.b' } },
  { method: 'POST', url: () => `/api/v1/manage/${manageToken}/cancel`, body: { comment: 'non' } },
  {
    method: 'POST',
    url: () => `/api/v1/manage/${manageToken}/reschedule`,
    body: { start: '2026-06-05T09:00' },
    dates: ['start'],
  },
  { method: 'POST', url: () => `/api/v1/bookings/${bookingId}/cancel`, as: staff, body: { reason: 'other' } },
  {
    method: 'POST',
    url: () => `/api/v1/bookings/${bookingId}/reschedule`,
    as: staff,
    body: { start: '2026-06-05T09:00' },
    dates: ['start'],
  },
  { method: 'POST', url: () => `/api/v1/bookings/${bookingId}/check-in`, as: staff, body: {} },
  { method: 'POST', url: () => `/api/v1/bookings/${bookingId}/result`, as: staff, body: { result: 'A' } },
  { method: 'POST', url: () => `/api/v1/bookings/${bookingId}/no-show`, as: staff, body: {} },
];

/** A value of another JSON type than `value`. */
function wrongType(value: unknown): unknown {
  if (typeof value === 'string') return 12345;
  if (typeof value === 'number') return '45';
  if (typeof value === 'boolean') return 'true';
  if (Array.isArray(value)) return { not: 'an array' };
  if (value === null) return ['null'];
  return 'not an object';
}

function impossible(value: unknown): string {
  return typeof value === 'string' && value.includes('T') ? '2026-02-30T09:00' : '2026-02-30';
}

interface Attempt {
  readonly label: string;
  readonly payload?: string;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  readonly url?: string;
  readonly expect: number | readonly number[];
}

function attemptsFor(route: RouteCase): Attempt[] {
  const json = (body: unknown) => JSON.stringify(body);
  const attempts: Attempt[] = [
    { label: 'malformed JSON', payload: '{"a": ', contentType: 'application/json', expect: 400 },
    { label: 'JSON announced, empty body', payload: '', contentType: 'application/json', expect: 400 },
    { label: 'an array body', payload: '[]', contentType: 'application/json', expect: 400 },
    { label: 'a string body', payload: '"hello"', contentType: 'application/json', expect: 400 },
    {
      label: 'an unknown field',
      payload: json({ ...route.body, unexpected: true }),
      contentType: 'application/json',
      expect: 400,
    },
    {
      label: 'prototype pollution',
      payload: '{"__proto__": {"admin": true}}',
      contentType: 'application/json',
      expect: 400,
    },
    { label: 'text/plain', payload: 'hello', contentType: 'text/plain', expect: 415 },
    { label: 'form data', payload: 'a=1', contentType: 'application/x-www-form-urlencoded', expect: 415 },
    {
      label: 'a 70 KiB body',
      payload: json({ ...route.body, padding: 'x'.repeat(70 * 1024) }),
      contentType: 'application/json',
      expect: 413,
    },
    {
      label: 'a bad Idempotency-Key',
      payload: json(route.body),
      contentType: 'application/json',
      headers: { 'idempotency-key': 'x'.repeat(300) },
      expect: 400,
    },
  ];
  for (const [field, value] of Object.entries(route.body)) {
    attempts.push({
      label: `${field} of the wrong type`,
      payload: json({ ...route.body, [field]: wrongType(value) }),
      contentType: 'application/json',
      expect: 400,
    });
  }
  for (const field of route.dates ?? []) {
    attempts.push({
      label: `${field} on 30 February`,
      payload: json({ ...route.body, [field]: impossible(route.body[field]) }),
      contentType: 'application/json',
      expect: 400,
    });
  }
  const url = route.url();
  if (url.includes('/days/2026-06-03')) {
    attempts.push({
      label: 'a day that does not exist in the path',
      url: url.replace('2026-06-03', '2026-02-30'),
      payload: json(route.body),
      contentType: 'application/json',
      expect: 400,
    });
  }
  if (url.startsWith(C)) {
    attempts.push({
      label: 'an upper-case centre id in the path',
      url: url.replace('bad-1', 'BAD-1'),
      payload: json(route.body),
      contentType: 'application/json',
      expect: 400,
    });
  }
  if (url.startsWith(C) && !url.includes('/days/') && !url.endsWith('/bookings')) {
    attempts.push({
      label: 'an If-Match that is not an ETag',
      payload: json(route.body),
      contentType: 'application/json',
      headers: { 'if-match': 'yesterday' },
      expect: 412,
    });
  }
  if (
    typeof route.body.vehicle === 'object' &&
    route.body.vehicle !== null &&
    'plate' in route.body.vehicle
  ) {
    attempts.push({
      label: 'a plate that is neither SIV nor FNI',
      payload: json({ ...route.body, vehicle: { plate: 'OO-000-SS', category: 'VP', fuel: 'Diesel' } }),
      contentType: 'application/json',
      expect: 422,
    });
    attempts.push({
      label: 'an unknown vehicle category',
      payload: json({ ...route.body, vehicle: { plate: 'AB-123-CD', category: 'Tank', fuel: 'Diesel' } }),
      contentType: 'application/json',
      expect: 400,
    });
  }
  return attempts;
}

describe('bad input on every command route', () => {
  // Names are built before the booking exists: its id and token show as placeholders.
  const nameOf = (route: RouteCase) =>
    `${route.method} ${route.url().replace('/manage//', '/manage/{token}/').replace('/bookings//', '/bookings/{bookingId}/')}`;
  it.each(routes.map((route) => [nameOf(route), route] as const))(
    '%s: 4xx problem+json, never 5xx, nothing appended',
    async (_name, route) => {
      const before = await countEvents(t.store.ledger);
      const headers = route.as ? await t.bearer(route.as) : {};
      for (const attempt of attemptsFor(route)) {
        const response = await t.app.inject({
          method: route.method,
          url: attempt.url ?? route.url(),
          headers: {
            ...headers,
            ...(attempt.contentType ? { 'content-type': attempt.contentType } : {}),
            ...attempt.headers,
          },
          ...(attempt.payload === undefined ? {} : { payload: attempt.payload }),
        });
        const expected = Array.isArray(attempt.expect) ? attempt.expect : [attempt.expect];
        const seen = `${attempt.label}: ${response.statusCode} ${response.body.slice(0, 300)}`;
        expect(expected, seen).toContain(response.statusCode);
        expect(response.headers['content-type'], seen).toContain('application/problem+json');
        const problem = response.json() as { status: number; code: string; title: string };
        expect(problem.status, seen).toBe(response.statusCode);
        expect(problem.code, seen).toMatch(/^[A-Z_]+$/);
      }
      expect(await countEvents(t.store.ledger)).toBe(before);
    },
  );

  it('lists every failing path of a body', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      payload: {
        ...bookingBody('bad-1', '2026-06-04T09:00'),
        controlType: 'XYZ',
        vehicle: { plate: 1, category: 'VP', fuel: 'Diesel' },
        extra: 1,
      },
    });
    expect(response.statusCode).toBe(400);
    const paths = (response.json() as { errors: { path: string }[] }).errors.map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['/controlType', '/vehicle/plate', '/extra']));
  });

  it('does not coerce types: a number sent as a string is refused', async () => {
    const response = await t.app.inject({
      method: 'PUT',
      url: `${C}/daily-capacity`,
      headers: await t.bearer(staff),
      payload: { capacity: '20' },
    });
    expect(response.statusCode).toBe(400);
  });
});
