// k6 load profile: booking creations — the motorist's POST of a booking with an Idempotency-Key, spread
// over the network's centres and the next 30 days, at the Monday-morning peak (1,000 creations/s).
// A slot already taken (409 SLOT_TAKEN) is an expected answer under contention, not an error.
// Target: p95 < 100 ms. How to run: README.md beside this file.
//
//   k6 run -e BASE_URL=http://localhost:3000 -e CENTRES_FILE=$PWD/centres.txt ops/load/k6/booking.js

import { check } from 'k6';
import { SharedArray } from 'k6/data';
import http from 'k6/http';
import { Counter, Rate } from 'k6/metrics';
import {
  arrivalScenario,
  baseUrl,
  isoDay,
  parseCentreIds,
  pick,
  randomCustomer,
  randomDay,
  randomPlate,
  randomStartTime,
  uuidv4,
} from './lib/workload.js';

// ---- API under test: routes, payloads, expected answers (the one place to adjust) ------------------
const API = {
  health: '/health',
  createBooking: {
    method: 'POST',
    path: '/api/v1/bookings',
    idempotencyHeader: 'Idempotency-Key',
    body: (b) => ({
      centreId: b.centreId,
      start: b.start, // the centre's local time, YYYY-MM-DDTHH:MM
      controlType: b.controlType,
      vehicle: { plate: b.plate, category: b.category, fuel: b.fuel },
      customer: { kind: 'private', name: b.name, email: b.email, phone: b.phone },
      channel: 'web',
      paymentMode: 'on_site',
    }),
    createdStatuses: [200, 201, 202],
    slotTaken: { status: 409, code: 'SLOT_TAKEN' },
  },
  vehicleProfile: { category: 'VP', fuel: 'Diesel', controlType: 'CTP' },
  // Starts tried, in each centre's local time (the seeded network opens about 08:00–18:00, Mon–Sat).
  slotGrid: { first: '08:00', last: '17:30', stepMinutes: 30 },
};
// ---- end of API -------------------------------------------------------------------------------------

const BASE_URL = baseUrl(__ENV);
const DAYS = Number(__ENV.DAYS || 30);
const AUTH_TOKEN = __ENV.AUTH_TOKEN || '';

const centres = new SharedArray('centres', () => {
  const ids = __ENV.CENTRES_FILE
    ? parseCentreIds(open(__ENV.CENTRES_FILE))
    : parseCentreIds(__ENV.CENTRE_IDS || '');
  if (ids.length === 0) {
    throw new Error(
      'no centre ids: set CENTRES_FILE (one id per line, or a JSON array) or CENTRE_IDS (a,b,c)',
    );
  }
  return ids;
});

const created = new Counter('bookings_created');
const slotTaken = new Counter('bookings_slot_taken');
const unexpected = new Rate('booking_unexpected');

const route = API.createBooking;
// 409 is an expected status: it does not count in http_req_failed.
const expected = http.expectedStatuses(...route.createdStatuses, route.slotTaken.status);

export const options = {
  scenarios: {
    booking: arrivalScenario(__ENV, { peakRate: 1000, preAllocatedVUs: 100, maxVUs: 1000 }),
  },
  thresholds: {
    'http_req_duration{scenario:booking}': ['p(95)<100'],
    'http_req_failed{scenario:booking}': ['rate<0.01'],
    booking_unexpected: ['rate<0.01'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

export function setup() {
  const res = http.get(`${BASE_URL}${API.health}`);
  if (res.status !== 200)
    throw new Error(`${BASE_URL}${API.health} answered ${res.status}: is the stack up?`);
  return { centres: centres.length };
}

function problemCode(res) {
  try {
    const body = res.json();
    return body && typeof body === 'object' ? body.code : undefined;
  } catch (_) {
    return undefined;
  }
}

export default function placeBooking() {
  const day = isoDay(randomDay(DAYS, { skipSundays: true }));
  const grid = API.slotGrid;
  const customer = randomCustomer();
  const body = route.body({
    centreId: pick(centres),
    start: `${day}T${randomStartTime(grid.first, grid.last, grid.stepMinutes)}`,
    controlType: API.vehicleProfile.controlType,
    plate: randomPlate(),
    category: API.vehicleProfile.category,
    fuel: API.vehicleProfile.fuel,
    name: customer.name,
    email: customer.email,
    phone: customer.phone,
  });
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  headers[route.idempotencyHeader] = uuidv4();
  if (AUTH_TOKEN) headers.Authorization = `Bearer ${AUTH_TOKEN}`;

  const res = http.post(`${BASE_URL}${route.path}`, JSON.stringify(body), {
    headers,
    responseCallback: expected,
    tags: { name: `${route.method} ${route.path}` },
  });

  const isCreated = route.createdStatuses.indexOf(res.status) !== -1;
  const isSlotTaken = res.status === route.slotTaken.status && problemCode(res) === route.slotTaken.code;
  if (isCreated) created.add(1);
  if (isSlotTaken) slotTaken.add(1);
  unexpected.add(!isCreated && !isSlotTaken);
  check(res, { 'booking: created or slot taken': () => isCreated || isSlotTaken });
}
