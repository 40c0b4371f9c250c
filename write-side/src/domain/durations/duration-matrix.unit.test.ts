import {
  CONTROL_TYPES,
  type ControlType,
  FUELS,
  type Fuel,
  VEHICLE_CATEGORIES,
  type VehicleCategory,
} from '@pti/events';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/index.js';
import {
  DEFAULT_DURATION_MATRIX,
  durationMinutes,
  isControlOffered,
  overrideDurationMatrix,
} from './duration-matrix.js';

/** reference/domain-ct.md, "Durations", written out per fuel: `null` = not offered. */
const expected: Record<ControlType, Record<VehicleCategory, Record<Fuel, number | null>>> = {
  CTP: {
    VP: { Essence: 45, Diesel: 45, Gaz: 60, Hybride: 45, Electrique: 45 },
    VU: { Essence: 45, Diesel: 45, Gaz: 60, Hybride: 45, Electrique: 45 },
    Moto: { Essence: 35, Diesel: 35, Gaz: 35, Hybride: 35, Electrique: 35 },
    Cyclo: { Essence: 35, Diesel: 35, Gaz: 35, Hybride: 35, Electrique: 35 },
  },
  CVP: {
    VP: { Essence: 20, Diesel: 20, Gaz: 25, Hybride: 20, Electrique: 20 },
    VU: { Essence: 20, Diesel: 20, Gaz: 25, Hybride: 20, Electrique: 20 },
    Moto: { Essence: 20, Diesel: 20, Gaz: 20, Hybride: 20, Electrique: 20 },
    Cyclo: { Essence: 20, Diesel: 20, Gaz: 20, Hybride: 20, Electrique: 20 },
  },
  CV: {
    VP: { Essence: 45, Diesel: 45, Gaz: 60, Hybride: 45, Electrique: 45 },
    VU: { Essence: 45, Diesel: 45, Gaz: 60, Hybride: 45, Electrique: 45 },
    Moto: { Essence: 35, Diesel: 35, Gaz: 35, Hybride: 35, Electrique: 35 },
    Cyclo: { Essence: 35, Diesel: 35, Gaz: 35, Hybride: 35, Electrique: 35 },
  },
  CTC: {
    VP: { Essence: null, Diesel: null, Gaz: null, Hybride: null, Electrique: null },
    VU: { Essence: 20, Diesel: 20, Gaz: 20, Hybride: 20, Electrique: null },
    Moto: { Essence: null, Diesel: null, Gaz: null, Hybride: null, Electrique: null },
    Cyclo: { Essence: null, Diesel: null, Gaz: null, Hybride: null, Electrique: null },
  },
  CVC: {
    VP: { Essence: null, Diesel: null, Gaz: null, Hybride: null, Electrique: null },
    VU: { Essence: 15, Diesel: 15, Gaz: 15, Hybride: 15, Electrique: null },
    Moto: { Essence: null, Diesel: null, Gaz: null, Hybride: null, Electrique: null },
    Cyclo: { Essence: null, Diesel: null, Gaz: null, Hybride: null, Electrique: null },
  },
};

const combinations = CONTROL_TYPES.flatMap((controlType) =>
  VEHICLE_CATEGORIES.flatMap((category) =>
    FUELS.map((fuel) => ({ controlType, category, fuel, minutes: expected[controlType][category][fuel] })),
  ),
);

function errorOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('default duration matrix', () => {
  it('covers all 100 combinations of control type × category × fuel', () => {
    expect(combinations).toHaveLength(100);
  });

  it.each(combinations)(
    '$controlType $category $fuel → $minutes',
    ({ controlType, category, fuel, minutes }) => {
      expect(isControlOffered(DEFAULT_DURATION_MATRIX, controlType, category, fuel)).toBe(minutes !== null);
      if (minutes === null) {
        const error = errorOf(() => durationMinutes(DEFAULT_DURATION_MATRIX, controlType, category, fuel));
        expect(error.code).toBe('CONTROL_NOT_APPLICABLE');
        expect(error.details).toEqual({ controlType, category, fuel });
      } else {
        expect(durationMinutes(DEFAULT_DURATION_MATRIX, controlType, category, fuel)).toBe(minutes);
      }
    },
  );

  it('treats a hybrid as subject to the pollution visit and an electric (or hydrogen) van as exempt', () => {
    expect(durationMinutes(DEFAULT_DURATION_MATRIX, 'CTC', 'VU', 'Hybride')).toBe(20);
    expect(isControlOffered(DEFAULT_DURATION_MATRIX, 'CTC', 'VU', 'Electrique')).toBe(false);
  });
});

describe('network overrides', () => {
  it('replace a cell, keep the others, and leave the base untouched', () => {
    const matrix = overrideDurationMatrix(DEFAULT_DURATION_MATRIX, {
      CTP: { VP: { minutes: 40, gazExtraMinutes: 20, exemptFuels: [] } },
    });
    expect(durationMinutes(matrix, 'CTP', 'VP', 'Diesel')).toBe(40);
    expect(durationMinutes(matrix, 'CTP', 'VP', 'Gaz')).toBe(60);
    expect(durationMinutes(matrix, 'CTP', 'VU', 'Diesel')).toBe(45);
    expect(durationMinutes(DEFAULT_DURATION_MATRIX, 'CTP', 'VP', 'Diesel')).toBe(45);
  });

  it('can offer a control the defaults do not, or withdraw one', () => {
    const matrix = overrideDurationMatrix(DEFAULT_DURATION_MATRIX, {
      CTC: { VP: { minutes: 25, gazExtraMinutes: 0, exemptFuels: ['Electrique'] } },
      CV: { Cyclo: null },
    });
    expect(durationMinutes(matrix, 'CTC', 'VP', 'Diesel')).toBe(25);
    expect(isControlOffered(matrix, 'CTC', 'VP', 'Electrique')).toBe(false);
    expect(isControlOffered(matrix, 'CV', 'Cyclo', 'Essence')).toBe(false);
    expect(isControlOffered(DEFAULT_DURATION_MATRIX, 'CV', 'Cyclo', 'Essence')).toBe(true);
  });

  it.each([
    { minutes: 0, gazExtraMinutes: 0 },
    { minutes: 30.5, gazExtraMinutes: 0 },
    { minutes: 30, gazExtraMinutes: -5 },
    { minutes: 470, gazExtraMinutes: 15 },
  ])('refuse an impossible duration %o', (rule) => {
    const error = errorOf(() =>
      overrideDurationMatrix(DEFAULT_DURATION_MATRIX, { CTP: { VP: { ...rule, exemptFuels: [] } } }),
    );
    expect(error.code).toBe('INVALID_COMMAND');
  });
});
