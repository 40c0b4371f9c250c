import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

// The k6 scripts of ops/load/k6 (k6 is not installed here). Checked three ways: Node parses them as ES
// modules; their text keeps every route in the `API` block; and they are run in Node with stand-ins for
// k6's modules, recording the requests they make and the options they export.

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const k6Dir = path.join(repoRoot, 'ops/load/k6');
const SCRIPTS = ['availability.js', 'booking.js'] as const;
const BLOCK_START = '// ---- API under test';
const BLOCK_END = '// ---- end of API';

const source = (file: string) => readFileSync(path.join(k6Dir, file), 'utf8');

/** The text of the script's `API` constants block. */
function apiBlock(text: string): string {
  const start = text.indexOf(BLOCK_START);
  const end = text.indexOf(BLOCK_END);
  expect(start, 'API block start marker').toBeGreaterThan(-1);
  expect(end, 'API block end marker').toBeGreaterThan(start);
  return text.slice(start, end);
}

/** String literals that look like URL paths ('/…', "/…", `/…`). */
function pathLiterals(text: string): string[] {
  return [...text.matchAll(/(['"`])(\/[^'"`\s]*)\1/g)].map((m) => m[2] as string);
}

/** `path: '/api/…'` route templates of an API block, as regular expressions on a request path. */
function routeTemplates(block: string): Array<{ template: string; regex: RegExp }> {
  return [...block.matchAll(/\bpath: '([^']+)'/g)].map((m) => {
    const template = m[1] as string;
    const regex = new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[A-Za-z]+\}/g, '[^/?]+')}$`);
    return { template, regex };
  });
}

// ---- k6 stand-ins ------------------------------------------------------------------------------------

interface RecordedRequest {
  method: string;
  url: string;
  body: string | null;
  params: { headers?: Record<string, string>; tags?: Record<string, string>; responseCallback?: unknown };
}
interface FakeResponse {
  status: number;
  body: string;
}
interface K6Stub {
  requests: RecordedRequest[];
  metrics: Record<string, unknown[]>;
  checks: Array<{ name: string; ok: boolean }>;
  expectedStatuses: number[][];
  respond: (req: RecordedRequest) => FakeResponse;
}

const STUBS: Record<string, string> = {
  'k6.mjs': `
const stub = () => globalThis.__k6;
export function check(value, checks) {
  let all = true;
  for (const [name, fn] of Object.entries(checks)) {
    const ok = Boolean(fn(value));
    stub().checks.push({ name, ok });
    all = all && ok;
  }
  return all;
}
export function sleep() {}
export function fail(message) { throw new Error(message); }
`,
  'k6-http.mjs': `
const stub = () => globalThis.__k6;
function request(method, url, body, params) {
  const req = { method, url, body: body ?? null, params: params ?? {} };
  stub().requests.push(req);
  const res = stub().respond(req);
  return { status: res.status, body: res.body, json: () => JSON.parse(res.body) };
}
export default {
  get: (url, params) => request('GET', url, null, params),
  post: (url, body, params) => request('POST', url, body, params),
  expectedStatuses: (...statuses) => { stub().expectedStatuses.push(statuses); return { statuses }; },
};
`,
  'k6-metrics.mjs': `
const stub = () => globalThis.__k6;
class Metric {
  constructor(name) { this.name = name; stub().metrics[name] = []; }
  add(value) { stub().metrics[this.name].push(value); }
}
export class Counter extends Metric {}
export class Rate extends Metric {}
export class Trend extends Metric {}
export class Gauge extends Metric {}
`,
  'k6-data.mjs': `
export class SharedArray {
  constructor(_name, make) { return make(); }
}
`,
};
const K6_MODULES: Record<string, string> = {
  k6: 'k6.mjs',
  'k6/http': 'k6-http.mjs',
  'k6/metrics': 'k6-metrics.mjs',
  'k6/data': 'k6-data.mjs',
};

const workDirs: string[] = [];
afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

/** Copies ops/load/k6 to a fresh directory with k6's modules swapped for the stand-ins, as .mjs. */
function preparedCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pti-k6-'));
  workDirs.push(dir);
  cpSync(k6Dir, dir, { recursive: true });
  for (const [name, text] of Object.entries(STUBS)) writeFileSync(path.join(dir, name), text);
  const rewrite = (file: string, depth: number) => {
    let text = readFileSync(file, 'utf8');
    text = text.replace(/from '(k6(?:\/[a-z]+)?)'/g, (_m, spec: string) => {
      const stub = K6_MODULES[spec];
      expect(stub, `a stand-in for ${spec}`).toBeDefined();
      return `from '${depth === 0 ? './' : '../'.repeat(depth)}${stub}'`;
    });
    text = text.replace(/from '(\.{1,2}\/[^']+)\.js'/g, "from '$1.mjs'");
    writeFileSync(file.replace(/\.js$/, '.mjs'), text);
  };
  for (const f of readdirSync(dir)) if (f.endsWith('.js')) rewrite(path.join(dir, f), 0);
  for (const f of readdirSync(path.join(dir, 'lib')))
    if (f.endsWith('.js')) rewrite(path.join(dir, 'lib', f), 1);
  return dir;
}

interface Script {
  options: {
    scenarios: Record<string, Record<string, unknown> & { executor: string }>;
    thresholds: Record<string, string[]>;
  };
  setup: () => unknown;
  default: () => void;
}

async function loadScript(file: string, env: Record<string, string>, files: Record<string, string> = {}) {
  const stub: K6Stub = {
    requests: [],
    metrics: {},
    checks: [],
    expectedStatuses: [],
    respond: () => ({ status: 200, body: '{}' }),
  };
  const g = globalThis as Record<string, unknown>;
  g.__k6 = stub;
  g.__ENV = env;
  g.__VU = 1;
  g.__ITER = 0;
  g.open = (name: string) => {
    const text = files[name];
    if (text === undefined) throw new Error(`open(${name}): no such file`);
    return text;
  };
  const dir = preparedCopy();
  const script = (await import(pathToFileURL(path.join(dir, file.replace(/\.js$/, '.mjs'))).href)) as Script;
  return { script, stub };
}

const CENTRES = ['c0a80001-0000-4000-8000-000000000001', 'c0a80001-0000-4000-8000-000000000002', 'centre-3'];
const BASE_ENV = { BASE_URL: 'http://pti.test:3000/', CENTRE_IDS: CENTRES.join(',') };

// ---- static checks -------------------------------------------------------------------------------------

describe.each(SCRIPTS)('ops/load/k6/%s as text', (file) => {
  const text = source(file);

  it('parses as an ES module (node --check)', () => {
    const result = spawnSync(process.execPath, ['--check', path.join(k6Dir, file)], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('exports options with thresholds and a default function', () => {
    expect(text).toMatch(/^export const options = \{/m);
    expect(text).toMatch(/^\s+thresholds: \{/m);
    expect(text).toMatch(/^\s+scenarios: \{/m);
    expect(text).toMatch(/^export default function \w*\(/m);
  });

  it('imports only k6 modules and the shared workload module', () => {
    const specifiers = [...text.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(specifiers.length).toBeGreaterThan(2);
    for (const s of specifiers) expect(s).toMatch(/^(k6(\/[a-z]+)?|\.\/lib\/workload\.js)$/);
    // Multi-line imports too.
    expect(
      [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]).every((s) => /^(k6|\.\/lib\/)/.test(s ?? '')),
    ).toBe(true);
  });

  it('keeps every URL path in the API block at the top', () => {
    const block = apiBlock(text);
    expect(text.indexOf(BLOCK_START)).toBeLessThan(text.indexOf('export const options'));
    const outside = text.replace(block, '');
    expect(pathLiterals(outside)).toEqual([]);
    // Nor inside a template literal or a concatenation, comments aside.
    const code = outside.replace(/\/\/.*$/gm, '');
    expect(code.match(/\/(api|health)\b[^'"`\s]*/g) ?? []).toEqual([]);
    expect(pathLiterals(block).length).toBeGreaterThan(0);
    for (const p of pathLiterals(block)) expect(p).toMatch(/^\/(health|api\/v1\/)/);
  });

  it('never writes a path into a request other than through the API block', () => {
    const calls = [...text.matchAll(/http\.(get|post|put|patch|del|request)\(([^,]+)/g)].map(
      (m) => m[2] ?? '',
    );
    expect(calls.length).toBeGreaterThan(0);
    for (const arg of calls) expect(arg).toMatch(/API\.|route\.|url\(/);
  });
});

