import {
  type Actor,
  type DomainEvent,
  type DomainEventType,
  type EventMetadata,
  isDomainEventType,
  schemaVersionOf,
  upcast,
} from '@pti/events';
import type {
  Logger,
  Migration,
  Position,
  RecordedEvent,
  SqlExecutor,
  TransactionalSqlExecutor,
} from '@pti/platform';
import type { ScheduleMode, TimerPayload } from './saga-store.js';

/**
 * A saga (process manager, DESIGN.md §7): reacts to ledger events and to its own durable timers.
 *
 * - `onEvent` runs inside ONE database transaction together with the claim of the event id, so
 *   what it writes (its state, timers, outbox rows) happens exactly once per event. It must only use
 *   `ctx.tx` (on PGlite any other query would wait for the transaction: a deadlock) and must not call
 *   the outside world: external effects are jobs, i.e. timers due now.
 * - Timer handlers run outside any transaction, at least once: a handler that crashes midway runs
 *   again when its claim lapses. They call commands and providers, which are idempotent (commands
 *   decide nothing twice; providers receive idempotency keys), and check the saga's state first.
 */
export interface SagaDefinition {
  /** Stable name: keys checkpoints, processed events, timers and dead letters. */
  readonly name: string;
  /** The event types the saga subscribes to. */
  readonly eventTypes: readonly DomainEventType[];
  /** The saga's own tables, migrated as component `saga:<name>` in the sagas schema. */
  readonly migrations?: (schema: string) => readonly Migration[];
  /** Tables shared with other sagas (the outbox), migrated once per component name. */
  readonly requires?: readonly SagaComponent[];
  readonly onEvent: (event: SagaEvent, ctx: EventContext) => Promise<void>;
  readonly timers: Readonly<Record<string, TimerHandler>>;
  /** Called once per runtime start, after migrations (e.g. to schedule a recurring poll). */
  readonly onStart?: (ctx: StartContext) => Promise<void>;
}

/** A set of tables several sagas use, migrated once under its own component name. */
export interface SagaComponent {
  readonly component: string;
  readonly migrations: (schema: string) => readonly Migration[];
}

/** A stored event as a saga sees it: upcast to the current schema, with its envelope. */
export type SagaEvent = DomainEvent & {
  readonly id: string;
  readonly streamName: string;
  readonly revision: bigint;
  readonly position: Position;
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
};

/** `undefined` for records whose type is not in the domain catalogue. */
export function toSagaEvent(record: RecordedEvent): SagaEvent | undefined {
  if (!isDomainEventType(record.type)) return undefined;
  const stored = record.metadata.schemaVersion;
  const data =
    stored === schemaVersionOf(record.type) ? record.data : upcast(record.type, stored, record.data);
  // The type names a catalogue entry and the payload was validated against it when appended.
  const event = { type: record.type, data } as DomainEvent;
  return {
    ...event,
    id: record.id,
    streamName: record.streamName,
    revision: record.revision,
    position: record.position,
    metadata: record.metadata,
    recordedAt: record.recordedAt,
  };
}

export interface TimerScheduler {
  /** Schedules (or replaces, see `ScheduleMode`) the timer `kind`/`key` of this saga. */
  schedule(
    kind: string,
    key: string,
    dueAt: Date,
    payload: TimerPayload,
    options?: { readonly mode?: ScheduleMode; readonly maxAttempts?: number },
  ): Promise<void>;
  cancel(kind: string, key: string): Promise<boolean>;
}

export interface EventContext {
  /** The transaction the event is handled in; use it for every query. */
  readonly tx: SqlExecutor;
  /** The sagas schema (a checked identifier, safe to splice into SQL). */
  readonly schema: string;
  readonly now: Date;
  /** Timers written in the same transaction. */
  readonly timers: TimerScheduler;
  readonly logger: Logger;
}

export interface DueTimer {
  readonly id: string;
  readonly kind: string;
  readonly key: string;
  readonly dueAt: Date;
  readonly payload: TimerPayload;
  /** 1 on the first run. */
  readonly attempt: number;
  readonly maxAttempts: number;
}

export interface TimerContext {
  readonly timer: DueTimer;
  readonly now: Date;
  readonly sql: TransactionalSqlExecutor;
  readonly schema: string;
  readonly timers: TimerScheduler;
  /** This saga's timers written through another executor (a transaction the handler opened). */
  readonly timersOn: (executor: SqlExecutor) => TimerScheduler;
  readonly logger: Logger;
}

export interface StartContext {
  readonly sql: TransactionalSqlExecutor;
  readonly schema: string;
  readonly now: Date;
  readonly timers: TimerScheduler;
  readonly logger: Logger;
}

/** Nothing: done. `retryAt`: run again then, without counting a failed attempt (polling, waiting). */
export type TimerOutcome = undefined | { readonly retryAt: Date };

export type TimerHandler = (ctx: TimerContext) => Promise<TimerOutcome>;

/**
 * A failure retrying cannot cure (a provider refused the request, a command the domain refuses
 * although it must succeed): the timer goes straight to the dead letters, for ops to look at.
 */
export class PermanentSagaError extends Error {
  override readonly name = 'PermanentSagaError';
}

export function isPermanent(error: unknown): boolean {
  return error instanceof PermanentSagaError;
}

/** Who the sagas' commands are from: the platform itself, as one named process manager. */
export function sagaActor(saga: string): Actor {
  return { id: `saga:${saga}`, role: 'system' };
}

/**
 * Where a command issued by a saga comes from: the tenant and correlation of the event that caused
 * it, the event id as causation. Timer payloads carry it so a later run issues the same origin.
 */
export interface SagaOrigin {
  readonly tenantId: string;
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId: string | null;
}

export function originOf(saga: string, event: Pick<SagaEvent, 'id' | 'metadata'>): SagaOrigin {
  return {
    tenantId: event.metadata.tenantId,
    actor: sagaActor(saga),
    correlationId: event.metadata.correlationId,
    causationId: event.id,
  };
}

/** Reads back an origin stored in a timer payload. */
export function originFromPayload(saga: string, payload: TimerPayload): SagaOrigin {
  const origin = payload.origin;
  if (typeof origin !== 'object' || origin === null)
    throw new PermanentSagaError('timer payload has no origin');
  const record = origin as Record<string, unknown>;
  const text = (key: string): string => {
    const value = record[key];
    if (typeof value !== 'string' || value === '') throw new PermanentSagaError(`timer origin lacks ${key}`);
    return value;
  };
  const causation = record.causationId;
  return {
    tenantId: text('tenantId'),
    actor: sagaActor(saga),
    correlationId: text('correlationId'),
    causationId: typeof causation === 'string' ? causation : null,
  };
}

/** The JSON form of an origin, for a timer payload. */
export function originPayload(origin: SagaOrigin): TimerPayload {
  return {
    tenantId: origin.tenantId,
    correlationId: origin.correlationId,
    causationId: origin.causationId,
  };
}

/** A string field of a timer payload; a payload without it is a bug, not a transient failure. */
export function payloadString(payload: TimerPayload, key: string): string {
  const value = payload[key];
  if (typeof value !== 'string') throw new PermanentSagaError(`timer payload lacks the string ${key}`);
  return value;
}

export function payloadNumber(payload: TimerPayload, key: string): number {
  const value = payload[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new PermanentSagaError(`timer payload lacks the number ${key}`);
  }
  return value;
}

export function payloadOptionalString(payload: TimerPayload, key: string): string | null {
  const value = payload[key];
  return typeof value === 'string' ? value : null;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
