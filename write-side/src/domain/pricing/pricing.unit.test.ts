import {
  CONTROL_TYPES,
  type ControlType,
  eventSamples,
  FUELS,
  type Fuel,
  type PriceEntry,
  VEHICLE_CATEGORIES,
} from '@pti/events';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DURATION_MATRIX, isControlOffered } from '../durations/index.js';
import { DomainError } from '../shared/index.js';
import {
  findListPrice,
  isFreeContreVisite,
  listPriceCents,
  type PreviousInspection,
  type PriceTerms,
  quotePrice,
} from './pricing.js';

const samplePrices = eventSamples.PriceListSet.entries;

function errorOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

/**
 * A full list for every combination the default matrix offers: a default (`fuel: null`) price per
 * control type and category, with fuel-specific prices for CTP/CV cars (hybrid, electric, LPG).
 */
const basePrice: Record<ControlType, number> = { CTP: 7800, CVP: 2500, CV: 7000, CTC: 4000, CVC: 1500 };
const fuelSurcharge: Partial<Record<Fuel, number>> = { Hybride: 600, Electrique: 700, Gaz: 1500 };
const fullList: PriceEntry[] = CONTROL_TYPES.flatMap((controlType) =>
  VEHICLE_CATEGORIES.flatMap((vehicleCategory): PriceEntry[] => {
    if (!FUELS.some((fuel) => isControlOffered(DEFAULT_DURATION_MATRIX, controlType, vehicleCategory, fuel)))
      return [];
    const entries: PriceEntry[] = [
      { controlType, vehicleCategory, fuel: null, priceCents: basePrice[controlType] },
    ];
    if ((controlType === 'CTP' || controlType === 'CV') && vehicleCategory === 'VP') {
      for (const fuel of FUELS) {
        const extra = fuelSurcharge[fuel];
        if (extra !== undefined) {
          entries.push({ controlType, vehicleCategory, fuel, priceCents: basePrice[controlType] + extra });
        }
      }
    }
    return entries;
  }),
);

const offered = CONTROL_TYPES.flatMap((controlType) =>
  VEHICLE_CATEGORIES.flatMap((category) =>
    FUELS.filter((fuel) => isControlOffered(DEFAULT_DURATION_MATRIX, controlType, category, fuel)).map(
      (fuel) => ({
        controlType,
        category,
        fuel,
        expected:
          basePrice[controlType] +
          ((controlType === 'CTP' || controlType === 'CV') && category === 'VP'
            ? (fuelSurcharge[fuel] ?? 0)
            : 0),
      }),
    ),
  ),
);

describe('list price', () => {
  it.each(offered)(
    '$controlType $category $fuel costs $expected cents',
    ({ controlType, category, fuel, expected }) => {
      expect(listPriceCents(fullList, controlType, category, fuel)).toBe(expected);
    },
  );

  it('prefers the entry of the exact fuel over the any-fuel entry, whatever their order', () => {
    expect(listPriceCents(samplePrices, 'CTP', 'VP', 'Gaz')).toBe(9300);
    expect(listPriceCents(samplePrices, 'CTP', 'VP', 'Diesel')).toBe(7800);
    expect(listPriceCents([...samplePrices].reverse(), 'CTP', 'VP', 'Hybride')).toBe(8400);
    expect(listPriceCents([...samplePrices].reverse(), 'CTP', 'VP', 'Essence')).toBe(7800);
  });

  it('refuses a combination without an entry (no fallback to another category or control type)', () => {
    const error = errorOf(() => listPriceCents(samplePrices, 'CTP', 'Cyclo', 'Essence'));
    expect(error.code).toBe('NOT_PRICED');
    expect(error.details).toEqual({ controlType: 'CTP', category: 'Cyclo', fuel: 'Essence' });
    expect(findListPrice(samplePrices, 'CVP', 'VU', 'Diesel')).toBeUndefined();
  });

  it('prices only the listed fuel when there is no any-fuel entry', () => {
    const list: PriceEntry[] = [{ controlType: 'CTP', vehicleCategory: 'VP', fuel: 'Gaz', priceCents: 9000 }];
    expect(listPriceCents(list, 'CTP', 'VP', 'Gaz')).toBe(9000);
    expect(findListPrice(list, 'CTP', 'VP', 'Diesel')).toBeUndefined();
  });

  it('keeps a price of 0 (a centre may list a free control)', () => {
    const list: PriceEntry[] = [{ controlType: 'CVP', vehicleCategory: 'VP', fuel: null, priceCents: 0 }];
    expect(listPriceCents(list, 'CVP', 'VP', 'Diesel')).toBe(0);
  });
});

