import type { Accreditation } from '@pti/events';
import { type CentreSetup, referencePriceList, weekOf } from '../centre/centre-setup.js';
import type { BookingPolicy } from '../domain/centre/centre-commands.js';

const OPEN_DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
/** A split day: closed for lunch. */
export const TEST_HOURS = [
  { from: '08:00', to: '12:00' },
  { from: '13:30', to: '18:00' },
];

/** A test centre: open Monday to Saturday with a lunch break, `inspectors` inspectors working all hours. */
export function testCentre(
  centreId: string,
  options: {
    readonly inspectors?: number;
    readonly accreditations?: readonly Accreditation[];
    readonly policy?: Partial<BookingPolicy>;
    readonly code?: string;
  } = {},
): CentreSetup {
  const count = options.inspectors ?? 2;
  return {
    centreId,
    code: options.code ?? `TEST-${centreId.slice(-6).toUpperCase()}`,
    name: `Centre ${centreId}`,
    address: '1 rue du Test',
    postcode: '69007',
    city: 'Lyon',
    position: { lat: 45.75, lon: 4.85 },
    contact: { phone: '+33478000000', email: 'centre@example.fr' },
    openingHours: weekOf(OPEN_DAYS, TEST_HOURS),
    priceList: referencePriceList(),
    ...(options.policy ? { policy: options.policy } : {}),
    inspectors: Array.from({ length: count }, (_, index) => ({
      inspectorId: `insp-${index + 1}`,
      name: `Inspecteur ${index + 1}`,
      accreditations: options.accreditations ?? ['VL', 'L', 'GAZ'],
      week: weekOf(OPEN_DAYS, TEST_HOURS),
    })),
  };
}

/** A valid public booking body for `centreId` at a local start. */
export function bookingBody(centreId: string, start: string, overrides: Record<string, unknown> = {}) {
  return {
    centreId,
    start,
    controlType: 'CTP',
    vehicle: { plate: 'ab-123-cd', category: 'VP', fuel: 'Essence' },
    customer: {
      kind: 'private',
      name: 'Camille Martin',
      email: 'Camille.Martin@example.fr',
      phone: '06 12 34 56 78',
    },
    channel: 'web',
    paymentMode: 'on_site',
    ...overrides,
  };
}