describe('ops/load/k6 routes', () => {
  it('targets the read-api availability route and the write-side booking route', () => {
    expect(routeTemplates(apiBlock(source('availability.js'))).map((r) => r.template)).toEqual([
      '/api/v1/centres/{centreId}/availability',
    ]);
    expect(routeTemplates(apiBlock(source('booking.js'))).map((r) => r.template)).toEqual([
      '/api/v1/bookings',
    ]);
  });
});

// ---- run with k6 stand-ins ------------------------------------------------------------------------------

describe('ops/load/k6/availability.js, run with stand-ins', () => {
  const routes = routeTemplates(apiBlock(source('availability.js')));

  it('ramps along the Monday-morning peak to 20,000 req/s by default, p99 < 10 ms', async () => {
    const { script } = await loadScript('availability.js', BASE_ENV);
    const scenario = script.options.scenarios.availability as {
      executor: string;
      startRate: number;
      timeUnit: string;
      stages: Array<{ duration: string; target: number }>;
    };
    expect(scenario.executor).toBe('ramping-arrival-rate');
    expect(scenario.timeUnit).toBe('1s');
    expect(Math.max(...scenario.stages.map((s) => s.target))).toBe(20000);
    // 09:30 → 12:30 at 5 s per clock minute.
    expect(scenario.stages.reduce((sum, s) => sum + Number.parseInt(s.duration, 10), 0)).toBe(180 * 5);
    expect(script.options.thresholds['http_req_duration{scenario:availability}']).toEqual(['p(99)<10']);
  });

  it('GETs the availability of known centres for the vehicle profile, from tomorrow on, one day at a time', async () => {
    const { script, stub } = await loadScript('availability.js', BASE_ENV);
    expect(script.setup()).toEqual({ centres: 3 });
    expect(stub.requests[0]?.url).toBe('http://pti.test:3000/health');
    stub.requests.length = 0;
    for (let i = 0; i < 200; i++) script.default();
    expect(stub.requests).toHaveLength(200);
    const today = new Date().toISOString().slice(0, 10);
    const seenCentres = new Set<string>();
    for (const req of stub.requests) {
      expect(req.method).toBe('GET');
      const url = new URL(req.url);
      expect(url.origin).toBe('http://pti.test:3000');
      expect(
        routes.some((r) => r.regex.test(url.pathname)),
        url.pathname,
      ).toBe(true);
      seenCentres.add(decodeURIComponent(url.pathname.split('/')[4] ?? ''));
      const q = Object.fromEntries(url.searchParams);
      expect(q).toMatchObject({ category: 'VP', fuel: 'Diesel', controlType: 'CTP' });
      expect(q.from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(q.to).toBe(q.from);
      expect((q.from ?? '') > today).toBe(true);
      expect(Date.parse(q.from ?? '') - Date.parse(today)).toBeLessThanOrEqual(30 * 86400000);
      expect(req.params.tags?.name).toBe('GET /api/v1/centres/{centreId}/availability');
    }
    expect([...seenCentres].sort()).toEqual([...CENTRES].sort());
    expect(stub.metrics.availability_unexpected?.every((v) => v === false)).toBe(true);
  });

  it('counts an error answer as unexpected', async () => {
    const { script, stub } = await loadScript('availability.js', BASE_ENV);
    stub.respond = () => ({ status: 503, body: '{}' });
    script.default();
    expect(stub.metrics.availability_unexpected).toEqual([true]);
    expect(stub.checks).toEqual([{ name: 'availability: 200', ok: false }]);
  });

  it('reads centre ids from CENTRES_FILE (lines or a JSON array), and insists on having some', async () => {
    const lines = await loadScript(
      'availability.js',
      { CENTRES_FILE: 'c.txt', RANGE_DAYS: '7' },
      { 'c.txt': '# ids\na\n\nb\n' },
    );
    lines.script.default();
    const q = new URL(lines.stub.requests[0]?.url ?? '').searchParams;
    expect(Date.parse(q.get('to') ?? '') - Date.parse(q.get('from') ?? '')).toBe(6 * 86400000);
    expect(lines.script.setup()).toEqual({ centres: 2 });
    const json = await loadScript(
      'availability.js',
      { CENTRES_FILE: 'c.json' },
      { 'c.json': '["x","y","z","w"]' },
    );
    expect(json.script.setup()).toEqual({ centres: 4 });
    await expect(loadScript('availability.js', {})).rejects.toThrow(/no centre ids/);
  });

  it('offers smoke and constant profiles', async () => {
    const smoke = await loadScript('availability.js', { ...BASE_ENV, PROFILE: 'smoke' });
    expect(smoke.script.options.scenarios.availability).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 5,
    });
    const constant = await loadScript('availability.js', {
      ...BASE_ENV,
      PROFILE: 'constant',
      PEAK_RATE: '300',
    });
    expect(constant.script.options.scenarios.availability).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 300,
    });
    await expect(loadScript('availability.js', { ...BASE_ENV, PROFILE: 'soak' })).rejects.toThrow(/PROFILE/);
  });
});

