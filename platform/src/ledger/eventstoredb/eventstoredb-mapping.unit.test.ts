import { ANY, START as ESDB_START, NO_STREAM, STREAM_EXISTS } from '@eventstore/db-client';
import type { EventMetadata } from '@pti/events';
import { describe, expect, it } from 'vitest';
import { START } from '../ledger-port.js';
import {
  APPEND_ID_KEY,
  appendIdOf,
  claimEventId,
  claimStreamName,
  fromEsdbCurrentRevision,
  fromEsdbEventRevision,
  fromEsdbPosition,
  fromEsdbRecordedEvent,
  isDeliverable,
  isStartPosition,
  isSystemEvent,
  planServerFilter,
  toEsdbCurrentRevision,
  toEsdbExpectedRevision,
  toEsdbFilter,
  toEsdbMetadata,
  toEsdbPosition,
  toEsdbReadRevision,
} from './eventstoredb-mapping.js';

const metadata: EventMetadata = {
  tenantId: 't1',
  actor: { id: 'u1', role: 'operateur' },
  correlationId: 'c1',
  causationId: null,
  occurredAt: '2025-01-02T03:04:05.000Z',
  schemaVersion: 1,
};

describe('EventStoreDB mapping: revisions', () => {
  it('maps expected revisions to ESDB (0-based, NO_STREAM for an empty stream)', () => {
    expect(toEsdbExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toEsdbExpectedRevision('exists')).toBe(STREAM_EXISTS);
    expect(toEsdbExpectedRevision('any')).toBe(ANY);
    expect(toEsdbExpectedRevision(0n)).toBe(NO_STREAM);
    expect(toEsdbExpectedRevision(1n)).toBe(0n);
    expect(toEsdbExpectedRevision(42n)).toBe(41n);
    expect(() => toEsdbExpectedRevision(-1n)).toThrow(RangeError);
  });

  it('maps ESDB current revisions (actualVersion, nextExpectedRevision) back to port revisions', () => {
    expect(fromEsdbCurrentRevision(NO_STREAM)).toBe(0n);
    expect(fromEsdbCurrentRevision(-1n)).toBe(0n);
    expect(fromEsdbCurrentRevision(0n)).toBe(1n);
    expect(fromEsdbCurrentRevision(2n)).toBe(3n);
  });

  it('round-trips a stream revision both ways', () => {
    for (const revision of [0n, 1n, 2n, 10n, 2n ** 40n]) {
      expect(fromEsdbCurrentRevision(toEsdbCurrentRevision(revision))).toBe(revision);
      const expected = toEsdbExpectedRevision(revision);
      expect(expected).toBe(toEsdbCurrentRevision(revision));
    }
    expect(toEsdbCurrentRevision(0n)).toBe(NO_STREAM);
    expect(() => toEsdbCurrentRevision(-2n)).toThrow(RangeError);
  });

  it('maps event revisions and stream read starts', () => {
    expect(fromEsdbEventRevision(0n)).toBe(1n);
    expect(fromEsdbEventRevision(9n)).toBe(10n);
    expect(toEsdbReadRevision(undefined)).toBe(ESDB_START);
    expect(toEsdbReadRevision(1n)).toBe(ESDB_START);
    expect(toEsdbReadRevision(0n)).toBe(ESDB_START);
    expect(toEsdbReadRevision(4n)).toBe(3n);
  });
});

describe('EventStoreDB mapping: positions', () => {
  it('maps START both ways and keeps commit/prepare otherwise', () => {
    expect(isStartPosition(undefined)).toBe(true);
    expect(isStartPosition(START)).toBe(true);
    expect(isStartPosition({ commit: 0n, prepare: 1n })).toBe(false);
    expect(toEsdbPosition(undefined)).toBe(ESDB_START);
    expect(toEsdbPosition({ commit: 0n, prepare: 0n })).toBe(ESDB_START);
    expect(toEsdbPosition({ commit: 1234n, prepare: 1200n })).toEqual({ commit: 1234n, prepare: 1200n });
    expect(fromEsdbPosition({ commit: 18446744073709551615n, prepare: 7n })).toEqual({
      commit: 18446744073709551615n,
      prepare: 7n,
    });
  });
});

