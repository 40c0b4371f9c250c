import type { Static } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { type BookingEvent, bookingEventDefinitions } from './booking/booking-events.js';
import { type SlotCalendarEvent, slotCalendarEventDefinitions } from './calendar/slot-calendar-events.js';
import { type CentreEvent, centreEventDefinitions } from './centre/centre-events.js';
import { eventSamples } from './samples.js';
import { issuesOf, type ValidationIssue } from './shared/validation.js';
import { bookingStream, calendarStream, centreStream, type StreamCategory } from './streams.js';

/**
 * The catalogue of domain events: every event type of the three aggregates with its payload
 * schema, current schema version, aggregate, stream category and a sample payload.
 */

/** Every domain event definition, keyed by event type name. */
export const domainEventDefinitions = {
  ...centreEventDefinitions,
  ...slotCalendarEventDefinitions,
  ...bookingEventDefinitions,
} as const;

type Definitions = typeof domainEventDefinitions;

export type DomainEventType = keyof Definitions;
/** The payload (`data`) of an event type at its current schema version. */
export type DomainEventData<K extends DomainEventType> = Static<Definitions[K]['schema']>;
/** The payload schema of an event type. */
export type DomainEventSchema<K extends DomainEventType> = Definitions[K]['schema'];

export type { BookingEvent, CentreEvent, SlotCalendarEvent };
/** Discriminated union of every domain event: `{ type, data }`. */
export type DomainEvent = CentreEvent | SlotCalendarEvent | BookingEvent;
/** The member of `DomainEvent` with the given type. */
export type DomainEventOf<K extends DomainEventType> = Extract<DomainEvent, { readonly type: K }>;

export type Aggregate = 'Centre' | 'SlotCalendar' | 'Booking';

export interface CatalogueEntry<K extends DomainEventType = DomainEventType> {
  readonly type: K;
  readonly schema: DomainEventSchema<K>;
  readonly schemaVersion: number;
  readonly aggregate: Aggregate;
  readonly category: StreamCategory;
  readonly sample: DomainEventData<K>;
}

export type EventCatalogue = { readonly [K in DomainEventType]: CatalogueEntry<K> };

const aggregateOfCategory: Readonly<Record<StreamCategory, Aggregate>> = {
  centre: 'Centre',
  calendar: 'SlotCalendar',
  booking: 'Booking',
};

function categoryOf(type: DomainEventType): StreamCategory {
  if (Object.hasOwn(centreEventDefinitions, type)) return 'centre';
  if (Object.hasOwn(slotCalendarEventDefinitions, type)) return 'calendar';
  return 'booking';
}

function entryOf<K extends DomainEventType>(type: K): CatalogueEntry<K> {
  const definition: Definitions[K] = domainEventDefinitions[type];
  const category = categoryOf(type);
  return {
    type,
    schema: definition.schema,
    schemaVersion: definition.schemaVersion,
    aggregate: aggregateOfCategory[category],
    category,
    sample: eventSamples[type],
  };
}

/** Every event type name, in catalogue order (centre, calendar, booking). */
export const DOMAIN_EVENT_TYPES: readonly DomainEventType[] = Object.freeze(
  Object.keys(domainEventDefinitions).filter(isDomainEventType),
);

export function isDomainEventType(type: string): type is DomainEventType {
  return Object.hasOwn(domainEventDefinitions, type);
}

function buildCatalogue(): EventCatalogue {
  const entries = DOMAIN_EVENT_TYPES.map((type) => [type, Object.freeze(entryOf(type))] as const);
  // Object.fromEntries loses the per-key correlation that `entryOf` guarantees.
  return Object.freeze(Object.fromEntries(entries)) as EventCatalogue;
}

export const eventCatalogue: EventCatalogue = buildCatalogue();

/** The catalogue entry of an event type. */
export function catalogueEntry<K extends DomainEventType>(type: K): CatalogueEntry<K> {
  return eventCatalogue[type];
}

/** The current schema version of an event type, or `undefined` for a type not in the catalogue. */
export function schemaVersionOf(type: string): number | undefined {
  return isDomainEventType(type) ? domainEventDefinitions[type].schemaVersion : undefined;
}

/** The stream an event belongs to, computed from the ids its payload carries. */
export function streamNameOf(event: DomainEvent): string {
  const category = categoryOf(event.type);
  const data: Readonly<Record<string, unknown>> = event.data;
  const text = (key: string): string => {
    const value = data[key];
    if (typeof value !== 'string') throw new TypeError(`${event.type}.${key} must be a string`);
    return value;
  };
  switch (category) {
    case 'centre':
      return centreStream(text('centreId'));
    case 'calendar':
      return calendarStream(text('centreId'), text('date'));
    case 'booking':
      return bookingStream(text('bookingId'));
  }
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

export type EventValidation<E> =
  | { readonly ok: true; readonly event: E }
  | { readonly ok: false; readonly errors: readonly ValidationIssue[] };

const compiled = new Map<DomainEventType, TypeCheck<Definitions[DomainEventType]['schema']>>();

function checkerOf(type: DomainEventType): TypeCheck<Definitions[DomainEventType]['schema']> {
  let check = compiled.get(type);
  if (!check) {
    check = TypeCompiler.Compile<Definitions[DomainEventType]['schema']>(domainEventDefinitions[type].schema);
    compiled.set(type, check);
  }
  return check;
}

/**
 * Validates an event payload against the current schema of its type. Schemas are compiled with
 * TypeBox's TypeCompiler on first use and cached. An unknown type is reported as an error at the
 * root path. Payloads of older schema versions must be upcast first (see `decodeEvent`).
 */
export function validateEvent<K extends DomainEventType>(
  type: K,
  data: unknown,
): EventValidation<DomainEventOf<K>>;
export function validateEvent(type: string, data: unknown): EventValidation<DomainEvent>;
export function validateEvent(type: string, data: unknown): EventValidation<DomainEvent> {
  if (!isDomainEventType(type)) {
    return { ok: false, errors: [{ path: '', message: `unknown event type ${JSON.stringify(type)}` }] };
  }
  const check = checkerOf(type);
  if (check.Check(data)) {
    // The check proved `data` matches the schema of `type`: this is that member of the union.
    return { ok: true, event: { type, data } as DomainEvent };
  }
  return { ok: false, errors: issuesOf(check, data) };
}

export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
  readonly eventType: string;
  readonly errors: readonly ValidationIssue[];

  constructor(eventType: string, errors: readonly ValidationIssue[]) {
    super(
      `invalid ${eventType} payload: ${errors.map((issue) => `${issue.path || '/'} ${issue.message}`).join('; ')}`,
    );
    this.eventType = eventType;
    this.errors = errors;
  }
}

/** Like `validateEvent`, but returns the typed event or throws `EventValidationError`. */
export function assertValidEvent<K extends DomainEventType>(type: K, data: unknown): DomainEventOf<K>;
export function assertValidEvent(type: string, data: unknown): DomainEvent;
export function assertValidEvent(type: string, data: unknown): DomainEvent {
  const result = validateEvent(type, data);
  if (!result.ok) throw new EventValidationError(type, result.errors);
  return result.event;
}
