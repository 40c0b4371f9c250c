import { bookingStream } from '@pti/events';
import {
  createEmbeddedIssuer,
  createPersonalData,
  type EmbeddedIssuer,
  ERASED,
  type ErasureParticipant,
  fastifyAuth,
  generateMasterKeyBase64,
  type OpenedVault,
  openVault,
  type PersonalData,
  type Principal,
  vaultSchemaFor,
} from '@pti/platform';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpCentre } from '../centre/centre-setup.js';
import { generateWriteSideSecrets } from '../config/write-side-secrets.js';
import { deriveCustomerId } from '../customer/customer-id.js';
import { createSqlIdempotencyStore } from '../http/idempotency-store.js';
import { OPENAPI_PATH, registerOpenApi } from '../http/openapi.js';
import { WRITE_SIDE_ROUTER_OPTIONS, writeSideRoutes } from '../http/write-side-routes.js';
import { bookingBody, testCentre } from '../testing/centre-fixtures.js';
import { OTHER_TENANT, principal, systemMeta, TENANT, testClock } from '../testing/test-app.js';
import { countEvents, openTestStore, type TestStore } from '../testing/test-store.js';
import { createWriteSideContext, type WriteSideContext } from '../write-side-context.js';

/**
 * The GDPR staff routes on the vault-decorated ledger (PostgreSQL with DATABASE_URL, else PGlite),
 * with a stand-in read model registered in the erasure registry as the composition root would.
 */

let store: TestStore;
let opened: OpenedVault;
let personalData: PersonalData;
let ctx: WriteSideContext;
let app: FastifyInstance;
let issuer: EmbeddedIssuer;

/** A read model holding a copy of the customer's name, like the customers projection. */
const readModelRows = new Map<string, { name: string }>();
const customersReadModel: ErasureParticipant = {
  name: 'customers-test',
  scrub: async (subjectId) => (readModelRows.delete(subjectId) ? 1 : 0),
  export: async (subjectId) => readModelRows.get(subjectId) ?? null,
};

beforeAll(async () => {
  store = await openTestStore('gdpr');
  opened = await openVault({
    database: { sql: store.sql },
    schema: vaultSchemaFor(store.schema),
    masterKey: generateMasterKeyBase64(),
    dataDir: 'memory://',
  });
  personalData = createPersonalData(store.ledger, opened.vault, { participants: [customersReadModel] });
  ctx = createWriteSideContext({
    ledger: personalData.ledger,
    secrets: generateWriteSideSecrets(),
    now: testClock('2026-06-01T06:00:00.000Z').now,
  });
  issuer = await createEmbeddedIssuer({ config: { env: 'test', auth: { oidcIssuer: null } } });
  app = Fastify({ logger: false, routerOptions: { ...WRITE_SIDE_ROUTER_OPTIONS } });
  await app.register(fastifyAuth, { verifier: issuer.verifier });
  await registerOpenApi(app);
  await app.register(writeSideRoutes, {
    writeSide: ctx,
    idempotency: createSqlIdempotencyStore(store.sql, store.schema),
    personalData: {
      ledger: personalData.ledger,
      vault: personalData.vault,
      participants: personalData.participants,
    },
  });
  await app.ready();
  await setUpCentre(ctx, testCentre('gdpr-1'), systemMeta());
});

afterAll(async () => {
  await app?.close();
  await opened?.close();
  if (store?.kind === 'postgres')
    await store.sql.query(`DROP SCHEMA IF EXISTS ${vaultSchemaFor(store.schema)} CASCADE`);
  await store?.close();
});

type Json = Record<string, unknown>;
async function call(
  method: 'POST' | 'GET',
  url: string,
  options: { body?: unknown; as?: Principal; headers?: Record<string, string> } = {},
) {
  const bearer = options.as ? { authorization: `Bearer ${await issuer.issueToken(options.as)}` } : {};
  const response = await app.inject({
    method,
    url,
    headers: { ...bearer, ...options.headers },
    ...(options.body === undefined ? {} : { payload: options.body as Json }),
  });
  return { status: response.statusCode, body: response.json() as Json, headers: response.headers };
}

const admin = principal('admin_reseau');
const customerOf = (email: string) =>
  deriveCustomerId(ctx.secrets.customerIdSecret, TENANT, { kind: 'private', email });

/** Places a booking for a customer (public route) and returns its id. */
async function place(start: string, customer: { name: string; email: string; phone: string }) {
  const placed = await call('POST', '/api/v1/bookings', {
    body: bookingBody('gdpr-1', start, { customer: { kind: 'private', ...customer } }),
  });
  expect(placed.status).toBe(201);
  return String(placed.body.bookingId);
}