describe('ops/load/k6/booking.js, run with stand-ins', () => {
  const routes = routeTemplates(apiBlock(source('booking.js')));
  let loaded: Awaited<ReturnType<typeof loadScript>>;
  beforeEach(async () => {
    loaded = await loadScript('booking.js', { ...BASE_ENV, AUTH_TOKEN: 'tok' });
  });

  it('ramps to 1,000 creations/s at the Monday peak, p95 < 100 ms', () => {
    const scenario = loaded.script.options.scenarios.booking as {
      executor: string;
      stages: Array<{ target: number }>;
    };
    expect(scenario.executor).toBe('ramping-arrival-rate');
    expect(Math.max(...scenario.stages.map((s) => s.target))).toBe(1000);
    expect(loaded.script.options.thresholds['http_req_duration{scenario:booking}']).toEqual(['p(95)<100']);
    expect(loaded.script.options.thresholds['http_req_failed{scenario:booking}']).toBeDefined();
  });

  it('POSTs bookings with the agreed body and a fresh Idempotency-Key each', () => {
    const { script, stub } = loaded;
    stub.respond = () => ({ status: 201, body: '{"bookingId":"b"}' });
    for (let i = 0; i < 100; i++) script.default();
    const keys = new Set<string>();
    const today = new Date().toISOString().slice(0, 10);
    for (const req of stub.requests) {
      expect(req.method).toBe('POST');
      const url = new URL(req.url);
      expect(
        routes.some((r) => r.regex.test(url.pathname)),
        url.pathname,
      ).toBe(true);
      const headers = req.params.headers ?? {};
      expect(headers['Content-Type']).toBe('application/json');
      expect(headers.Authorization).toBe('Bearer tok');
      expect(headers['Idempotency-Key']).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      keys.add(headers['Idempotency-Key'] ?? '');
      const body = JSON.parse(req.body ?? '') as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(
        ['centreId', 'channel', 'controlType', 'customer', 'paymentMode', 'start', 'vehicle'].sort(),
      );
      expect(CENTRES).toContain(body.centreId);
      expect(body.start).toMatch(/^\d{4}-\d{2}-\d{2}T(0[89]|1[0-7]):(00|30)$/);
      const day = String(body.start).slice(0, 10);
      expect(day > today).toBe(true);
      expect(new Date(`${day}T00:00:00Z`).getUTCDay()).not.toBe(0);
      expect(body).toMatchObject({ controlType: 'CTP', channel: 'web', paymentMode: 'on_site' });
      expect(body.vehicle).toEqual({
        plate: expect.stringMatching(/^[A-HJ-NP-TV-Z]{2}-\d{3}-[A-HJ-NP-TV-Z]{2}$/),
        category: 'VP',
        fuel: 'Diesel',
      });
      expect(body.customer).toEqual({
        kind: 'private',
        name: expect.stringMatching(/^\S+ \S+$/),
        email: expect.stringMatching(/^loadtest\+[0-9a-f-]+@example\.org$/),
        phone: expect.stringMatching(/^\+336\d{8}$/),
      });
      expect(req.params.tags?.name).toBe('POST /api/v1/bookings');
    }
    expect(keys.size).toBe(100);
    expect(stub.metrics.bookings_created).toHaveLength(100);
    expect(stub.metrics.booking_unexpected?.every((v) => v === false)).toBe(true);
  });

  it('treats 409 SLOT_TAKEN as an expected outcome, and other answers as unexpected', () => {
    const { script, stub } = loaded;
    expect(stub.expectedStatuses).toEqual([[200, 201, 202, 409]]);
    const answers: FakeResponse[] = [
      { status: 409, body: '{"code":"SLOT_TAKEN","status":409}' },
      { status: 409, body: '{"code":"VERSION_CONFLICT"}' },
      { status: 500, body: 'oops' },
      { status: 422, body: '{"code":"SLOT_UNAVAILABLE"}' },
      { status: 201, body: '{}' },
    ];
    for (const answer of answers) {
      stub.respond = () => answer;
      script.default();
    }
    expect(stub.metrics.bookings_slot_taken).toEqual([1]);
    expect(stub.metrics.bookings_created).toEqual([1]);
    expect(stub.metrics.booking_unexpected).toEqual([false, true, true, true, false]);
    expect(stub.checks.map((c) => c.ok)).toEqual([true, false, false, false, true]);
    for (const req of stub.requests)
      expect(req.params.responseCallback).toEqual({ statuses: [200, 201, 202, 409] });
  });

  it('checks the stack is up before the load', () => {
    loaded.stub.respond = () => ({ status: 502, body: '' });
    expect(() => loaded.script.setup()).toThrow(/answered 502/);
  });
});
