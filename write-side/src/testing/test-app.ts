import {
  createEmbeddedIssuer,
  DEMO_TENANT_ID,
  type EmbeddedIssuer,
  fastifyAuth,
  type Principal,
} from '@pti/platform';
import Fastify, { type FastifyInstance } from 'fastify';
import type { CommandMeta } from '../commands/command-meta.js';
import { generateWriteSideSecrets } from '../config/write-side-secrets.js';
import { createSqlIdempotencyStore } from '../http/idempotency-store.js';
import { registerOpenApi } from '../http/openapi.js';
import { WRITE_SIDE_ROUTER_OPTIONS, writeSideRoutes } from '../http/write-side-routes.js';
import {
  createWriteSideContext,
  type WriteSideContext,
  type WriteSideOptions,
} from '../write-side-context.js';
import { openTestStore, type TestStore } from './test-store.js';

/** A clock tests move by hand. */
export interface TestClock {
  now(): Date;
  set(instant: string): void;
  advanceMinutes(minutes: number): void;
}

export function testClock(start: string): TestClock {
  let current = new Date(start);
  return {
    now: () => new Date(current.getTime()),
    set: (instant) => {
      current = new Date(instant);
    },
    advanceMinutes: (minutes) => {
      current = new Date(current.getTime() + minutes * 60_000);
    },
  };
}

/** Monday 1 June 2026, 08:00 in Paris. */
export const TEST_START = '2026-06-01T06:00:00.000Z';
export const TENANT = DEMO_TENANT_ID;
export const OTHER_TENANT = '99999999-9999-4999-8999-999999999999';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly ctx: WriteSideContext;
  readonly store: TestStore;
  readonly clock: TestClock;
  readonly issuer: EmbeddedIssuer;
  /** A bearer header for a principal. */
  bearer(principal: Principal): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

export async function buildTestApp(
  label: string,
  options: Partial<Omit<WriteSideOptions, 'ledger' | 'secrets' | 'now'>> & {
    readonly start?: string;
    readonly poolMax?: number;
  } = {},
): Promise<TestApp> {
  const store = await openTestStore(label, { poolMax: options.poolMax });
  const clock = testClock(options.start ?? TEST_START);
  const ctx = createWriteSideContext({
    ...options,
    ledger: store.ledger,
    secrets: generateWriteSideSecrets(),
    now: clock.now,
  });
  const issuer = await createEmbeddedIssuer({ config: { env: 'test', auth: { oidcIssuer: null } } });
  const app = Fastify({ logger: false, routerOptions: { ...WRITE_SIDE_ROUTER_OPTIONS } });
  await app.register(fastifyAuth, { verifier: issuer.verifier });
  await registerOpenApi(app);
  await app.register(writeSideRoutes, {
    writeSide: ctx,
    idempotency: createSqlIdempotencyStore(store.sql, store.schema),
  });
  await app.ready();
  return {
    app,
    ctx,
    store,
    clock,
    issuer,
    bearer: async (principal) => ({ authorization: `Bearer ${await issuer.issueToken(principal)}` }),
    async close() {
      await app.close();
      await store.close();
    },
  };
}

export function principal(
  role: Principal['role'],
  options: {
    readonly tenantId?: string;
    readonly centreIds?: readonly string[];
    readonly subject?: string;
  } = {},
): Principal {
  return {
    subject: options.subject ?? `test-${role}`,
    role,
    tenantId: options.tenantId ?? TENANT,
    centreIds: [...(options.centreIds ?? [])],
    displayName: `Test ${role}`,
  };
}

export function systemMeta(tenantId: string = TENANT, idempotencyKey?: string): CommandMeta {
  return {
    origin: { tenantId, actor: { id: 'test', role: 'system' }, correlationId: 'test' },
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  };
}
