import { type DomainEventType, domainEventDefinitions, isDomainEventType } from './catalogue.js';
import { personalPathsOfSchema, subjectPathOfSchema } from './shared/personal.js';
import type { StreamCategory } from './streams.js';

const cache = new Map<DomainEventType, readonly string[]>();

/**
 * The JSONPath (`$.customer.email`, `$.vehicle.plate`, ...) of every field of an event type's
 * payload marked `personal: true`, found by walking its current schema. Empty for an event with no
 * personal data. Throws for a type not in the catalogue.
 */
export function personalFieldPaths(eventType: string): readonly string[] {
  if (!isDomainEventType(eventType)) throw new RangeError(`unknown event type ${JSON.stringify(eventType)}`);
  let paths = cache.get(eventType);
  if (!paths) {
    paths = Object.freeze([...personalPathsOfSchema(domainEventDefinitions[eventType].schema)]);
    cache.set(eventType, paths);
  }
  return paths;
}

/** Whether an event type's payload holds any personal field. */
export function hasPersonalData(eventType: string): boolean {
  return personalFieldPaths(eventType).length > 0;
}

const subjectCache = new Map<DomainEventType, string | null>();

/**
 * The JSONPath of the field naming an event type's data subject (`$.customerId` for
 * `BookingPlaced`), or `undefined` when the payload names none. Throws for a type not in the
 * catalogue. An event with personal fields and no subject field belongs to the subject of its
 * stream (see {@link SINGLE_SUBJECT_STREAM_CATEGORIES}).
 */
export function subjectPathOf(eventType: string): string | undefined {
  if (!isDomainEventType(eventType)) throw new RangeError(`unknown event type ${JSON.stringify(eventType)}`);
  let path = subjectCache.get(eventType);
  if (path === undefined) {
    path = subjectPathOfSchema(domainEventDefinitions[eventType].schema) ?? null;
    subjectCache.set(eventType, path);
  }
  return path ?? undefined;
}

/**
 * Stream categories whose streams concern exactly one data subject: a booking belongs to the
 * customer named by its `BookingPlaced`, so its later events (a cancellation comment, a staff note,
 * a payment) are that customer's even though they do not repeat the id. Centre and calendar
 * streams hold several people (inspectors, waitlisted customers): their events name their subject.
 */
export const SINGLE_SUBJECT_STREAM_CATEGORIES: readonly StreamCategory[] = Object.freeze(['booking']);
