import { type DomainEventType, domainEventDefinitions, isDomainEventType } from './catalogue.js';
import { personalPathsOfSchema } from './shared/personal.js';

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
