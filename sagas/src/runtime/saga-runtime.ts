import { schemaVersionOf } from '@pti/events';
import {
  type Counter,
  comparePositions,
  createLogger,
  type EventFilter,
  type Ledger,
  type Logger,
  type Metrics,
  type Position,
  positionFromString,
  positionToString,
  type RecordedEvent,
  type SqlExecutor,
  START,
  type Subscription,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { type Clock, systemClock } from './clock.js';
import {
  type EventContext,
  errorText,
  isPermanent,
  PermanentSagaError,
  type SagaDefinition,
  type SagaEvent,
  type TimerContext,
  type TimerHandler,
  type TimerScheduler,
  toSagaEvent,
} from './saga.js';
import {
  type ClaimedTimer,
  cancelTimer,
  claimDueTimers,
  claimEvent,
  completeTimer,
  deadLetterTimer,
  migrateComponent,
  migrateRuntime,
  pruneProcessedEvents,
  readBacklog,
  readCheckpoint,
  retryTimer,
  type SagaBacklog,
  scheduleTimer,
  storeCheckpoint,
  type TimerPayload,
} from './saga-store.js';
import { assertSchema, DEFAULT_SAGAS_SCHEMA } from './sql-names.js';

/** The timer kind under which an event whose handler failed is retried. */
export const EVENT_RETRY_KIND = '$event';

export interface SagaRuntimeOptions {
  readonly ledger: Ledger;
  readonly sql: TransactionalSqlExecutor;
  /** Schema of the sagas' tables (default `sagas`). */
  readonly schema?: string;
  readonly sagas: readonly SagaDefinition[];
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Registers backlog gauges and run counters when given. */
  readonly metrics?: Metrics;
  /** Pause of the timer poller when nothing is due (default 1 s). */
  readonly pollIntervalMs?: number;
  /** Timers claimed per poll (default 20). */
  readonly timerBatchSize?: number;
  /** How long a claim shields a running timer from other pollers (default 5 min). */
  readonly leaseMs?: number;
  readonly backoff?: BackoffPolicy;
  /** Runs of a timer before it is dead-lettered, unless scheduled with its own (default 8). */
  readonly maxAttempts?: number;
  /** Events per subscription batch (default 100). */
  readonly eventBatchSize?: number;
  /** Handled-event ids older than this are forgotten (default 30 days). */
  readonly processedRetentionMs?: number;
}

export interface SagaRuntime {
  readonly schema: string;
  /** Creates or upgrades the runtime's and every saga's tables. */
  migrate(): Promise<void>;
  /** Migrates, runs each saga's `onStart`, subscribes and starts the timer poller. */
  start(options?: { readonly subscribe?: boolean; readonly poll?: boolean }): Promise<void>;
  stop(): Promise<void>;
  /** Claims and runs the timers due now, once; returns how many ran. */
  pollOnce(): Promise<number>;
  /**
   * Resolves once every saga subscription has handled all events visible in the ledger and, with
   * `until`, has reached that position (an event committed but not yet visible to readers, behind
   * an older open transaction, is then waited for too).
   */
  settle(options?: SettleOptions): Promise<void>;
  /** settle, run due timers, repeat until nothing is left to do now (tests, `pti` tooling). */
  runUntilIdle(options?: SettleOptions & { readonly maxRounds?: number }): Promise<void>;
  backlog(): Promise<SagaBacklog[]>;
}

export interface SettleOptions {
  readonly timeoutMs?: number;
  /** A position every subscription must reach (e.g. the last append's), or a function giving it. */
  readonly until?: Position | (() => Position);
}

interface SagaState {
  readonly saga: SagaDefinition;
  readonly filter: EventFilter;
  subscription: Subscription | null;
  /** Position of the last record handled or caught up to (settle compares the ledger with it). */
  position: Position;
  restartTimer: NodeJS.Timeout | null;
  restarts: number;
}

interface RunCounters {
  readonly events: Counter<'saga' | 'outcome'>;
  readonly timers: Counter<'saga' | 'kind' | 'outcome'>;
}

const HOUR_MS = 3_600_000;

export function createSagaRuntime(options: SagaRuntimeOptions): SagaRuntime {
  const schema = assertSchema(options.schema ?? DEFAULT_SAGAS_SCHEMA);
  const { ledger, sql } = options;
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? createLogger({ level: 'silent' })).child({ component: 'sagas' });
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const timerBatchSize = options.timerBatchSize ?? 20;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const defaultMaxAttempts = options.maxAttempts ?? 8;
  const eventBatchSize = options.eventBatchSize ?? 100;
  const retentionMs = options.processedRetentionMs ?? 30 * 24 * HOUR_MS;

  const byName = new Map<string, SagaDefinition>();
  for (const saga of options.sagas) {
    if (byName.has(saga.name)) throw new Error(`two sagas are named ${saga.name}`);
    if (saga.name.startsWith('$')) throw new Error(`saga names may not start with $: ${saga.name}`);
    byName.set(saga.name, saga);
  }
  const states: SagaState[] = options.sagas.map((saga) => ({
    saga,
    filter: { eventTypes: [...saga.eventTypes] },
    subscription: null,
    position: START,
    restartTimer: null,
    restarts: 0,
  }));
  const counters = options.metrics ? registerMetrics(options.metrics) : undefined;

  let migrated = false;
  let running = false;
  let poller: Promise<void> | null = null;
  let wakePoller: (() => void) | null = null;
  let lastPrune = 0;

  const schedulerOn = (executor: SqlExecutor, saga: string): TimerScheduler => ({
    schedule: (kind, key, dueAt, payload, scheduleOptions = {}) =>
      scheduleTimer(
        executor,
        schema,
        { saga, kind, key, dueAt, payload, maxAttempts: scheduleOptions.maxAttempts ?? defaultMaxAttempts },
        clock.now(),
        scheduleOptions.mode ?? 'replace',
      ),
    cancel: (kind, key) => cancelTimer(executor, schema, saga, kind, key),
  });

  async function migrate(): Promise<void> {
    if (migrated) return;
    await migrateRuntime(sql, schema);
    const shared = new Map(options.sagas.flatMap((saga) => saga.requires ?? []).map((c) => [c.component, c]));
    for (const component of shared.values()) {
      await migrateComponent(sql, schema, component.component, component.migrations(schema));
    }
    for (const saga of options.sagas) {
      if (saga.migrations) await migrateComponent(sql, schema, `saga:${saga.name}`, saga.migrations(schema));
    }
    migrated = true;
  }

  // -------------------------------------------------------------------------------------------
  // Events
  // -------------------------------------------------------------------------------------------

  function eventContext(tx: SqlExecutor, saga: SagaDefinition, event: SagaEvent, now: Date): EventContext {
    return {
      tx,
      schema,
      now,
      timers: schedulerOn(tx, saga.name),
      logger: logger.child({
        saga: saga.name,
        eventId: event.id,
        correlationId: event.metadata.correlationId,
      }),
    };
  }

  /**
   * Handles one event in one transaction with the claim of its id and the checkpoint. A handler
   * failure defers the event to a retry timer (same claim, so it is still handled exactly once),
   * instead of stopping the saga behind one bad event.
   */
  async function processEvent(state: SagaState, event: SagaEvent): Promise<void> {
    const { saga } = state;
    const now = clock.now();
    try {
      const handled = await sql.transaction(async (tx) => {
        if (!(await claimEvent(tx, schema, saga.name, event.id, now))) return false;
        await saga.onEvent(event, eventContext(tx, saga, event, now));
        await storeCheckpoint(tx, schema, saga.name, event.position, now);
        return true;
      });
      counters?.events.inc({ saga: saga.name, outcome: handled ? 'handled' : 'duplicate' });
    } catch (error) {
      logger.warn(
        { saga: saga.name, eventId: event.id, eventType: event.type, err: errorText(error) },
        'saga event handler failed: retried by a timer',
      );
      await sql.transaction(async (tx) => {
        if (!(await claimEvent(tx, schema, saga.name, event.id, now))) return;
        await scheduleTimer(
          tx,
          schema,
          {
            saga: saga.name,
            kind: EVENT_RETRY_KIND,
            key: event.id,
            dueAt: new Date(now.getTime() + backoffDelay(1, backoff)),
            payload: { event: serializeEvent(event), firstError: errorText(error) },
            maxAttempts: defaultMaxAttempts,
          },
          now,
          'keep',
        );
        await storeCheckpoint(tx, schema, saga.name, event.position, now);
      });
      counters?.events.inc({ saga: saga.name, outcome: 'deferred' });
    }
  }

  async function handleRecords(state: SagaState, records: readonly RecordedEvent[]): Promise<void> {
    for (const record of records) {
      const event = toSagaEvent(record);
      if (event !== undefined && state.saga.eventTypes.includes(event.type)) await processEvent(state, event);
      state.position = record.position;
    }
  }

  async function subscribe(state: SagaState): Promise<void> {
    const after = (await readCheckpoint(sql, schema, state.saga.name)) ?? START;
    state.position = after;
    const subscription = ledger.subscribe(
      { after, filter: state.filter, batchSize: eventBatchSize },
      {
        handle: (records) => handleRecords(state, records),
        caughtUp: async (position) => {
          state.position = position;
          state.restarts = 0;
          // Skips the events the filter left out, so a restart does not read past them again.
          await storeCheckpoint(sql, schema, state.saga.name, position, clock.now());
        },
        storeError: (error, attempt) =>
          logger.warn(
            { saga: state.saga.name, attempt, err: errorText(error) },
            'ledger read failed: retrying',
          ),
      },
    );
    state.subscription = subscription;
    subscription.done.catch((error: unknown) => {
      if (!running || state.subscription !== subscription) return;
      state.subscription = null;
      state.restarts += 1;
      const delay = backoffDelay(state.restarts, { baseMs: 200, maxMs: 30_000, jitter: 0.2 });
      logger.error(
        { saga: state.saga.name, err: errorText(error), retryInMs: delay },
        'saga subscription stopped: resubscribing from the checkpoint',
      );
      state.restartTimer = setTimeout(() => {
        state.restartTimer = null;
        if (running)
          subscribe(state).catch((cause: unknown) =>
            logger.error({ err: errorText(cause) }, 'resubscribe failed'),
          );
      }, delay);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Timers
  // -------------------------------------------------------------------------------------------

  const eventRetryHandler =
    (saga: SagaDefinition): TimerHandler =>
    async (ctx) => {
      const event = deserializeEvent(ctx.timer.payload.event);
      if (event === undefined) throw new PermanentSagaError('the retried event cannot be read back');
      await sql.transaction((tx) => saga.onEvent(event, eventContext(tx, saga, event, ctx.now)));
      return undefined;
    };

  async function runTimer(timer: ClaimedTimer): Promise<void> {
    const saga = byName.get(timer.saga);
    const handler =
      saga === undefined
        ? undefined
        : timer.kind === EVENT_RETRY_KIND
          ? eventRetryHandler(saga)
          : saga.timers[timer.kind];
    const now = clock.now();
    const outcome = (value: string) =>
      counters?.timers.inc({ saga: timer.saga, kind: timer.kind, outcome: value });
    if (saga === undefined || handler === undefined) {
      await deadLetterTimer(sql, schema, timer, `no handler for timer ${timer.saga}/${timer.kind}`, now);
      outcome('dead_letter');
      return;
    }
    const ctx: TimerContext = {
      timer: {
        id: timer.id,
        kind: timer.kind,
        key: timer.key,
        dueAt: timer.dueAt,
        payload: timer.payload,
        attempt: timer.attempts,
        maxAttempts: timer.maxAttempts,
      },
      now,
      sql,
      schema,
      timers: schedulerOn(sql, saga.name),
      timersOn: (executor) => schedulerOn(executor, saga.name),
      logger: logger.child({ saga: saga.name, timerKind: timer.kind, timerKey: timer.key }),
    };
    try {
      const result = await handler(ctx);
      if (result === undefined) {
        await completeTimer(sql, schema, timer);
        outcome('done');
      } else {
        await retryTimer(sql, schema, timer, result.retryAt, clock.now(), {
          error: null,
          countAttempt: false,
        });
        outcome('rescheduled');
      }
    } catch (error) {
      const text = errorText(error);
      const failedAt = clock.now();
      if (isPermanent(error) || timer.attempts >= timer.maxAttempts) {
        await deadLetterTimer(sql, schema, timer, text, failedAt);
        logger.error(
          {
            saga: timer.saga,
            timerKind: timer.kind,
            timerKey: timer.key,
            attempts: timer.attempts,
            err: text,
          },
          'saga timer dead-lettered',
        );
        outcome('dead_letter');
        return;
      }
      const retryAt = new Date(failedAt.getTime() + backoffDelay(timer.attempts, backoff));
      await retryTimer(sql, schema, timer, retryAt, failedAt, { error: text, countAttempt: true });
      logger.warn(
        {
          saga: timer.saga,
          timerKind: timer.kind,
          timerKey: timer.key,
          attempts: timer.attempts,
          retryAt,
          err: text,
        },
        'saga timer failed: retrying with backoff',
      );
      outcome('retry');
    }
  }

  async function pollOnce(): Promise<number> {
    const now = clock.now();
    const claimed = await claimDueTimers(sql, schema, {
      now,
      limit: timerBatchSize,
      leaseMs,
      sagas: [...byName.keys()],
    });
    // One at a time, in due order: two timers of one booking never race each other in a process.
    for (const timer of claimed) await runTimer(timer);
    if (now.getTime() - lastPrune >= HOUR_MS) {
      lastPrune = now.getTime();
      await pruneProcessedEvents(sql, schema, new Date(now.getTime() - retentionMs));
    }
    return claimed.length;
  }

  async function pollLoop(): Promise<void> {
    while (running) {
      let fired = 0;
      try {
        fired = await pollOnce();
      } catch (error) {
        logger.error({ err: errorText(error) }, 'timer poll failed');
      }
      if (!running) break;
      if (fired < timerBatchSize) {
        await new Promise<void>((resolve) => {
          const timeout = setTimeout(done, pollIntervalMs);
          function done() {
            clearTimeout(timeout);
            wakePoller = null;
            resolve();
          }
          wakePoller = done;
        });
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------------------------

  async function settle(settleOptions: SettleOptions = {}): Promise<void> {
    // Generous: on a shared PostgreSQL another client's open transaction delays the gap-safe order.
    const timeoutMs = settleOptions.timeoutMs ?? 25_000;
    const deadline = Date.now() + timeoutMs;
    const target = typeof settleOptions.until === 'function' ? settleOptions.until() : settleOptions.until;
    for (const state of states) {
      if (state.subscription === null && state.restartTimer === null) continue;
      for (;;) {
        const page = await ledger.readAll({ after: state.position, filter: state.filter, limit: 1 });
        // Nothing left for this saga, and everything up to the target is visible (an empty filtered
        // read scans to the visible tail, which `next` names).
        const reached = target === undefined || comparePositions(page.next, target) >= 0;
        if (page.events.length === 0 && reached) break;
        if (Date.now() > deadline) {
          const where = `at ${positionToString(state.position)}${target ? `, target ${positionToString(target)}` : ''}`;
          throw new Error(`saga ${state.saga.name} did not catch up within ${timeoutMs} ms (${where})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }

  if (options.metrics) {
    const metrics = options.metrics;
    const names = [...byName.keys()];
    let snapshot: Promise<SagaBacklog[]> | null = null;
    // One query per scrape for all three gauges.
    const read = () => {
      snapshot ??= readBacklog(sql, schema, clock.now()).finally(() => {
        setTimeout(() => {
          snapshot = null;
        }, 0);
      });
      return snapshot;
    };
    const gaugeOf = (name: string, help: string, pick: (b: SagaBacklog) => number) =>
      metrics.gauge<'saga'>({
        name,
        help,
        labelNames: ['saga'],
        collect: async (gauge) => {
          const backlog = await read().catch(() => []);
          gauge.reset();
          for (const saga of names) gauge.set({ saga }, 0);
          for (const entry of backlog) gauge.set({ saga: entry.saga }, pick(entry));
        },
      });
    gaugeOf('saga_timers_due', 'Saga timers and jobs due now or overdue (backlog)', (b) => b.due);
    gaugeOf('saga_timers_scheduled', 'Saga timers and jobs scheduled, due or future', (b) => b.scheduled);
    gaugeOf(
      'saga_dead_letters',
      'Saga jobs that exhausted their retries and wait for ops',
      (b) => b.deadLetters,
    );
  }

  return {
    schema,
    migrate,
    async start(startOptions = {}) {
      if (running) return;
      await migrate();
      for (const saga of options.sagas) {
        await saga.onStart?.({ sql, schema, now: clock.now(), timers: schedulerOn(sql, saga.name), logger });
      }
      running = true;
      if (startOptions.subscribe !== false) for (const state of states) await subscribe(state);
      if (startOptions.poll !== false) poller = pollLoop();
    },
    async stop() {
      running = false;
      wakePoller?.();
      for (const state of states) {
        if (state.restartTimer) clearTimeout(state.restartTimer);
        state.restartTimer = null;
        const subscription = state.subscription;
        state.subscription = null;
        await subscription?.stop();
      }
      await poller;
      poller = null;
    },
    pollOnce,
    settle,
    async runUntilIdle(idleOptions = {}) {
      const maxRounds = idleOptions.maxRounds ?? 100;
      for (let round = 0; round < maxRounds; round++) {
        await settle(idleOptions);
        if ((await pollOnce()) > 0) continue;
        await settle(idleOptions);
        if ((await pollOnce()) === 0) return;
      }
      throw new Error(`sagas still busy after ${maxRounds} rounds`);
    },
    backlog: () => readBacklog(sql, schema, clock.now()),
  };
}

function registerMetrics(metrics: Metrics): RunCounters {
  return {
    events: metrics.counter<'saga' | 'outcome'>({
      name: 'saga_events_total',
      help: 'Events seen by sagas: handled, duplicate (already handled) or deferred (handler failed)',
      labelNames: ['saga', 'outcome'],
    }),
    timers: metrics.counter<'saga' | 'kind' | 'outcome'>({
      name: 'saga_timer_runs_total',
      help: 'Saga timer runs: done, rescheduled, retry or dead_letter',
      labelNames: ['saga', 'kind', 'outcome'],
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Events as timer payloads
// ---------------------------------------------------------------------------------------------

function serializeEvent(event: SagaEvent): TimerPayload {
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    // The data is already upcast: record it under the current version so it is not upcast twice.
    metadata: {
      ...event.metadata,
      schemaVersion: schemaVersionOf(event.type) ?? event.metadata.schemaVersion,
    },
    streamName: event.streamName,
    revision: event.revision.toString(),
    position: positionToString(event.position),
    recordedAt: event.recordedAt.toISOString(),
  };
}

function deserializeEvent(value: unknown): SagaEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const raw = value as Record<string, unknown>;
  const { id, type, data, metadata, streamName, revision, position, recordedAt } = raw;
  if (
    typeof id !== 'string' ||
    typeof type !== 'string' ||
    typeof data !== 'object' ||
    data === null ||
    typeof metadata !== 'object' ||
    metadata === null ||
    typeof streamName !== 'string' ||
    typeof revision !== 'string' ||
    typeof position !== 'string' ||
    typeof recordedAt !== 'string'
  ) {
    return undefined;
  }
  // The event was an upcast, validated SagaEvent when it was stored here: its schema is current.
  return toSagaEvent({
    id,
    type,
    data: data as Record<string, unknown>,
    metadata: metadata as RecordedEvent['metadata'],
    streamName,
    revision: BigInt(revision),
    position: positionFromString(position),
    recordedAt: new Date(recordedAt),
  });
}
