import { createHash } from 'node:crypto';
import {
  type AllStreamRecordedEvent,
  ANY,
  type AppendExpectedRevision,
  type CurrentRevision,
  START as ESDB_START,
  type Position as EsdbPosition,
  type RecordedEvent as EsdbRecordedEvent,
  eventTypeFilter,
  excludeSystemEvents,
  type Filter,
  NO_STREAM,
  type ReadPosition,
  type ReadRevision,
  STREAM_EXISTS,
  streamNameFilter,
} from '@eventstore/db-client';
import type { EventMetadata } from '@pti/events';
import {
  comparePositions,
  type EventData,
  type EventFilter,
  type ExpectedRevision,
  matchesFilter,
  type Position,
  type RecordedEvent,
  START,
} from '../ledger-port.js';

/*
 * Pure conversions between the ledger port and EventStoreDB (no I/O, unit-tested without a server).
 *
 * Revisions. The port counts a stream's events from 1 (a stream's revision is its number of events, 0 =
 * no stream); EventStoreDB numbers events from 0 and calls "no stream" NO_STREAM (-1 on the wire):
 *
 *   port revision of an event  r   <->  ESDB revision  r - 1
 *   port stream revision       0   <->  ESDB NO_STREAM
 *   port stream revision       n   <->  ESDB revision of its last event, n - 1
 *
 * Expected revision on append:
 *
 *   'no_stream'  -> NO_STREAM
 *   'exists'     -> STREAM_EXISTS
 *   'any'        -> ANY
 *   0n           -> NO_STREAM          (the stream must hold no event)
 *   n > 0n       -> n - 1n             (its last event must be ESDB revision n - 1)
 *
 * and back: ESDB nextExpectedRevision / actualVersion v -> v + 1n, NO_STREAM -> 0n.
 *
 * Positions. The port's `{commit, prepare}` is EventStoreDB's commit/prepare position pair, unchanged;
 * the port's START (0/0) is ESDB's START.
 */

/** Key of the per-append nonce stored in the ESDB event metadata (see `eventstoredb-ledger.ts`). */
export const APPEND_ID_KEY = '$ledgerAppendId';

/**
 * Streams holding one claim per event id (`ledger_event_id-<uuid>`): EventStoreDB only deduplicates ids
 * inside one stream, the port refuses an id already stored in another stream.
 */
export const EVENT_ID_CLAIM_PREFIX = 'ledger_event_id-';
export const EVENT_ID_CLAIM_TYPE = 'LedgerEventIdClaimed';

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      if (expected < 0n) throw new RangeError(`expected revision must be >= 0, got ${expected}`);
      return expected === 0n ? NO_STREAM : expected - 1n;
  }
}

/** ESDB's current revision (a 0-based revision, NO_STREAM, or -1 from older servers) as a port revision. */
export function fromEsdbCurrentRevision(current: CurrentRevision): bigint {
  if (current === NO_STREAM) return 0n;
  return current < 0n ? 0n : current + 1n;
}

/** A port stream revision as the ESDB expected revision naming the same state (inverse of the above). */
export function toEsdbCurrentRevision(revision: bigint): CurrentRevision {
  if (revision < 0n) throw new RangeError(`revision must be >= 0, got ${revision}`);
  return revision === 0n ? NO_STREAM : revision - 1n;
}

/** Revision of one event: ESDB 0-based -> port 1-based. */
export function fromEsdbEventRevision(revision: bigint): bigint {
  return revision + 1n;
}

/** Where a forward stream read starts: port 1-based inclusive revision -> ESDB 0-based. */
export function toEsdbReadRevision(fromRevision: bigint | undefined): ReadRevision {
  if (fromRevision === undefined || fromRevision <= 1n) return ESDB_START;
  return fromRevision - 1n;
}

export function isStartPosition(position: Position | undefined): boolean {
  return position === undefined || comparePositions(position, START) === 0;
}

export function toEsdbPosition(position: Position | undefined): ReadPosition {
  if (isStartPosition(position)) return ESDB_START;
  const p = position as Position;
  return { commit: p.commit, prepare: p.prepare };
}

export function fromEsdbPosition(position: EsdbPosition): Position {
  return { commit: BigInt(position.commit), prepare: BigInt(position.prepare) };
}

/** System events: `$`-prefixed streams or types (ESDB's own), and this adapter's event-id claims. */
export function isSystemEvent(streamName: string, type: string): boolean {
  return streamName.startsWith('$') || type.startsWith('$') || streamName.startsWith(EVENT_ID_CLAIM_PREFIX);
}