describe('EventStoreDB mapping: filters and system events', () => {
  it('recognises system events and id claims', () => {
    expect(isSystemEvent('$stats-127.0.0.1:2113', 'x')).toBe(true);
    expect(isSystemEvent('booking-1', '$metadata')).toBe(true);
    expect(isSystemEvent('$$booking-1', 'x')).toBe(true);
    expect(
      isSystemEvent(claimStreamName('0f8fad5b-d9cb-469f-a165-70867728950e'), 'LedgerEventIdClaimed'),
    ).toBe(true);
    expect(isSystemEvent('booking-1', 'BookingRequested')).toBe(false);
  });

  it('plans the server-side filter: stream prefixes first, else event types, else exclude system events', () => {
    expect(planServerFilter(undefined)).toEqual({ on: 'excludeSystemEvents' });
    expect(planServerFilter({})).toEqual({ on: 'excludeSystemEvents' });
    expect(planServerFilter({ streamPrefixes: [], eventTypes: [] })).toEqual({ on: 'excludeSystemEvents' });
    expect(planServerFilter({ streamPrefixes: ['booking-', 'centre-'] })).toEqual({
      on: 'streamName',
      prefixes: ['booking-', 'centre-'],
    });
    expect(planServerFilter({ streamPrefixes: ['booking-'], eventTypes: ['A'] })).toEqual({
      on: 'streamName',
      prefixes: ['booking-'],
    });
    expect(planServerFilter({ eventTypes: ['A', 'B'] })).toEqual({ on: 'eventType', prefixes: ['A', 'B'] });
  });

  it('builds the client filter objects subscribeToAll takes', () => {
    expect(toEsdbFilter({ streamPrefixes: ['booking-'] })).toMatchObject({
      filterOn: 'streamName',
      prefixes: ['booking-'],
      checkpointInterval: 1,
    });
    expect(toEsdbFilter({ eventTypes: ['BookingRequested'] })).toMatchObject({
      filterOn: 'eventType',
      prefixes: ['BookingRequested'],
    });
    expect(toEsdbFilter(undefined)).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
  });

  it('applies the exact filter client-side (types exactly, both dimensions, no system events)', () => {
    const f = { streamPrefixes: ['booking-'], eventTypes: ['A'] };
    expect(isDeliverable(f, 'booking-1', 'A')).toBe(true);
    expect(isDeliverable(f, 'booking-1', 'AB')).toBe(false);
    expect(isDeliverable(f, 'centre-1', 'A')).toBe(false);
    expect(isDeliverable({ eventTypes: ['A'] }, 'centre-1', 'A')).toBe(true);
    expect(isDeliverable(undefined, 'centre-1', 'X')).toBe(true);
    expect(isDeliverable(undefined, '$et-X', 'X')).toBe(false);
    expect(isDeliverable({ streamPrefixes: ['$'] }, '$stats-1', 'X')).toBe(false);
  });
});

describe('EventStoreDB mapping: events', () => {
  it('derives a deterministic, stream-specific uuid for id claims', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const a = claimEventId('booking-1', id);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(claimEventId('booking-1', id)).toBe(a);
    expect(claimEventId('booking-2', id)).not.toBe(a);
    expect(claimStreamName(id)).toBe(`ledger_event_id-${id}`);
  });

  it('stores the append nonce in metadata and strips it when reading back', () => {
    const stored = toEsdbMetadata(metadata, 'nonce-1');
    expect(stored).toEqual({ ...metadata, [APPEND_ID_KEY]: 'nonce-1' });
    expect(appendIdOf(stored)).toBe('nonce-1');
    expect(appendIdOf(metadata)).toBeUndefined();
    expect(appendIdOf(new Uint8Array([1]))).toBeUndefined();

    const created = new Date('2025-01-02T03:04:05.678Z');
    const event = fromEsdbRecordedEvent({
      streamId: 'booking-1',
      id: '0f8fad5b-d9cb-469f-a165-70867728950e',
      isJson: true,
      revision: 4n,
      type: 'BookingRequested',
      created,
      data: { slot: '09:00' },
      metadata: stored,
      position: { commit: 500n, prepare: 480n },
    });
    expect(event).toEqual({
      id: '0f8fad5b-d9cb-469f-a165-70867728950e',
      type: 'BookingRequested',
      data: { slot: '09:00' },
      metadata,
      streamName: 'booking-1',
      revision: 5n,
      position: { commit: 500n, prepare: 480n },
      recordedAt: created,
    });
  });

  it('uses the resolved commit position when an old server gives none, and refuses when there is none', () => {
    const base = {
      streamId: 's-1',
      id: '0f8fad5b-d9cb-469f-a165-70867728950e',
      revision: 0n,
      type: 'T',
      created: new Date(0),
      metadata: undefined,
    };
    const binary = fromEsdbRecordedEvent({ ...base, isJson: false, data: new Uint8Array([1, 2, 3]) }, 77n);
    expect(binary.position).toEqual({ commit: 77n, prepare: 77n });
    expect(binary.data).toEqual({ raw: 'AQID', encoding: 'base64' });
    expect(binary.metadata).toEqual({});
    expect(() => fromEsdbRecordedEvent({ ...base, isJson: true, data: { a: 1 } })).toThrow(
      /without a position/,
    );
  });
});
