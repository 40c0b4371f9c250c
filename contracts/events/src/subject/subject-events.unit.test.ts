import { describe, expect, it } from 'vitest';
import { isDomainEventType } from '../catalogue.js';
import { personalPathsOfSchema } from '../shared/personal.js';
import {
  isPersonalDataErased,
  PersonalDataErased,
  personalDataErasedSample,
  subjectStream,
  validatePersonalDataErased,
} from './subject-events.js';

describe('PersonalDataErased', () => {
  it('has a sample that validates', () => {
    expect(validatePersonalDataErased(personalDataErasedSample)).toEqual([]);
    expect(isPersonalDataErased(personalDataErasedSample)).toBe(true);
    expect(isPersonalDataErased({ ...personalDataErasedSample, keyGeneration: null })).toBe(true);
  });

  it('carries no personal data and no free text', () => {
    expect(personalPathsOfSchema(PersonalDataErased)).toEqual([]);
    expect(
      validatePersonalDataErased({ ...personalDataErasedSample, reason: 'because Jean asked' }),
    ).not.toEqual([]);
    expect(validatePersonalDataErased({ ...personalDataErasedSample, email: 'x@example.fr' })).not.toEqual(
      [],
    );
  });

  it('lives in subject-<id>, outside the domain catalogue', () => {
    expect(subjectStream(personalDataErasedSample.subjectId)).toBe(
      `subject-${personalDataErasedSample.subjectId}`,
    );
    expect(() => subjectStream('Not An Id')).toThrow(/invalid subject id/);
    expect(isDomainEventType('PersonalDataErased')).toBe(false);
  });
});