/** True when an event belongs in reads/subscriptions filtered by `filter`. */
export function isDeliverable(filter: EventFilter | undefined, streamName: string, type: string): boolean {
  return !isSystemEvent(streamName, type) && matchesFilter(filter, streamName, type);
}

/** What EventStoreDB filters server-side for a subscription; the exact filter is re-applied client-side. */
export type ServerFilterPlan =
  | { readonly on: 'streamName'; readonly prefixes: readonly string[] }
  | { readonly on: 'eventType'; readonly prefixes: readonly string[] }
  | { readonly on: 'excludeSystemEvents' };

/**
 * ESDB filters on stream name or on event type, not both, and by prefix or regex. Stream prefixes are the
 * selective part of our filters (categories), so they go to the server when present; event types go to the
 * server (as prefixes) only when there are no stream prefixes. Everything is also checked client-side
 * (`isDeliverable`): exact types, the other dimension, and system events.
 */
export function planServerFilter(filter: EventFilter | undefined): ServerFilterPlan {
  const prefixes = filter?.streamPrefixes ?? [];
  if (prefixes.length > 0) return { on: 'streamName', prefixes };
  const types = filter?.eventTypes ?? [];
  if (types.length > 0) return { on: 'eventType', prefixes: types };
  return { on: 'excludeSystemEvents' };
}

export function toEsdbFilter(filter: EventFilter | undefined): Filter {
  const plan = planServerFilter(filter);
  switch (plan.on) {
    case 'streamName':
      return streamNameFilter({ prefixes: [...plan.prefixes] });
    case 'eventType':
      return eventTypeFilter({ prefixes: [...plan.prefixes] });
    case 'excludeSystemEvents':
      return excludeSystemEvents();
  }
}

/** The stream holding the claim of one event id. */
export function claimStreamName(eventId: string): string {
  return `${EVENT_ID_CLAIM_PREFIX}${eventId}`;
}

/**
 * The ESDB event id of the claim of `eventId` by `stream`: deterministic, so re-claiming for the same stream
 * is an idempotent append, while a claim for another stream is a different event and conflicts.
 */
export function claimEventId(stream: string, eventId: string): string {
  const h = createHash('sha256').update(`${eventId}\u0000${stream}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80; // version 8 (custom)
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** ESDB metadata written for an event: the port metadata plus the append nonce. */
export function toEsdbMetadata(metadata: EventMetadata, appendId: string): Record<string, unknown> {
  return { ...metadata, [APPEND_ID_KEY]: appendId };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/** The append nonce stored with an event, if any. */
export function appendIdOf(metadata: unknown): string | undefined {
  if (!isPlainObject(metadata)) return undefined;
  const id = metadata[APPEND_ID_KEY];
  return typeof id === 'string' ? id : undefined;
}

function toEventData(data: unknown): EventData {
  if (isPlainObject(data)) return data;
  // Events this adapter did not write may carry binary or non-object JSON payloads.
  if (data instanceof Uint8Array) return { raw: Buffer.from(data).toString('base64'), encoding: 'base64' };
  return { raw: data };
}

function toEventMetadata(metadata: unknown): EventMetadata {
  if (!isPlainObject(metadata)) return {} as EventMetadata;
  const { [APPEND_ID_KEY]: _nonce, ...rest } = metadata;
  return rest as EventMetadata;
}

type AnyEsdbRecordedEvent = EsdbRecordedEvent | AllStreamRecordedEvent;

/**
 * An ESDB recorded event as a port event. `fallbackCommit` is the ResolvedEvent's commit position, used
 * when a stream read from a server older than 22.6 carries no event position.
 */
export function fromEsdbRecordedEvent(event: AnyEsdbRecordedEvent, fallbackCommit?: bigint): RecordedEvent {
  let position: Position;
  if (event.position) position = fromEsdbPosition(event.position);
  else if (fallbackCommit !== undefined) position = { commit: fallbackCommit, prepare: fallbackCommit };
  else
    throw new Error(
      `EventStoreDB returned event ${event.id} of ${event.streamId} without a position (server < 22.6)`,
    );
  return {
    id: event.id,
    type: event.type,
    data: toEventData(event.data),
    metadata: toEventMetadata(event.metadata),
    streamName: event.streamId,
    revision: fromEsdbEventRevision(event.revision),
    position,
    recordedAt: event.created,
  };
}
