import type { Ledger } from '@pti/platform';
import {
  type Clock,
  createConfirmationResender,
  createIntegrationRelay,
  createKafkaPublisher,
  createSagaAdapters,
  createWriteSideSagaCommands,
  DEFAULT_SAGAS_SCHEMA,
  type IntegrationRelay,
  integrationStreamRoutes,
  loadSagasConfig,
  motoristPaymentRoutes,
  type RunningSagas,
  resendConfirmationRoutes,
  SAGA_MOUNT_POINTS,
  type SagaAdapters,
  type SagaRuntimeOptions,
  sagaRoutes,
  sagasSchemaFor,
  staffSagaRoutes,
  startSagas,
} from '@pti/sagas';
import type { WriteSideContext } from '@pti/write-side';
import type { FastifyInstance } from 'fastify';
import type { PlatformRuntime } from './platform-runtime.js';

/**
 * What `mountSagas` needs besides the runtime: the write side's context (from
 * `createWriteSideContext`: the sagas' commands go through its handlers) and the ledger decorated by
 * the personal-data vault (the sagas read plain values: e-mail, phone for the messages).
 */
export interface SagasMountDeps {
  readonly writeSide: WriteSideContext;
  readonly ledger: Ledger;
  /**
   * The URL this server reaches itself at (simulators, IPN target). Default
   * `http://127.0.0.1:<PORT>` (or the configured host when it is not a wildcard).
   */
  readonly serverUrl?: string;
  /** Environment of the sagas' configuration (`loadSagasConfig`); default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Tests drive time; default the system clock. */
  readonly clock?: Clock;
  /** Runtime tuning (poll interval, backoff, attempts). */
  readonly runtime?: Omit<
    SagaRuntimeOptions,
    'ledger' | 'sql' | 'schema' | 'sagas' | 'clock' | 'logger' | 'metrics'
  >;
}

export interface MountedSagas {
  readonly sagas: RunningSagas;
  readonly adapters: SagaAdapters;
  /** The Kafka relay when `KAFKA_BROKERS` is set; `null` otherwise (the HTTP stream serves). */
  readonly relay: IntegrationRelay | null;
  /** The sagas' schema. */
  readonly schema: string;
}

/** The sagas' schema of a runtime: beside the ledger's (`sagas` for the default `pti`). */
export function sagasSchemaOf(runtime: Pick<PlatformRuntime, 'config'>): string {
  const { ledger } = runtime.config;
  return ledger.kind === 'eventstoredb' ? DEFAULT_SAGAS_SCHEMA : sagasSchemaFor(ledger.schema);
}

function defaultServerUrl(runtime: PlatformRuntime): string {
  const { host, port } = runtime.config.http;
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/**
 * Runs every saga of the platform in this process and mounts what they serve (DESIGN.md §7):
 *
 * - the `SagaCommands` port over the write side's command handlers (`createWriteSideSagaCommands`);
 * - `startSagas` on the runtime's database (the shared PGlite in embedded mode, PostgreSQL
 *   otherwise), schema `sagasSchemaOf(runtime)`, with the runtime's logger and metrics;
 * - under `/api/v1`: the provider notifications (`/payments/payzen/ipn`, `/payments/payzen/return`,
 *   Lemonway), the AdelSoft results webhook, the motorist's `POST /manage/{token}/payment`, staff
 *   reads of the outbox and dead letters (`/ops/...`), staff re-sending a booking's confirmation
 *   (`POST /staff/bookings/{bookingId}/confirmation/resend`), the integration events as
 *   server-sent events (`/integration/events`) and their AsyncAPI document;
 * - the Payzen and AdelSoft simulators under `/simulators/...` when configured as simulators
 *   (the default without provider variables, so the real adapters talk HTTP to this very server);
 * - the Kafka relay of integration events when `KAFKA_BROKERS` is set.
 *
 * Everything stops in a `preClose` hook, before the server and the stores close. The caller has
 * registered `fastifyAuth` (staff routes) and created the server with the write side's router
 * options (manage tokens are path parameters).
 */
export async function mountSagas(
  app: FastifyInstance,
  runtime: PlatformRuntime,
  deps: SagasMountDeps,
): Promise<MountedSagas> {
  const config = loadSagasConfig(deps.env ?? process.env);
  const serverUrl = (deps.serverUrl ?? defaultServerUrl(runtime)).replace(/\/+$/, '');
  const publicBase = (config.publicBaseUrl ?? serverUrl).replace(/\/+$/, '');
  const adapters = createSagaAdapters(config, { serverUrl });
  const provider = adapters.paymentProviders[0];
  if (provider === undefined) throw new Error('no payment provider configured');
  const schema = sagasSchemaOf(runtime);
  const logger = runtime.logger.child({ component: 'sagas' });

  const sagas = await startSagas({
    ledger: deps.ledger,
    sql: runtime.sql,
    schema,
    commands: createWriteSideSagaCommands(deps.writeSide),
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    logger,
    metrics: runtime.metrics,
    payments: { providers: adapters.paymentProviders },
    adelsoft: adapters.adelsoft,
    notifications: { channels: adapters.channels, links: adapters.links },
    ...(deps.runtime === undefined ? {} : { runtime: deps.runtime }),
  });

  let relay: IntegrationRelay | null = null;
  try {
    if (runtime.config.bus.kind === 'kafka') {
      relay = createIntegrationRelay({
        ledger: deps.ledger,
        sql: runtime.sql,
        schema,
        publisher: await createKafkaPublisher({ brokers: runtime.config.bus.brokers }),
        logger,
      });
      await relay.start();
    }
  } catch (error) {
    await sagas.stop();
    throw error;
  }
  const running = relay;
  app.addHook('preClose', async () => {
    await running?.stop();
    await sagas.stop();
  });

  const api = SAGA_MOUNT_POINTS.api;
  await app.register(sagaRoutes, { prefix: api, ...adapters.routeOptions(sagas) });
  await app.register(motoristPaymentRoutes, {
    prefix: api,
    writeSide: deps.writeSide,
    payments: sagas.payments,
    provider: provider.name,
    returnUrl: `${publicBase}${api}/payments/payzen/return`,
  });
  await app.register(staffSagaRoutes, {
    prefix: api,
    listOutbox: sagas.listOutbox,
    deadLetters: sagas.deadLetters,
  });
  await app.register(resendConfirmationRoutes, {
    prefix: api,
    resender: createConfirmationResender({
      sql: runtime.sql,
      schema,
      channels: adapters.channels,
      links: adapters.links,
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
      ledger: deps.ledger,
    }),
  });
  await app.register(integrationStreamRoutes, { prefix: api, ledger: deps.ledger });
  await adapters.mountSimulators(app);
  logger.info(
    {
      schema,
      payment: provider.name,
      adelsoft: adapters.adelsoft === null ? 'off' : adapters.simulators.adelsoft ? 'simulator' : 'http',
      kafka: relay !== null,
    },
    'sagas started',
  );
  return { sagas, adapters, relay, schema };
}
