import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { DOMAIN_EVENT_TYPES, eventCatalogue } from './catalogue.js';
import {
  hasPersonalData,
  personalFieldPaths,
  SINGLE_SUBJECT_STREAM_CATEGORIES,
  subjectPathOf,
} from './personal-data.js';
import { personal, personalPathsOfSchema, subject, subjectPathOfSchema } from './shared/personal.js';

/** Resolves a JSONPath made of `.name` steps only (every path of the catalogue is). */
function resolve(root: unknown, path: string): unknown {
  let value = root;
  for (const step of path.replace(/^\$\.?/, '').split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

describe('personalFieldPaths', () => {
  it('finds the personal fields of BookingPlaced', () => {
    expect(personalFieldPaths('BookingPlaced')).toEqual([
      '$.customer.name',
      '$.customer.email',
      '$.customer.phone',
      '$.customer.address',
      '$.customer.siret',
      '$.customer.contactName',
      '$.vehicle.plate',
    ]);
  });

  it('finds free text and staff names', () => {
    expect(personalFieldPaths('BookingNoteAdded')).toEqual(['$.text']);
    expect(personalFieldPaths('BookingCancelled')).toEqual(['$.comment']);
    expect(personalFieldPaths('InspectorAdded')).toEqual(['$.name']);
    expect(personalFieldPaths('WaitlistJoined')).toEqual(['$.contact.email', '$.contact.phone']);
  });

  it('is empty for events without personal data', () => {
    for (const type of [
      'SlotHeld',
      'CentreRegistered',
      'PriceListSet',
      'BookingConfirmed',
      'PaymentSucceeded',
    ]) {
      expect(personalFieldPaths(type), type).toEqual([]);
      expect(hasPersonalData(type)).toBe(false);
    }
    expect(hasPersonalData('BookingPlaced')).toBe(true);
  });

  it('throws for an unknown type', () => {
    expect(() => personalFieldPaths('BookingTeleported')).toThrow(/unknown event type/);
  });

  it.each(DOMAIN_EVENT_TYPES)('%s: every personal path exists in the sample', (type) => {
    const sample = eventCatalogue[type].sample;
    for (const path of personalFieldPaths(type)) {
      if (path === '$.customer.siret' || path === '$.customer.contactName') continue; // company variant only
      expect(resolve(sample, path), `${type} ${path}`).not.toBeUndefined();
    }
  });

  it('walks arrays, records and nested objects', () => {
    const schema = Type.Object({
      people: Type.Array(Type.Object({ name: personal(Type.String()), age: Type.Integer() })),
      byPlate: Type.Record(Type.String(), Type.Object({ owner: personal(Type.String()) })),
      address: personal(Type.Object({ street: Type.String() })),
      pair: Type.Tuple([personal(Type.String()), Type.Integer()]),
    });
    expect(personalPathsOfSchema(schema)).toEqual([
      '$.people[*].name',
      '$.byPlate.*.owner',
      '$.address',
      '$.pair[0]',
    ]);
  });
});

describe('subjectPathOf', () => {
  it('names the data subject of the events that name one', () => {
    expect(subjectPathOf('BookingPlaced')).toBe('$.customerId');
    expect(subjectPathOf('WaitlistJoined')).toBe('$.customerId');
    expect(subjectPathOf('InspectorAdded')).toBe('$.inspectorId');
    expect(subjectPathOf('BookingConfirmed')).toBeUndefined();
    expect(() => subjectPathOf('BookingTeleported')).toThrow(/unknown event type/);
  });

  it.each(DOMAIN_EVENT_TYPES)('%s: personal data has a subject, in the event or its stream', (type) => {
    if (!hasPersonalData(type)) return;
    const path = subjectPathOf(type);
    if (path === undefined) {
      expect(SINGLE_SUBJECT_STREAM_CATEGORIES).toContain(eventCatalogue[type].category);
    } else {
      expect(typeof resolve(eventCatalogue[type].sample, path), `${type} ${path}`).toBe('string');
    }
  });

  it('finds the mark through unions and rejects two subjects', () => {
    const one = Type.Object({ who: Type.Union([Type.Object({ id: subject(Type.String()) }), Type.Null()]) });
    expect(subjectPathOfSchema(one)).toBe('$.who.id');
    const two = Type.Object({ a: subject(Type.String()), b: subject(Type.String()) });
    expect(() => subjectPathOfSchema(two)).toThrow(/several subjects/);
  });
});
