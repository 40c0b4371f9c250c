import { randomUUID } from 'node:crypto';
import { type Actor, type EventMetadata, schemaVersionOf, upcast } from '@pti/events';
import { type Ledger, type RecordedEvent, WrongExpectedRevisionError } from '@pti/platform';
import type { Decider } from '../domain/shared/decider.js';
import type { AggregateStateCache } from './aggregate-state-cache.js';

/** Events as deciders produce them: the contract's `{ type, data }` shape. */
export interface DecidedEvent {
  readonly type: string;
  readonly data: object;
}

/** Who and why, for the metadata of every event a command appends. */
export interface CommandOrigin {
  readonly tenantId: string;
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId?: string | null;
}

export interface CommandEnvironment {
  readonly ledger: Ledger;
  readonly now: () => Date;
  readonly cache?: AggregateStateCache;
  /** Conflict retries before giving up (each re-reads the stream and decides again). Default 6. */
  readonly maxAttempts?: number;
}

export interface CommandExecution<State, Event> {
  readonly stream: string;
  /** State after the new events. */
  readonly state: State;
  /** State the decision was taken on. */
  readonly stateBefore: State;
  readonly events: readonly Event[];
  /** Stream revision after the append (unchanged when nothing was decided). */
  readonly revision: bigint;
  readonly attempts: number;
}

/** Raised when conflicts persist after every retry; the HTTP layer answers 409 CONCURRENT_MODIFICATION. */
export class ConcurrencyExhaustedError extends Error {
  override readonly name = 'ConcurrencyExhaustedError';
  readonly code = 'CONCURRENT_MODIFICATION';
  constructor(
    readonly stream: string,
    readonly attempts: number,
  ) {
    super(`stream ${stream} kept changing: gave up after ${attempts} attempts`);
  }
}

export interface ExecuteOptions<Command, State, Event, Context> {
  readonly stream: string;
  readonly decider: Decider<Command, State, Event, Context>;
  readonly command: Command;
  /** The decision context; a function when it depends on the loaded state (e.g. the current time). */
  readonly context: Context | ((state: State) => Context);
  readonly origin: CommandOrigin;
  /**
   * Deterministic event ids (e.g. derived from an Idempotency-Key) make a retried request re-append the
   * same ids, which the ledger treats as a duplicate instead of a second write.
   */
  readonly eventId?: (index: number, event: Event) => string;
}

/** Reads a stream's events as the decider's events: upcast to the current schema version. */
export function toDecidedEvent<Event>(recorded: RecordedEvent): Event {
  const version = recorded.metadata.schemaVersion ?? 1;
  const data =
    schemaVersionOf(recorded.type) === undefined
      ? recorded.data
      : upcast(recorded.type, version, recorded.data);
  return { type: recorded.type, data } as Event;
}

/** Loads an aggregate's state and revision, from the cache's fold when it has one. */
export async function loadAggregate<State, Event>(
  env: Pick<CommandEnvironment, 'ledger' | 'cache'>,
  stream: string,
  decider: Pick<Decider<unknown, State, Event, unknown>, 'initialState' | 'evolve'>,
): Promise<{ state: State; revision: bigint }> {
  const cached = env.cache?.get(stream);
  let state = cached ? (cached.state as State) : decider.initialState();
  let revision = cached ? cached.revision : 0n;
  const tail = await env.ledger.readStream(stream, { fromRevision: revision + 1n });
  for (const recorded of tail) {
    state = decider.evolve(state, toDecidedEvent<Event>(recorded));
    revision = recorded.revision;
  }
  if (tail.length > 0) env.cache?.set(stream, revision, state);
  return { state, revision };
}

/**
 * Load → decide → append with the expected revision. A conflict (another writer appended in between)
 * re-reads the stream and decides again, with jittered exponential backoff; domain refusals
 * (`DomainError`) propagate untouched and append nothing.
 */
export async function executeCommand<Command, State, Event extends DecidedEvent, Context>(
  env: CommandEnvironment,
  options: ExecuteOptions<Command, State, Event, Context>,
): Promise<CommandExecution<State, Event>> {
  const maxAttempts = env.maxAttempts ?? 6;
  const { decider, stream } = options;
  for (let attempt = 1; ; attempt++) {
    const { state, revision } = await loadAggregate<State, Event>(env, stream, decider);
    const context =
      typeof options.context === 'function'
        ? (options.context as (s: State) => Context)(state)
        : options.context;
    const events = decider.decide(options.command, state, context);
    if (events.length === 0) {
      return { stream, state, stateBefore: state, events, revision, attempts: attempt };
    }
    const occurredAt = env.now().toISOString();
    const toAppend = events.map((event, index) => ({
      id: options.eventId ? options.eventId(index, event) : randomUUID(),
      type: event.type,
      data: event.data as Record<string, unknown>,
      metadata: metadataFor(options.origin, event.type, occurredAt),
    }));
    try {
      const result = await env.ledger.append(stream, toAppend, revision);
      if (result.duplicate) {
        // These very events were stored by an earlier attempt: report the stream as it is.
        env.cache?.delete(stream);
        const current = await loadAggregate<State, Event>(env, stream, decider);
        return {
          stream,
          state: current.state,
          stateBefore: state,
          events,
          revision: current.revision,
          attempts: attempt,
        };
      }
      const after = events.reduce((s, e) => decider.evolve(s, e), state);
      env.cache?.set(stream, result.nextExpectedRevision, after);
      return {
        stream,
        state: after,
        stateBefore: state,
        events,
        revision: result.nextExpectedRevision,
        attempts: attempt,
      };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      env.cache?.delete(stream);
      if (attempt >= maxAttempts) throw new ConcurrencyExhaustedError(stream, attempt);
      await backoff(attempt);
    }
  }
}

export function metadataFor(origin: CommandOrigin, type: string, occurredAt: string): EventMetadata {
  return {
    tenantId: origin.tenantId,
    actor: origin.actor,
    correlationId: origin.correlationId,
    causationId: origin.causationId ?? null,
    occurredAt,
    schemaVersion: schemaVersionOf(type) ?? 1,
  };
}

function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(200, 4 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)));
}
