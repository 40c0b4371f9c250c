import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppConfig, DEMO_CENTRE_ID, DEMO_TENANT_ID, loadConfig } from '@pti/platform';
import { type ProjectionLayout, projectionLayout } from '@pti/projections';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { gdprEraseCommand } from '../src/commands/gdpr-erase-command.js';
import { buildPlatformServer, type PlatformServer, ROLES } from '../src/start/embedded-server.js';
import { openPlatformRuntime, type PlatformRuntime } from '../src/start/platform-runtime.js';
import { mountSagas } from '../src/start/sagas-composition.js';

/**
 * The running platform's read side, through the HTTP server `pti start` composes: a booking placed
 * on the command API shows in availability (its slot gone), the staff agenda and the customer
 * search; another tenant's staff sees none of it; erasure (in the process, and `pti gdpr erase`
 * offline) scrubs the read models; every role answers /health. PGlite always; PostgreSQL (and Redis
 * for availability) when DATABASE_URL / REDIS_URL are set, in their own schemas and key prefixes.
 */

const url = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const WAIT_MS = 60_000;

interface Backend {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly layout: ProjectionLayout;
  readonly namespace: string;
}

const suffix = randomUUID().replace(/-/g, '').slice(0, 8);
const backends: Backend[] = [
  { name: 'PGlite', env: {}, layout: projectionLayout(), namespace: '' },
  ...(url === undefined
    ? []
    : [
        {
          name: 'PostgreSQL',
          env: {
            DATABASE_URL: url,
            PTI_DB_SCHEMA: `t_rs_${suffix}`,
            ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl }),
          },
          layout: projectionLayout(`t_rs_${suffix}_`),
          namespace: `t_rs_${suffix}`,
        },
      ]),
];
if (url === undefined)
  console.info('[ops] DATABASE_URL unset: read side on PostgreSQL skipped (PGlite covered)');

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  if (url === undefined) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      `select nspname from pg_namespace where nspname like $1`,
      [`t_rs_${suffix}%`],
    );
    for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`);
  } finally {
    await client.end();
  }
});

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

interface AvailabilityBody {
  readonly days: readonly { readonly date: string; readonly starts: readonly string[] }[];
}

const availabilityUrl = (from: string, to: string) =>
  `/api/v1/centres/${DEMO_CENTRE_ID}/availability?from=${from}&to=${to}&category=VP&fuel=Essence&controlType=CTP`;

function bookingBody(start: string, n: number) {
  return {
    centreId: DEMO_CENTRE_ID,
    start,
    controlType: 'CTP',
    vehicle: { plate: `GH-${String(100 + n).slice(-3)}-KL`, category: 'VP', fuel: 'Essence' },
    customer: {
      kind: 'private',
      name: `Héloïse Vasseur${n === 0 ? '' : ` ${n}`}`,
      email: `heloise.vasseur.${n}.${suffix}@example.fr`,
      phone: '06 12 34 56 78',
    },
    channel: 'web',
    paymentMode: 'on_site',
  };
}

describe.each(backends)('the read side of `pti start` ($name)', (backend) => {
  let dataDir: string;
  let config: AppConfig;
  let runtime: PlatformRuntime | undefined;
  let server: PlatformServer | undefined;
  let app: FastifyInstance;
  let bookedCustomer: string | undefined;

  afterAll(async () => {
    await server?.app.close();
    await runtime?.close();
  });

  it('shows a booking placed on the command API in availability, the agenda and the customer search, to its tenant only, and scrubs it on erasure', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pti-read-side-'));
    dirs.push(dataDir);
    config = loadConfig({ PTI_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...backend.env });
    runtime = await openPlatformRuntime(config, { migrate: true });
    server = await buildPlatformServer(runtime, {
      role: 'all',
      seedDemo: true,
      layout: backend.layout,
      rateLimit: false,
    });
    app = server.app;

    // Ready once the projectors have built their first generation.
    await eventually('/ready', async () =>
      (await app.inject({ method: 'GET', url: '/ready' })).statusCode === 200 ? true : undefined,
    );
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('pti_projection_lag_events');

    // A day of the demo centre with free starts (the horizon is filled from the configuration).
    const today = new Date().toISOString().slice(0, 10);
    const free = await eventually('free starts at the demo centre', async () => {
      const answer = await app.inject({
        method: 'GET',
        url: availabilityUrl(addDays(today, 1), addDays(today, 14)),
      });
      expect(answer.statusCode).toBe(200);
      const day = (answer.json() as AvailabilityBody).days.find((d) => d.starts.length > 0);
      const start = day?.starts[0];
      return day === undefined || start === undefined ? undefined : { date: day.date, start };
    });

    // Book that start until the centre refuses it (one booking per inspector, plus overbooking).
    const placed: { bookingId: string; reference: string }[] = [];
    for (let n = 0; n < 12; n++) {
      const answer = await app.inject({
        method: 'POST',
        url: '/api/v1/bookings',
        payload: bookingBody(`${free.date}T${free.start}`, n),
      });
      if (answer.statusCode !== 201) {
        expect(answer.statusCode).toBe(409);
        break;
      }
      placed.push(answer.json() as { bookingId: string; reference: string });
    }
    expect(placed.length).toBeGreaterThan(0);
    const first = placed[0];
    if (first === undefined) throw new Error('no booking placed');

    // What is shown is what can be booked: the start is gone.
    await eventually('the start to leave availability', async () => {
      const answer = await app.inject({ method: 'GET', url: availabilityUrl(free.date, free.date) });
      const day = (answer.json() as AvailabilityBody).days[0];
      return day !== undefined && !day.starts.includes(free.start) ? true : undefined;
    });

    // Staff of the demo tenant: the agenda and the customer search show the booking.
    const login = async (username: string) => {
      const answer = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password: 'demo' },
      });
      expect(answer.statusCode).toBe(200);
      return { authorization: `Bearer ${(answer.json() as { accessToken: string }).accessToken}` };
    };
    const responsable = await login('responsable');
    const conseiller = await login('conseiller');
    const agendaUrl = `/api/v1/staff/centres/${DEMO_CENTRE_ID}/agenda/${free.date}`;
    const agenda = await eventually('the booking in the agenda', async () => {
      const answer = await app.inject({ method: 'GET', url: agendaUrl, headers: responsable });
      expect(answer.statusCode).toBe(200);
      return answer.body.includes(first.reference) ? answer.json() : undefined;
    });
    expect(JSON.stringify(agenda)).toContain('Héloïse Vasseur');
    const email = bookingBody('', 0).customer.email;
    const search = await eventually('the customer in the search', async () => {
      const answer = await app.inject({
        method: 'GET',
        url: `/api/v1/staff/customers?email=${encodeURIComponent(email)}`,
        headers: conseiller,
      });
      expect(answer.statusCode).toBe(200);
      const body = answer.json() as { items: { customerId: string; name: string | null }[] };
      return body.items.length > 0 ? body : undefined;
    });
    expect(search.items[0]?.name).toBe('Héloïse Vasseur');
    const byName = await app.inject({
      method: 'GET',
      url: '/api/v1/staff/customers?name=Vasseur',
      headers: conseiller,
    });
    expect(byName.statusCode).toBe(200);
    expect((byName.json() as { items: unknown[] }).items.length).toBeGreaterThan(0);
    // Phone and plate typed the usual ways, combined with AND.
    const byPhoneAndPlate = await app.inject({
      method: 'GET',
      url: `/api/v1/staff/customers?phone=${encodeURIComponent('06 12 34 56 78')}&plate=gh100kl`,
      headers: conseiller,
    });
    expect(byPhoneAndPlate.statusCode).toBe(200);
    expect(
      (byPhoneAndPlate.json() as { items: { customerId: string }[] }).items.map((hit) => hit.customerId),
    ).toEqual([search.items[0]?.customerId]);
    const detail = await app.inject({
      method: 'GET',
      url: `/api/v1/staff/bookings/${first.bookingId}`,
      headers: conseiller,
    });
    expect(detail.statusCode).toBe(200);
    const detailBody = detail.json() as {
      booking: { customerId: string; reference: string };
      history: { type: string }[];
    };
    expect(detailBody.booking.reference).toBe(first.reference);
    // The history is the booking's stream, decrypted through the vault.
    expect(detailBody.history.map((entry) => entry.type)).toContain('BookingPlaced');
    const customerId = detailBody.booking.customerId;
    expect(customerId).toBe(search.items[0]?.customerId);

    // Staff of another tenant see nothing of it.
    if (server.identity.mode !== 'embedded') throw new Error('embedded identity expected');
    const stranger = {
      authorization: `Bearer ${await server.identity.issuer.issueToken({
        subject: 'intrus',
        role: 'responsable_centre',
        tenantId: '99999999-9999-4999-8999-999999999999',
        centreIds: [DEMO_CENTRE_ID],
        displayName: 'Intrus',
      })}`,
    };
    expect((await app.inject({ method: 'GET', url: agendaUrl, headers: stranger })).statusCode).toBe(404);
    const strangerAgent = {
      authorization: `Bearer ${await server.identity.issuer.issueToken({
        subject: 'intrus-cc',
        role: 'call_centre',
        tenantId: '99999999-9999-4999-8999-999999999999',
        centreIds: [],
        displayName: 'Intrus',
      })}`,
    };
    expect(
      (
        await app.inject({
          method: 'GET',
          url: `/api/v1/staff/bookings/${first.bookingId}`,
          headers: strangerAgent,
        })
      ).statusCode,
    ).toBe(404);
    const strangerSearch = await app.inject({
      method: 'GET',
      url: `/api/v1/staff/customers?email=${encodeURIComponent(email)}`,
      headers: strangerAgent,
    });
    expect(strangerSearch.statusCode).toBe(200);
    expect((strangerSearch.json() as { items: unknown[] }).items).toEqual([]);

    // Erasure in the running platform scrubs the read models (the participants registered there).
    const personal = server.personal;
    if (personal === undefined) throw new Error('no personal-data services');
    const report = await personal.personalData.erase(customerId, {
      actor: { id: 'test', role: 'admin_reseau' },
      reason: 'subject_request',
      tenantId: DEMO_TENANT_ID,
    });
    expect(report.failures).toEqual([]);
    // Every personal read model takes part. The running projectors may also see the erasure event
    // first and blank the rows themselves, so the participants' row counts may be 0 here.
    expect(report.participants.map((participant) => participant.name)).toEqual(
      expect.arrayContaining(['read-model:bookings', 'read-model:customers', 'read-model:agenda']),
    );
    const after = await app.inject({
      method: 'GET',
      url: `/api/v1/staff/bookings/${first.bookingId}`,
      headers: conseiller,
    });
    expect(after.statusCode).toBe(200);
    expect(
      (after.json() as { booking: { customer: { name: string | null } } }).booking.customer.name,
    ).toBeNull();
    const gone = await app.inject({
      method: 'GET',
      url: `/api/v1/staff/customers?email=${encodeURIComponent(email)}`,
      headers: conseiller,
    });
    expect((gone.json() as { items: unknown[] }).items).toEqual([]);

    // Another customer of the same start, for `pti gdpr erase` once the platform is stopped.
    const second = placed[1];
    if (second !== undefined) {
      const secondDetail = await eventually('the second booking in the bookings read model', async () => {
        const answer = await app.inject({
          method: 'GET',
          url: `/api/v1/staff/bookings/${second.bookingId}`,
          headers: conseiller,
        });
        return answer.statusCode === 200 ? (answer.json() as { booking: { customerId: string } }) : undefined;
      });
      bookedCustomer = secondDetail.booking.customerId;
    }
  }, 180_000);

  it('`pti gdpr erase` scrubs the read models with the platform stopped', async () => {
    // The demo centre has several inspectors: the same start took a second customer.
    expect(bookedCustomer).toBeDefined();
    if (bookedCustomer === undefined) return;
    await server?.app.close();
    await runtime?.close();
    server = undefined;
    runtime = undefined;
    const lines: string[] = [];
    const code = await gdprEraseCommand(bookedCustomer, {}, { config, layout: backend.layout }, (line) =>
      lines.push(line),
    );
    expect(code).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/read model read-model:bookings: [1-9]\d* row\(s\) scrubbed/);
    expect(text).toMatch(/read model read-model:customers: [1-9]\d* row\(s\) scrubbed/);
    // The sagas' tables (payments, outbox) take part too.
    expect(text).toMatch(/read model sagas: \d+ row\(s\) scrubbed/);
  }, 120_000);
});

describe('pti start <role>', () => {
  it.each(ROLES.filter((role) => role !== 'all'))(
    '%s starts and answers /health, /ready and /metrics',
    async (role) => {
      const config = loadConfig({ PTI_DATA_DIR: 'memory://', LOG_LEVEL: 'warn' });
      const runtime = await openPlatformRuntime(config, { migrate: true });
      const server = await buildPlatformServer(runtime, { role, mountSagas });
      try {
        const health = await server.app.inject({ method: 'GET', url: '/health' });
        expect(health.statusCode).toBe(200);
        expect(health.json()).toMatchObject({ status: 'ok', role });
        if (role === 'read-api') {
          // Alone, the read API waits for the projections role to build the read models.
          const waiting = await server.app.inject({ method: 'GET', url: '/ready' });
          expect(waiting.statusCode).toBe(503);
          expect(waiting.json()).toMatchObject({
            ready: false,
            building: expect.arrayContaining(['availability (not built)']),
          });
        } else {
          await eventually('/ready', async () =>
            (await server.app.inject({ method: 'GET', url: '/ready' })).statusCode === 200 ? true : undefined,
          );
        }
        expect((await server.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
        // Each role mounts its part only.
        const docs = await server.app.inject({ method: 'GET', url: '/docs/json' });
        const commands = await server.app.inject({ method: 'POST', url: '/api/v1/bookings', payload: {} });
        const queries = await server.app.inject({
          method: 'GET',
          url: `/api/v1/centres/${DEMO_CENTRE_ID}`,
        });
        expect(commands.statusCode !== 404).toBe(role === 'write-side');
        expect(queries.statusCode !== 404 || queries.json().code !== 'not_found').toBe(role === 'read-api');
        expect(docs.statusCode === 200).toBe(role === 'write-side' || role === 'read-api');
        expect(server.projections !== undefined).toBe(role === 'projections');
        // The sagas role serves the sagas' own routes (the integration events' AsyncAPI document among them).
        const sagaRoutes = server.app.printRoutes({ commonPrefix: false });
        expect(sagaRoutes.includes('integration')).toBe(role === 'sagas');
      } finally {
        await server.app.close();
        await runtime.close();
      }
    },
    60_000,
  );
});
