import { describe, expect, it } from 'vitest';
import { sectionsFor } from '../auth/roles.js';
import { addDays, daysBetween, instantToParisLocal, parisLocalToInstant, parisToday } from './format.js';

describe('Paris dates', () => {
  it('converts Paris wall time to UTC instants on both sides of daylight saving', () => {
    expect(parisLocalToInstant('2026-03-28T10:00')).toBe('2026-03-28T09:00:00.000Z');
    expect(parisLocalToInstant('2026-03-29T10:00')).toBe('2026-03-29T08:00:00.000Z');
    expect(parisLocalToInstant('2026-10-25T12:30:15')).toBe('2026-10-25T11:30:15.000Z');
    expect(instantToParisLocal('2026-07-01T22:30:00.000Z')).toBe('2026-07-02T00:30:00');
  });

  it('knows today in Paris and walks days across month ends', () => {
    expect(parisToday(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(daysBetween('2026-12-30', '2027-01-02')).toEqual([
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
    ]);
  });
});

describe('navigation by role', () => {
  it('gives each role the sections its permissions allow', () => {
    expect(sectionsFor('call_centre')).toEqual(['callcentre']);
    expect(sectionsFor('controleur')).toEqual(['agenda']);
    expect(sectionsFor('responsable_centre')).toEqual(['agenda', 'callcentre', 'admin', 'reporting']);
    expect(sectionsFor('auditor')).toEqual(['audit']);
    expect(sectionsFor('analyst')).toEqual(['reporting']);
    expect(sectionsFor('admin_reseau')).toEqual([
      'agenda',
      'callcentre',
      'admin',
      'audit',
      'reporting',
      'ops',
    ]);
    expect(sectionsFor('motorist')).toEqual([]);
  });
});
