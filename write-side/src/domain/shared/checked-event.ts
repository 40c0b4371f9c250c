import { type DomainEventData, type DomainEventOf, type DomainEventType, validateEvent } from '@pti/events';
import { DomainError } from './domain-error.js';

/**
 * Builds an event and checks its payload against the contract schema. A decider emits only through
 * this, so a malformed command field (a bad postcode, an id with upper case, a price out of range)
 * is refused as `INVALID_COMMAND` with the schema's issues instead of reaching the ledger.
 */
export function checkedEvent<K extends DomainEventType>(type: K, data: DomainEventData<K>): DomainEventOf<K> {
  const result = validateEvent(type, data);
  if (!result.ok) {
    const summary = result.errors.map((issue) => `${issue.path || '/'} ${issue.message}`).join('; ');
    throw new DomainError('INVALID_COMMAND', `invalid ${type}: ${summary}`, { issues: result.errors });
  }
  return result.event;
}
