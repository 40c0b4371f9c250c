import { type MappedIntegrationEvent, PUBLISHED_DOMAIN_EVENT_TYPES, toIntegrationEvent } from '@pti/events';
import {
  comparePositions,
  createLogger,
  type Ledger,
  type Logger,
  type Position,
  positionFromString,
  positionToString,
  type RecordedEvent,
  runMigrations,
  START,
  type Subscription,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import { toSagaEvent } from '../runtime/saga.js';
import { assertSchema, executorTransactionRunner } from '../runtime/sql-names.js';

/**
 * The integration relay (DESIGN.md §7): follows the ledger from its checkpoint, maps each domain
 * event with a public counterpart to its integration event, hands the batch to a publisher (Kafka
 * with `KAFKA_BROKERS`), then stores the position of the batch. At least once: a crash between the
 * publish and the checkpoint publishes the batch again; consumers dedupe on the envelope's `id`
 * (the domain event id), and the idempotent producer already drops its own retries.
 */
export interface IntegrationPublisher {
  /** Publishes every message, in order per key, or throws (nothing is checkpointed then). */
  publish(messages: readonly MappedIntegrationEvent[]): Promise<void>;
  close(): Promise<void>;
}

export interface IntegrationRelayOptions {
  readonly ledger: Ledger;
  readonly sql: TransactionalSqlExecutor;
  /** The sagas schema (the checkpoint table lives there). */
  readonly schema: string;
  readonly publisher: IntegrationPublisher;
  /** Names the checkpoint (default `kafka`). */
  readonly name?: string;
  readonly logger?: Logger;
  readonly batchSize?: number;
}

export interface IntegrationRelay {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The stored checkpoint. */
  checkpoint(): Promise<Position>;
  /** Resolves once the relay has published (or skipped) everything up to `position`. */
  settle(position: Position, timeoutMs?: number): Promise<void>;
}

export function relayMigrations(schema: string) {
  return [
    {
      version: 1,
      name: 'integration relay checkpoints',
      sql: `create schema if not exists ${schema};
      create table if not exists ${schema}.integration_relay_checkpoints (
        relay text primary key,
        position text not null,
        updated_at timestamptz not null default now()
      );`,
    },
  ];
}

/** Maps stored records to integration events (records without a public counterpart are dropped). */
export function integrationEventsOf(records: readonly RecordedEvent[]): MappedIntegrationEvent[] {
  const mapped: MappedIntegrationEvent[] = [];
  for (const record of records) {
    const event = toSagaEvent(record);
    if (event === undefined) continue;
    const integration = toIntegrationEvent({
      id: record.id,
      event,
      metadata: record.metadata,
      position: positionToString(record.position),
    });
    if (integration !== null) mapped.push(integration);
  }
  return mapped;
}

export function createIntegrationRelay(options: IntegrationRelayOptions): IntegrationRelay {
  const schema = assertSchema(options.schema);
  const { sql, ledger, publisher } = options;
  const name = options.name ?? 'kafka';
  const logger = (options.logger ?? createLogger({ level: 'silent' })).child({
    component: 'integration-relay',
  });
  let subscription: Subscription | null = null;
  let reached: Position = START;
  let restart: NodeJS.Timeout | null = null;
  let stopped = false;

  async function readCheckpoint(): Promise<Position> {
    const { rows } = await sql.query<{ position: string }>(
      `select position from ${schema}.integration_relay_checkpoints where relay = $1`,
      [name],
    );
    const stored = rows[0]?.position;
    return stored === undefined ? START : positionFromString(stored);
  }

  async function storeCheckpoint(position: Position): Promise<void> {
    await sql.query(
      `insert into ${schema}.integration_relay_checkpoints (relay, position, updated_at) values ($1, $2, now())
       on conflict (relay) do update set position = excluded.position, updated_at = now()`,
      [name, positionToString(position)],
    );
    reached = position;
  }

  async function subscribe(): Promise<void> {
    const after = await readCheckpoint();
    reached = after;
    const current = ledger.subscribe(
      {
        after,
        filter: { eventTypes: [...PUBLISHED_DOMAIN_EVENT_TYPES] },
        batchSize: options.batchSize ?? 200,
      },
      {
        async handle(events) {
          const last = events.at(-1);
          if (last === undefined) return;
          const messages = integrationEventsOf(events);
          if (messages.length > 0) await publisher.publish(messages);
          await storeCheckpoint(last.position);
        },
        async caughtUp(position) {
          if (comparePositions(position, reached) > 0) {
            await storeCheckpoint(position);
          }
        },
        storeError(error, attempt) {
          logger.warn({ err: error, attempt }, 'ledger read failed; retrying');
        },
      },
    );
    subscription = current;
    current.done.catch((error: unknown) => {
      // The publisher failed (broker down): start again from the checkpoint after a pause.
      logger.error({ err: error }, 'integration relay stopped; restarting from its checkpoint');
      if (stopped) return;
      restart = setTimeout(() => {
        restart = null;
        if (!stopped) subscribe().catch((err: unknown) => logger.error({ err }, 'relay restart failed'));
      }, 2_000);
    });
  }

  return {
    async start() {
      await runMigrations(
        executorTransactionRunner(sql),
        schema,
        'integration-relay',
        relayMigrations(schema),
      );
      stopped = false;
      await subscribe();
      logger.info({ relay: name }, 'integration relay started');
    },
    async stop() {
      stopped = true;
      if (restart) clearTimeout(restart);
      await subscription?.stop();
      subscription = null;
      await publisher.close();
    },
    checkpoint: readCheckpoint,
    async settle(position, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const stored = await readCheckpoint();
        if (comparePositions(stored, position) >= 0) return;
        if (Date.now() > deadline) throw new Error(`relay did not reach ${positionToString(position)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
}
