import { isDomainEventType, schemaVersionOf, upcast } from '@pti/events';
import type { RecordedEvent } from '@pti/platform';
import type { ProjectionEvent } from './projector.js';

/**
 * A stored record as a projection event: upcast to the current schema version of its type. The
 * write side validated the payload before appending, so it is not validated again (that would cost
 * more than projecting it). Records whose type is not in the domain catalogue give `undefined`.
 */
export function decodeRecord(record: RecordedEvent): ProjectionEvent | undefined {
  const known = decoded.get(record);
  if (known !== undefined) return known === NOT_DOMAIN ? undefined : known;
  const event = decodeUncached(record);
  decoded.set(record, event ?? NOT_DOMAIN);
  return event;
}

/**
 * Decoded events by record: a shared ledger read (`catchUpMany`) hands the same records to every
 * projector, which then decode (and upcast) each record once, not once per projector.
 */
const decoded = new WeakMap<RecordedEvent, ProjectionEvent | typeof NOT_DOMAIN>();
const NOT_DOMAIN = Symbol('not a domain event');

function decodeUncached(record: RecordedEvent): ProjectionEvent | undefined {
  const { type } = record;
  if (!isDomainEventType(type)) return undefined;
  const stored = record.metadata.schemaVersion;
  const data = stored === schemaVersionOf(type) ? record.data : upcast(type, stored, record.data);
  // The type names a catalogue entry and the payload was validated against it when appended. One
  // object literal (no spread): this runs once per ledger record of a rebuild.
  return {
    type,
    data,
    id: record.id,
    streamName: record.streamName,
    revision: record.revision,
    position: record.position,
    metadata: record.metadata,
    recordedAt: record.recordedAt,
  } as ProjectionEvent;
}

export function decodeRecords(records: readonly RecordedEvent[]): ProjectionEvent[] {
  const out: ProjectionEvent[] = [];
  for (const record of records) {
    const event = decodeRecord(record);
    if (event !== undefined) out.push(event);
  }
  return out;
}