/** Every event row of the ledger's tables, as stored (data and metadata as JSON text). */
async function rawLedgerText(): Promise<string> {
  const { rows } = await store.sql.query<{ row: string }>(
    `SELECT stream_name || ' ' || event_type || ' ' || data::text || ' ' || metadata::text AS row FROM ${store.schema}.events`,
  );
  return rows.map((r) => r.row).join('\n');
}

describe('GDPR staff routes', () => {
  it('refuses every role but admin_reseau, and another tenant’s admin (404)', async () => {
    const subjectId = customerOf('refus@example.fr');
    await place('2026-06-03T08:00', { name: 'Refus Test', email: 'refus@example.fr', phone: '0612345679' });
    const before = await countEvents(store.ledger);
    expect(await call('GET', `/api/v1/gdpr/subjects/${subjectId}`)).toMatchObject({
      status: 401,
      body: { code: 'TOKEN_MISSING' },
    });
    for (const role of [
      'call_centre',
      'operateur',
      'controleur',
      'responsable_centre',
      'auditor',
      'analyst',
      'motorist',
      'client_pro',
    ] as const) {
      const as = principal(role, { centreIds: ['gdpr-1'] });
      expect(await call('POST', `/api/v1/gdpr/subjects/${subjectId}/erasure`, { as })).toMatchObject({
        status: 403,
        body: { code: 'FORBIDDEN' },
      });
      expect(await call('GET', `/api/v1/gdpr/subjects/${subjectId}`, { as })).toMatchObject({
        status: 403,
      });
    }
    const stranger = principal('admin_reseau', { tenantId: OTHER_TENANT });
    expect(await call('POST', `/api/v1/gdpr/subjects/${subjectId}/erasure`, { as: stranger })).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
    expect(await call('GET', `/api/v1/gdpr/subjects/${subjectId}`, { as: stranger })).toMatchObject({
      status: 404,
    });
    expect(await countEvents(store.ledger)).toBe(before);
    expect((await opened.store.read(subjectId))?.status).toBe('live');
  });

  it('answers bad input with problem+json and appends nothing', async () => {
    const before = await countEvents(store.ledger);
    const bad = await call('POST', '/api/v1/gdpr/subjects/NOT_AN_ID/erasure', { as: admin });
    expect(bad).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(
      await call('POST', `/api/v1/gdpr/subjects/${customerOf('x@example.fr')}/erasure`, {
        as: admin,
        body: { reason: 'because' },
      }),
    ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(
      await call('POST', `/api/v1/gdpr/subjects/${customerOf('x@example.fr')}/erasure`, {
        as: admin,
        body: { reason: 'subject_request', extra: 1 },
      }),
    ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(await countEvents(store.ledger)).toBe(before);
  });

  it('exports everything held about a subject: their events decrypted, the read models’ rows', async () => {
    const email = 'camille.export@example.fr';
    const subjectId = customerOf(email);
    const other = await place('2026-06-03T09:00', {
      name: 'Autre Personne',
      email: 'autre@example.fr',
      phone: '0611111111',
    });
    const bookingId = await place('2026-06-03T09:00', {
      name: 'Camille Export',
      email,
      phone: '0622222222',
    });
    readModelRows.set(subjectId, { name: 'Camille Export' });

    const exported = await call('GET', `/api/v1/gdpr/subjects/${subjectId}`, { as: admin });
    expect(exported.status).toBe(200);
    expect(exported.headers['cache-control']).toBe('no-store');
    const body = exported.body as {
      subjectId: string;
      key: { status: string };
      events: { type: string; stream: string; data: Json }[];
      readModels: Json;
    };
    expect(body.subjectId).toBe(subjectId);
    expect(body.key.status).toBe('live');
    expect(body.readModels).toEqual({ 'customers-test': { name: 'Camille Export' } });
    const placed = body.events.find((e) => e.stream === bookingStream(bookingId));
    expect(placed?.data).toMatchObject({
      customer: { name: 'Camille Export', email, phone: '+33622222222' },
    });
    // Only this subject's events: the other customer's booking is not exported.
    expect(body.events.some((e) => e.stream === bookingStream(other))).toBe(false);
    expect(JSON.stringify(body)).not.toContain('Autre Personne');
  });

  it('erases a subject: key destroyed, erasure recorded, read models scrubbed, nothing left in the ledger tables', async () => {
    const email = 'camille.efface@example.fr';
    const subjectId = customerOf(email);
    const bookingId = await place('2026-06-04T10:00', {
      name: 'Camille Effacée',
      email,
      phone: '0633333333',
    });
    readModelRows.set(subjectId, { name: 'Camille Effacée' });
    // Warm the handlers' state cache with the decrypted booking.
    expect(
      (await call('POST', `/api/v1/bookings/${bookingId}/confirm`, { as: admin, body: {} })).status,
    ).toBe(200);
    expect(ctx.env.cache?.get(bookingStream(bookingId))).toBeDefined();
    const clear = ['Camille Effacée', email, '+33633333333', '0633333333', 'AB-123-CD'];
    // Encrypted from the first event: none of the values is in clear, before or after.
    for (const value of clear) expect(await rawLedgerText()).not.toContain(value);

    const key = { 'idempotency-key': `erase-${subjectId}` };
    const erased = await call('POST', `/api/v1/gdpr/subjects/${subjectId}/erasure`, {
      as: admin,
      headers: key,
      body: { reason: 'subject_request' },
    });
    expect(erased).toMatchObject({
      status: 200,
      body: {
        subjectId,
        reason: 'subject_request',
        keyGeneration: 1,
        participants: [{ name: 'customers-test', rows: 1 }],
        failures: [],
        event: { stream: `subject-${subjectId}` },
      },
    });
    const afterFirst = await countEvents(store.ledger);
    // The same key and body: the same answer, nothing appended twice.
    const replayed = await call('POST', `/api/v1/gdpr/subjects/${subjectId}/erasure`, {
      as: admin,
      headers: key,
      body: { reason: 'subject_request' },
    });
    expect(replayed.status).toBe(200);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(erased.body);
    expect(await countEvents(store.ledger)).toBe(afterFirst);

    // Raw SQL: the erasure event is there, no value in clear, the wrapped key is gone.
    const raw = await rawLedgerText();
    expect(raw).toContain(`subject-${subjectId} PersonalDataErased`);
    for (const value of clear) expect(raw).not.toContain(value);
    const { rows: keys } = await store.sql.query<{ wrapped_key: string | null; erased_at: string | null }>(
      `SELECT wrapped_key, erased_at::text FROM ${vaultSchemaFor(store.schema)}.vault_keys WHERE subject_id = $1`,
      [subjectId],
    );
    expect(keys).toHaveLength(1);
    expect(keys[0]?.wrapped_key).toBeNull();
    expect(keys[0]?.erased_at).not.toBeNull();
    // What the ledger still holds for the subject no longer decrypts: it reads [effacé].
    const [placedEvent] = await personalData.ledger.readStream(bookingStream(bookingId), { limit: 1 });
    expect(placedEvent?.data).toMatchObject({ customer: { name: ERASED, email: ERASED, phone: ERASED } });
    expect(readModelRows.has(subjectId)).toBe(false);

    // The export now says so, and the read model holds nothing.
    const exported = await call('GET', `/api/v1/gdpr/subjects/${subjectId}`, { as: admin });
    expect(exported.body).toMatchObject({
      key: { status: 'erased' },
      readModels: { 'customers-test': null },
    });
    for (const value of clear) expect(JSON.stringify(exported.body)).not.toContain(value);

    // The booking's aggregate still replays (from the ledger: the cached plaintext was dropped).
    expect(ctx.env.cache?.get(bookingStream(bookingId))).toBeUndefined();
    const cancel = await call('POST', `/api/v1/bookings/${bookingId}/cancel`, {
      as: admin,
      body: { reason: 'customer_request' },
    });
    expect(cancel).toMatchObject({ status: 200, body: { status: 'cancelled' } });
  });

  it('answers 503 ERASURE_INCOMPLETE with the report when a read model fails, and succeeds on retry', async () => {
    const email = 'retry@example.fr';
    const subjectId = customerOf(email);
    await place('2026-06-05T10:00', { name: 'Retry Test', email, phone: '0644444444' });
    let failing = true;
    const remove = personalData.participants.register({
      name: 'flaky',
      scrub: async () => {
        if (failing) throw new Error('read model unavailable');
        return 0;
      },
    });
    try {
      const first = await call('POST', `/api/v1/gdpr/subjects/${subjectId}/erasure`, { as: admin });
      expect(first).toMatchObject({
        status: 503,
        body: {
          code: 'ERASURE_INCOMPLETE',
          details: { report: { subjectId, failures: [{ name: 'flaky', error: 'read model unavailable' }] } },
        },
      });
      expect(first.headers['content-type']).toContain('application/problem+json');
      failing = false;
      const second = await call('POST', `/api/v1/gdpr/subjects/${subjectId}/erasure`, { as: admin });
      expect(second).toMatchObject({ status: 200, body: { keyGeneration: null, failures: [] } });
    } finally {
      remove();
    }
  });

  it('is in the OpenAPI document', async () => {
    const response = await app.inject({ method: 'GET', url: OPENAPI_PATH });
    expect(response.statusCode).toBe(200);
    const paths = (response.json() as { paths: Record<string, unknown> }).paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/gdpr/subjects/{subjectId}/erasure',
        '/api/v1/gdpr/subjects/{subjectId}',
      ]),
    );
  });
});
