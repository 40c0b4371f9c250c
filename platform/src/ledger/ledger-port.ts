import type { EventMetadata } from '@pti/events';

/**
 * The ledger port (DESIGN.md §4). Three adapters implement it: PostgreSQL, embedded PGlite and
 * EventStoreDB; one contract suite (`ledger-contract.ts`) proves each.
 *
 * Revision numbering: a stream's revision is the number of events it holds, so the first event of a
 * stream has revision 1 and a stream that does not exist has revision 0. EventStoreDB numbers events
 * from 0: its revision of an event is ours minus one (the adapter maps them).
 */

/** Expected state of a stream when appending. A bigint is the stream's exact current revision. */
export type ExpectedRevision = 'no_stream' | 'exists' | 'any' | bigint;

/**
 * A point in the global order. For SQL adapters `commit` is the writing transaction id (xid8) and
 * `prepare` the global position; for EventStoreDB they are the commit and prepare positions.
 * Positions compare by (commit, prepare).
 */
export interface Position {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export const START: Position = Object.freeze({ commit: 0n, prepare: 0n });

export type EventData = Readonly<Record<string, unknown>>;

export interface EventToAppend {
  /** uuid; re-appending the same ids to the same stream is idempotent. */
  readonly id: string;
  readonly type: string;
  readonly data: EventData;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: EventData;
  readonly metadata: EventMetadata;
  readonly streamName: string;
  /** 1-based revision of this event within its stream. */
  readonly revision: bigint;
  readonly position: Position;
  readonly recordedAt: Date;
}

export interface AppendResult {
  /** The stream's revision after the append (pass it as the next expected revision). */
  readonly nextExpectedRevision: bigint;
  /** Position of the last appended event. */
  readonly position: Position;
  /** True when every event id was already stored: nothing was written. */
  readonly duplicate: boolean;
}

export interface EventFilter {
  /** Keep events whose stream name starts with one of these (e.g. `booking-`). */
  readonly streamPrefixes?: readonly string[];
  /** Keep events of these types. */
  readonly eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Defaults to the start. */
  readonly after?: Position;
  /** Maximum events returned. */
  readonly limit?: number;
  readonly filter?: EventFilter;
}

export interface ReadAllPage {
  readonly events: readonly RecordedEvent[];
  /**
   * Where to continue from: the last position this read went past, which may be beyond the last
   * returned event when a filter skipped events. Equal to `after` when nothing new was visible.
   */
  readonly next: Position;
  /** True when the read reached the end of what is currently visible. */
  readonly isEnd: boolean;
}

export interface ReadStreamOptions {
  /** Inclusive 1-based revision to start from. Defaults to 1. */
  readonly fromRevision?: bigint;
  readonly limit?: number;
}

export interface SubscriptionHandler {
  /** Receives events in global order, in batches; throwing stops the subscription with that error. */
  handle(events: readonly RecordedEvent[]): Promise<void>;
  /** Called each time the subscription has caught up with everything visible. */
  caughtUp?(position: Position): void | Promise<void>;
  /** Called when reading from the store failed; the subscription retries with backoff. */
  storeError?(error: unknown, attempt: number): void;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: delivery starts after it. */
  readonly after?: Position;
  readonly filter?: EventFilter;
  /** Maximum events per `handle` call. */
  readonly batchSize?: number;
}

export interface Subscription {
  /** Stops delivery; resolves once no handler call is running. */
  stop(): Promise<void>;
  /** Settles when the subscription ends: resolves on stop(), rejects with a handler's error. */
  readonly done: Promise<void>;
}

export interface Ledger {
  /** Which adapter this is, for /health and logs. */
  readonly kind: 'postgres' | 'pglite' | 'eventstoredb';
  append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream in revision order; an empty array when the stream does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<readonly RecordedEvent[]>;
  /** A stream's current revision (0 when it does not exist). */
  streamRevision(stream: string): Promise<bigint>;
  readAll(options?: ReadAllOptions): Promise<ReadAllPage>;
  /** Catch-up then live; at-least-once; global order; never skips an event committed late. */
  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription;
  /** Liveness of the underlying store, for /health. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Raised when the expected revision does not match; `actual` is the stream's revision (0 = none). */
export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  readonly code = 'wrong_expected_revision';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint,
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

/** Raised when an event id already stored is appended again in a different stream or batch shape. */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  readonly code = 'duplicate_event_id';
  constructor(
    readonly stream: string,
    readonly eventId: string,
  ) {
    super(`event ${eventId} is already stored and cannot be appended to ${stream} again`);
  }
}

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** Checkpoints are stored as text `commit/prepare`. */
export function positionToString(p: Position): string {
  return `${p.commit}/${p.prepare}`;
}

export function positionFromString(s: string): Position {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m) throw new Error(`invalid position: ${s}`);
  return { commit: BigInt(m[1]!), prepare: BigInt(m[2]!) };
}

export function matchesFilter(filter: EventFilter | undefined, streamName: string, type: string): boolean {
  if (!filter) return true;
  if (filter.eventTypes && filter.eventTypes.length > 0 && !filter.eventTypes.includes(type)) return false;
  if (filter.streamPrefixes && filter.streamPrefixes.length > 0) {
    return filter.streamPrefixes.some((p) => streamName.startsWith(p));
  }
  return true;
}