describe('free contre-visite', () => {
  const previous: PreviousInspection = {
    bookingId: 'c9a8b7c6-d5e4-4f3a-9b2c-1d0e9f8a7b6c',
    centreId: 'lyon-gerland',
    controlType: 'CTP',
    result: 'S',
    date: '2025-03-14',
    plate: 'AB-123-CD',
  };
  const terms: PriceTerms = { priceList: samplePrices, freeContreVisiteDays: 60 };
  const cvp = {
    controlType: 'CVP' as const,
    category: 'VP' as const,
    fuel: 'Diesel' as const,
    plate: 'AB-123-CD',
  };

  it('is free inside the window, up to and including its last day', () => {
    expect(quotePrice({ ...cvp, date: '2025-03-24' }, terms, previous)).toEqual({
      priceCents: 0,
      listPriceCents: 2500,
      freeContreVisite: true,
    });
    // 14 March + 60 days = 13 May.
    expect(quotePrice({ ...cvp, date: '2025-05-13' }, terms, previous).priceCents).toBe(0);
  });

  it('is paid the day after the window', () => {
    expect(quotePrice({ ...cvp, date: '2025-05-14' }, terms, previous)).toEqual({
      priceCents: 2500,
      listPriceCents: 2500,
      freeContreVisite: false,
    });
  });

  it('is free after an R result too, and after a control in another centre of the network', () => {
    expect(isFreeContreVisite({ ...cvp, date: '2025-04-01' }, 60, { ...previous, result: 'R' })).toBe(true);
    expect(
      isFreeContreVisite({ ...cvp, date: '2025-04-01' }, 60, { ...previous, centreId: 'lyon-est' }),
    ).toBe(true);
  });

  it('is paid when the policy gives no free window', () => {
    expect(
      quotePrice({ ...cvp, date: '2025-03-20' }, { ...terms, freeContreVisiteDays: 0 }, previous).priceCents,
    ).toBe(2500);
  });

  it('is paid without a previous inspection in the network, or after a favourable one', () => {
    expect(quotePrice({ ...cvp, date: '2025-03-20' }, terms, null).priceCents).toBe(2500);
    expect(isFreeContreVisite({ ...cvp, date: '2025-03-20' }, 60, { ...previous, result: 'A' })).toBe(false);
  });

  it('is paid for another vehicle, or when the previous inspection called for another contre-visite', () => {
    expect(isFreeContreVisite({ ...cvp, date: '2025-03-20', plate: 'ZZ-999-ZZ' }, 60, previous)).toBe(false);
    expect(isFreeContreVisite({ ...cvp, date: '2025-03-20' }, 60, { ...previous, controlType: 'CTC' })).toBe(
      false,
    );
    expect(isFreeContreVisite({ ...cvp, date: '2025-03-20' }, 60, { ...previous, controlType: 'CV' })).toBe(
      false,
    );
  });

  it('follows a CTC with a CVC, and a failed contre-visite with another one', () => {
    const cvc = { controlType: 'CVC' as const, plate: 'AB-123-CD', date: '2025-03-20' };
    expect(isFreeContreVisite(cvc, 60, { ...previous, controlType: 'CTC' })).toBe(true);
    expect(isFreeContreVisite(cvc, 60, { ...previous, controlType: 'CVC' })).toBe(true);
    expect(isFreeContreVisite({ ...cvp, date: '2025-03-20' }, 60, { ...previous, controlType: 'CVP' })).toBe(
      true,
    );
  });

  it('never makes a full control free, and never dates before the previous inspection', () => {
    expect(isFreeContreVisite({ ...cvp, controlType: 'CTP', date: '2025-03-20' }, 60, previous)).toBe(false);
    expect(isFreeContreVisite({ ...cvp, date: '2025-03-13' }, 60, previous)).toBe(false);
  });

  it('still needs the combination to be priced', () => {
    const error = errorOf(() =>
      quotePrice({ ...cvp, category: 'Moto', date: '2025-03-20' }, terms, previous),
    );
    expect(error.code).toBe('NOT_PRICED');
  });
});
