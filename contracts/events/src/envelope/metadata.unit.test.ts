import { describe, expect, it } from 'vitest';
import { type EventMetadata, isEventMetadata, validateEventMetadata } from './metadata.js';

const metadata: EventMetadata = {
  tenantId: 'pti-aura',
  actor: { id: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b', role: 'call_centre' },
  correlationId: '6c1f0e5a-2b9d-4f3e-8a7c-1d2e3f4a5b6c',
  causationId: null,
  occurredAt: '2025-03-10T08:00:00.000Z',
  schemaVersion: 1,
};

describe('EventMetadata', () => {
  it('accepts valid metadata, with extra fields', () => {
    expect(validateEventMetadata(metadata)).toEqual([]);
    expect(isEventMetadata({ ...metadata, traceparent: '00-abc-def-01' })).toBe(true);
  });

  it('rejects bad instants, roles and versions', () => {
    expect(validateEventMetadata({ ...metadata, occurredAt: '10/03/2025 09:00' }).map((i) => i.path)).toEqual(
      ['/occurredAt'],
    );
    expect(isEventMetadata({ ...metadata, actor: { id: 'x', role: 'hacker' } })).toBe(false);
    expect(validateEventMetadata({ ...metadata, schemaVersion: 0 }).map((i) => i.path)).toEqual([
      '/schemaVersion',
    ]);
  });
});
