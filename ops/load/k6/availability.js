// k6 load profile: availability reads — a centre's free slots over a day range for one vehicle profile,
// at random centres and days of the network, at the Monday-morning peak. Target (read-api benchmark):
// p99 < 10 ms. How to run: README.md beside this file.
//
//   k6 run -e BASE_URL=http://localhost:3000 -e CENTRES_FILE=$PWD/centres.txt ops/load/k6/availability.js

import { check } from 'k6';
import { SharedArray } from 'k6/data';
import http from 'k6/http';
import { Rate } from 'k6/metrics';
import {
  addDays,
  arrivalScenario,
  baseUrl,
  isoDay,
  parseCentreIds,
  pick,
  randomDay,
} from './lib/workload.js';

// ---- API under test: routes, parameters, expected answers (the one place to adjust) ----------------
const API = {
  health: '/health',
  availability: {
    method: 'GET',
    path: '/api/v1/centres/{centreId}/availability',
    query: (from, to, profile) => ({
      from,
      to,
      category: profile.category,
      fuel: profile.fuel,
      controlType: profile.controlType,
    }),
    okStatuses: [200],
  },
  vehicleProfile: { category: 'VP', fuel: 'Diesel', controlType: 'CTP' },
};
// ---- end of API -------------------------------------------------------------------------------------

const BASE_URL = baseUrl(__ENV);
const DAYS = Number(__ENV.DAYS || 30);
const RANGE_DAYS = Number(__ENV.RANGE_DAYS || 1);
const PROFILE = {
  category: __ENV.CATEGORY || API.vehicleProfile.category,
  fuel: __ENV.FUEL || API.vehicleProfile.fuel,
  controlType: __ENV.CONTROL_TYPE || API.vehicleProfile.controlType,
};

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

const unexpected = new Rate('availability_unexpected');

export const options = {
  scenarios: {
    availability: arrivalScenario(__ENV, { peakRate: 20000, preAllocatedVUs: 200, maxVUs: 2000 }),
  },
  thresholds: {
    'http_req_duration{scenario:availability}': ['p(99)<10'],
    'http_req_failed{scenario:availability}': ['rate<0.001'],
    availability_unexpected: ['rate<0.001'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

function url(path, params, query) {
  let out = path;
  for (const name of Object.keys(params)) out = out.replace(`{${name}}`, encodeURIComponent(params[name]));
  const pairs = Object.keys(query).map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(query[k])}`);
  return `${BASE_URL}${out}${pairs.length > 0 ? `?${pairs.join('&')}` : ''}`;
}

export function setup() {
  const res = http.get(`${BASE_URL}${API.health}`);
  if (res.status !== 200)
    throw new Error(`${BASE_URL}${API.health} answered ${res.status}: is the stack up?`);
  return { centres: centres.length };
}

export default function availabilityRead() {
  const route = API.availability;
  const from = isoDay(randomDay(DAYS));
  const to = addDays(from, RANGE_DAYS - 1);
  const res = http.get(url(route.path, { centreId: pick(centres) }, route.query(from, to, PROFILE)), {
    tags: { name: `${route.method} ${route.path}` },
  });
  const ok = route.okStatuses.indexOf(res.status) !== -1;
  unexpected.add(!ok);
  check(res, { 'availability: 200': () => ok });
}
