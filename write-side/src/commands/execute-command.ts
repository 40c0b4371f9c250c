import { randomUUID } from 'node:crypto';
import { type Actor, type EventMetadata, schemaVersionOf, upcast } from '@pti/events';
import { type Ledger, type RecordedEvent, WrongExpectedRevisionError } from '@pti/platform';
import type { Decider } from '../domain/shared/decider.js';
import { isDomainError } from '../domain/shared/domain-error.js';
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
  /**
   * Read the stream's tail before every decision, even with a cached state. Off by default: a
   * decision taken on the cached state is appended with the cached revision, so the ledger itself
   * says whether the state was current (a conflict re-reads and decides again); a refusal or no-op
   * taken on the cached state, which the ledger cannot check, is decided again on a fresh read.
   */
  readonly readBeforeDecide?: boolean;
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
  /**
   * True when these events had already been appended by an earlier run of the same request
   * (deterministic event ids): nothing was written this time.
   */
  readonly replayed: boolean;
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

/**
 * Raised when the caller named the revision it decided on (HTTP `If-Match`) and the stream is no
 * longer there; the HTTP layer answers 412 PRECONDITION_FAILED. Never retried: the caller must look
 * at the new state first.
 */
export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError';
  readonly code = 'PRECONDITION_FAILED';
  constructor(
    readonly stream: string,
    readonly expected: bigint,
    readonly actual: bigint,
  ) {
    super(`stream ${stream} is at revision ${actual}, not ${expected}`);
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
   * same ids, which the ledger treats as a duplicate instead of a second write. With them, a command
   * the decider now refuses (it was already applied: `BOOKING_ALREADY_EXISTS`, `CLOSURE_ALREADY_EXISTS`)
   * is recognised as applied when the stream holds the id of its first event, and answered as done.
   */
  readonly eventId?: (index: number) => string;
  /**
   * The stream is known to be new (a freshly generated id): skip the read and append with
   * `no_stream`. Were it not new after all, the append conflicts and the command runs as usual.
   */
  readonly assumeNew?: boolean;
  /**
   * Optimistic concurrency chosen by the caller (HTTP `If-Match`): decide only on this revision and
   * raise `PreconditionFailedError` otherwise, without retrying.
   */
  readonly expectedRevision?: bigint;
  /**
   * A read of the stream already under way (started alongside other loads, so its round trip is not
   * waited for after theirs): the first attempt decides on it as on a fresh read.
   */
  readonly preloaded?: Promise<{ readonly state: State; readonly revision: bigint }>;
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
 *
 * With a cached state the first decision is taken on it without reading (see `readBeforeDecide`):
 * on the hot path (this process is the stream's usual writer) a command costs one round trip, the
 * append, instead of two.
 */
export async function executeCommand<Command, State, Event extends DecidedEvent, Context>(
  env: CommandEnvironment,
  options: ExecuteOptions<Command, State, Event, Context>,
): Promise<CommandExecution<State, Event>> {
  const maxAttempts = env.maxAttempts ?? 6;
  const { decider, stream } = options;
  for (let attempt = 1; ; attempt++) {
    let { state, revision, verified } = await stateToDecideOn(env, options, attempt);
    if (options.expectedRevision !== undefined && revision !== options.expectedRevision) {
      throw new PreconditionFailedError(stream, options.expectedRevision, revision);
    }
    let decision = decideOn(options, state);
    if (!verified && (!decision.ok || decision.events.length === 0)) {
      // Nothing will be appended, so no expected revision will check this state: read the tail first.
      ({ state, revision } = await loadAggregate<State, Event>(env, stream, decider));
      decision = decideOn(options, state);
    }
    if (!decision.ok) {
      const error = decision.error;
      if (options.eventId && isDomainError(error) && (await holdsEvent(env, stream, options.eventId(0)))) {
        return { stream, state, stateBefore: state, events: [], revision, attempts: attempt, replayed: true };
      }
      throw error;
    }
    const events = decision.events;
    if (events.length === 0) {
      return { stream, state, stateBefore: state, events, revision, attempts: attempt, replayed: false };
    }
    const occurredAt = env.now().toISOString();
    const toAppend = events.map((event, index) => ({
      id: options.eventId ? options.eventId(index) : randomUUID(),
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
          replayed: true,
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
        replayed: false,
      };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      env.cache?.delete(stream);
      if (options.expectedRevision !== undefined) {
        throw new PreconditionFailedError(stream, options.expectedRevision, error.actual);
      }
      if (attempt >= maxAttempts) throw new ConcurrencyExhaustedError(stream, attempt);
      await backoff(attempt);
    }
  }
}

/**
 * The state a decision starts from: the initial state of a stream assumed new, the cached fold
 * (optimistic: the append's expected revision checks it), or the stream read now (`verified`).
 */
async function stateToDecideOn<Command, State, Event, Context>(
  env: CommandEnvironment,
  options: ExecuteOptions<Command, State, Event, Context>,
  attempt: number,
): Promise<{ state: State; revision: bigint; verified: boolean }> {
  const { decider, stream } = options;
  if (attempt === 1 && options.assumeNew === true) {
    return { state: decider.initialState(), revision: 0n, verified: false };
  }
  if (attempt === 1 && options.preloaded !== undefined)
    return { ...(await options.preloaded), verified: true };
  const cached = attempt === 1 && options.expectedRevision === undefined && env.readBeforeDecide !== true;
  const entry = cached ? env.cache?.get(stream) : undefined;
  if (entry) return { state: entry.state as State, revision: entry.revision, verified: false };
  const loaded = await loadAggregate<State, Event>(env, stream, decider);
  return { ...loaded, verified: true };
}

type Decision<Event> =
  | { readonly ok: true; readonly events: readonly Event[] }
  | { readonly ok: false; readonly error: unknown };

/** `decide` as a value, so the caller can decide again on a fresh read before answering a refusal. */
function decideOn<Command, State, Event, Context>(
  options: ExecuteOptions<Command, State, Event, Context>,
  state: State,
): Decision<Event> {
  const context =
    typeof options.context === 'function'
      ? (options.context as (s: State) => Context)(state)
      : options.context;
  try {
    return { ok: true, events: options.decider.decide(options.command, state, context) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Whether the stream holds an event with this id (a refused retry of a command already applied). */
async function holdsEvent(
  env: Pick<CommandEnvironment, 'ledger'>,
  stream: string,
  id: string,
): Promise<boolean> {
  const events = await env.ledger.readStream(stream);
  return events.some((event) => event.id === id);
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
