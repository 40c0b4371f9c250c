import {
  createLogger,
  type Ledger,
  type Logger,
  type Metrics,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import type { AdelsoftClient } from '../adelsoft/adelsoft-client.js';
import {
  type AdelsoftResultReceiver,
  adelsoftSaga,
  createAdelsoftResultReceiver,
} from '../adelsoft/adelsoft-saga.js';
import type { SagaCommands } from '../commands/saga-commands.js';
import { holdReleaseSaga } from '../holds/hold-release-saga.js';
import type { NotificationChannels } from '../notifications/channels.js';
import type { IcsGenerator } from '../notifications/ics.js';
import { type NotificationLinks, notificationSaga } from '../notifications/notification-saga.js';
import { listOutbox, type OutboxMessage, type OutboxQuery } from '../notifications/outbox.js';
import type { PaymentProvider } from '../payment/payment-provider.js';
import { paymentSaga } from '../payment/payment-saga.js';
import { createPaymentService, type PaymentService } from '../payment/payment-service.js';
import { type SagasErasureParticipant, sagasErasureParticipant } from '../privacy/sagas-erasure.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import type { SagaDefinition } from '../runtime/saga.js';
import { createSagaRuntime, type SagaRuntime, type SagaRuntimeOptions } from '../runtime/saga-runtime.js';
import {
  type DeadLetter,
  type DeadLetterQuery,
  discardDeadLetter,
  listDeadLetters,
  retryDeadLetter,
} from '../runtime/saga-store.js';
import { DEFAULT_SAGAS_SCHEMA } from '../runtime/sql-names.js';
import { waitlistOfferSaga } from '../waitlist/waitlist-offer-saga.js';

/**
 * Starts every saga of the platform in this process (the embedded process, or a saga worker in
 * services mode; several workers may run at once: events are claimed per saga and id, timers with
 * `FOR UPDATE SKIP LOCKED`).
 *
 * ```ts
 * const adapters = createSagaAdapters(loadSagasConfig(), { serverUrl });
 * const sagas = await startSagas({ ledger, sql, commands, clock, logger, metrics,
 *   payments: { providers: adapters.paymentProviders }, adelsoft: adapters.adelsoft,
 *   notifications: { channels: adapters.channels, links: adapters.links } });
 * await app.register(sagaRoutes, { prefix: '/api/v1', ...adapters.routeOptions(sagas) });
 * await adapters.mountSimulators(app);
 * ```
 */
export interface StartSagasDeps {
  /** The process's ledger, decorated with the personal-data codec (sagas read plain values). */
  readonly ledger: Ledger;
  /** The database of the sagas' tables (the read models' PostgreSQL, or the shared PGlite). */
  readonly sql: TransactionalSqlExecutor;
  /** Default `sagas` (see `sagasSchemaFor`). */
  readonly schema?: string;
  readonly commands: SagaCommands;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly payments: { readonly providers: readonly PaymentProvider[] };
  /** `null`: AdelSoft sync off. */
  readonly adelsoft: { readonly client: AdelsoftClient; readonly pullIntervalMs?: number | null } | null;
  readonly notifications: {
    readonly channels: NotificationChannels;
    readonly links: NotificationLinks;
    readonly ics?: IcsGenerator;
    readonly reminderLeadMs?: number;
  };
  /** Runtime tuning (poll interval, backoff, attempts, lease). */
  readonly runtime?: Omit<
    SagaRuntimeOptions,
    'ledger' | 'sql' | 'schema' | 'sagas' | 'clock' | 'logger' | 'metrics'
  >;
  /** Default: subscribe and poll. Tests drive `runtime.pollOnce` themselves with `poll: false`. */
  readonly start?: { readonly subscribe?: boolean; readonly poll?: boolean };
}

export interface RunningSagas {
  readonly runtime: SagaRuntime;
  /** For the payment routes: start a payment, receive provider notifications. */
  readonly payments: PaymentService;
  /** For the AdelSoft webhook route. */
  readonly adelsoftResults: AdelsoftResultReceiver;
  /** The outbox, newest first (the API exposes it to staff in embedded mode). */
  listOutbox(query?: OutboxQuery): Promise<OutboxMessage[]>;
  readonly deadLetters: {
    list(query?: DeadLetterQuery): Promise<DeadLetter[]>;
    retry(id: string): Promise<DeadLetter | undefined>;
    discard(id: string): Promise<DeadLetter | undefined>;
  };
  /** Register with the personal-data erasure registry. */
  readonly erasure: SagasErasureParticipant;
  stop(): Promise<void>;
}

/** The saga definitions `startSagas` runs, for callers composing their own runtime. */
export function platformSagas(
  deps: Pick<StartSagasDeps, 'commands' | 'payments' | 'adelsoft' | 'notifications'>,
) {
  const sagas: SagaDefinition[] = [
    holdReleaseSaga({ commands: deps.commands }),
    paymentSaga({ commands: deps.commands, providers: deps.payments.providers }),
    notificationSaga(deps.notifications),
    waitlistOfferSaga({ channels: deps.notifications.channels, links: deps.notifications.links }),
  ];
  if (deps.adelsoft !== null) {
    sagas.push(
      adelsoftSaga({
        client: deps.adelsoft.client,
        commands: deps.commands,
        pullIntervalMs: deps.adelsoft.pullIntervalMs ?? null,
      }),
    );
  }
  return sagas;
}

export async function startSagas(deps: StartSagasDeps): Promise<RunningSagas> {
  const schema = deps.schema ?? DEFAULT_SAGAS_SCHEMA;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger({ level: 'silent' });
  const runtime = createSagaRuntime({
    ...deps.runtime,
    ledger: deps.ledger,
    sql: deps.sql,
    schema,
    sagas: platformSagas(deps),
    clock,
    logger,
    ...(deps.metrics === undefined ? {} : { metrics: deps.metrics }),
  });
  await runtime.start(deps.start);
  return {
    runtime,
    payments: createPaymentService({
      sql: deps.sql,
      schema,
      providers: deps.payments.providers,
      clock,
      logger,
    }),
    adelsoftResults: createAdelsoftResultReceiver({ sql: deps.sql, schema, clock }),
    listOutbox: (query) => listOutbox(deps.sql, schema, query),
    deadLetters: {
      list: (query) => listDeadLetters(deps.sql, schema, query),
      retry: (id) => retryDeadLetter(deps.sql, schema, id, clock.now()),
      discard: (id) => discardDeadLetter(deps.sql, schema, id),
    },
    erasure: sagasErasureParticipant(deps.sql, schema),
    stop: () => runtime.stop(),
  };
}
