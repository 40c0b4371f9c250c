import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/index.js';
import {
  isValidSiren,
  isValidSiret,
  normaliseAddress,
  normaliseCustomer,
  normaliseEmail,
  normaliseFreeText,
  normalisePhone,
  normaliseSiret,
  normaliseText,
  normaliseVehicle,
  passesLuhn,
} from './customer.js';

function errorOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('plates (SIV and FNI, through the contract helpers)', () => {
  it.each([
    ['ab 123 cd', 'AB-123-CD'],
    ['AB123CD', 'AB-123-CD'],
    ['ab-123-cd', 'AB-123-CD'],
    ['  Ab.123.Cd ', 'AB-123-CD'],
    ['WW-123-AB', 'WW-123-AB'], // temporary plate: WW on the left only
    ['123 abc 75', '123-ABC-75'],
    ['4521 TZ 2A', '4521-TZ-2A'], // Corsica
    ['1 a 2b', '1-A-2B'],
    ['12 AB 974', '12-AB-974'], // La Réunion
  ])('%s → %s', (input, plate) => {
    expect(normaliseVehicle({ plate: input, category: 'VP', fuel: 'Diesel' })).toEqual({
      plate,
      category: 'VP',
      fuel: 'Diesel',
    });
  });

  it.each([
    'AB-123-WW', // WW only on the left
    'SS-123-AB', // SS forbidden
    'AB-123-SS',
    'AI-123-CD', // no I, O, U
    'AB-123-OU',
    'AB-000-CD', // number 001 to 999
    'AB-1234-CD',
    '12 AB 96', // no département 96
    '12345 AB 75', // at most 4 digits
    '12 ABCD 75', // at most 3 letters
    '',
    'plaque',
  ])('%j is refused with INVALID_PLATE', (input) => {
    const error = errorOf(() => normaliseVehicle({ plate: input, category: 'VP', fuel: 'Diesel' }));
    expect(error.code).toBe('INVALID_PLATE');
    expect(error.details).toEqual({ field: 'vehicle.plate' });
  });
});

describe('SIRET (Luhn)', () => {
  it.each(['73282932000074', '732 829 320 00074', '55210055400013', '35600000000048'])(
    '%s is valid',
    (siret) => {
      expect(normaliseSiret(siret)).toBe(siret.replace(/\s/g, ''));
    },
  );

  it.each(['73282932000075', '7328293200007', '732829320000740', '7328293200007A', ''])(
    '%j is refused with INVALID_SIRET',
    (siret) => {
      expect(errorOf(() => normaliseSiret(siret)).code).toBe('INVALID_SIRET');
    },
  );

  it('checks a SIREN with Luhn too', () => {
    expect(isValidSiren('732829320')).toBe(true);
    expect(isValidSiren('732829321')).toBe(false);
    expect(passesLuhn('79927398713')).toBe(true);
  });

  it("checks La Poste's establishments with the digit sum (a multiple of 5), its head office with Luhn", () => {
    expect(isValidSiret('35600000049837')).toBe(true); // digit sum 45
    expect(isValidSiret('35600000049838')).toBe(false); // digit sum 46
    expect(isValidSiret('35600000000048')).toBe(true); // head office: Luhn
  });

  it('any single wrong digit of a valid SIRET is caught (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 13 }), fc.integer({ min: 1, max: 9 }), (position, delta) => {
        const valid = '73282932000074';
        const digit = (Number(valid.charAt(position)) + delta) % 10;
        const wrong = `${valid.slice(0, position)}${digit}${valid.slice(position + 1)}`;
        expect(isValidSiret(wrong)).toBe(false);
      }),
    );
  });
});

describe('phone numbers → E.164', () => {
  it.each([
    ['06 12 34 56 78', '+33612345678'],
    ['06.12.34.56.78', '+33612345678'],
    ['06-12-34-56-78', '+33612345678'],
    ['0612345678', '+33612345678'],
    ['+33 6 12 34 56 78', '+33612345678'],
    ['+33 (0)6 12 34 56 78', '+33612345678'],
    ['0033 6 12 34 56 78', '+33612345678'],
    ['01 23 45 67 89', '+33123456789'],
    ['09 70 12 34 56', '+33970123456'],
    ['0690 12 34 56', '+590690123456'], // Guadeloupe mobile
    ['0596 12 34 56', '+596596123456'], // Martinique
    ['0262 12 34 56', '+262262123456'], // La Réunion
    ['0639 12 34 56', '+262639123456'], // Mayotte
    ['+32 470 12 34 56', '+32470123456'], // a Belgian mobile is kept as written
    ['0041 79 123 45 67', '+41791234567'],
  ])('%s → %s', (input, e164) => {
    expect(normalisePhone(input)).toBe(e164);
  });

  it.each([
    '12345',
    '06 12 34 56',
    '06 12 34 56 78 9',
    '0000 12 34 56',
    '+33 12',
    '+0 612345678',
    'téléphone',
    '',
  ])('%j is refused', (input) => {
    const error = errorOf(() => normalisePhone(input));
    expect(error.code).toBe('INVALID_COMMAND');
    expect(error.details).toEqual({ field: 'phone' });
  });
});

describe('e-mail, names, addresses, free text', () => {
  it('trims and lower-cases an e-mail, refuses a malformed one', () => {
    expect(normaliseEmail(' Camille.Martin@Example.FR ')).toBe('camille.martin@example.fr');
    for (const bad of ['camille', 'camille@example', 'a b@example.fr', `${'x'.repeat(250)}@example.fr`]) {
      expect(errorOf(() => normaliseEmail(bad)).details).toEqual({ field: 'email' });
    }
  });

  it('collapses spaces in a name, refuses empty, over-long or control characters', () => {
    expect(normaliseText('name', '  Camille   Martin ', 200)).toBe('Camille Martin');
    for (const bad of ['   ', 'x'.repeat(201), 'Camille\u0000Martin']) {
      expect(errorOf(() => normaliseText('name', bad, 200)).code).toBe('INVALID_COMMAND');
    }
  });

  it('keeps line breaks of free text but no other control character', () => {
    expect(normaliseFreeText('text', '  Ligne 1\nLigne 2\t! ', 2000)).toBe('Ligne 1\nLigne 2\t!');
    expect(errorOf(() => normaliseFreeText('text', 'bip\u0007', 2000)).details).toEqual({ field: 'text' });
  });

  it('normalises an address and refuses a foreign postcode', () => {
    expect(normaliseAddress({ street: ' 8  rue des Tanneurs', postcode: '69 005', city: 'Lyon ' })).toEqual({
      street: '8 rue des Tanneurs',
      postcode: '69005',
      city: 'Lyon',
    });
    expect(errorOf(() => normaliseAddress({ street: 'x', postcode: '99000', city: 'y' })).details).toEqual({
      field: 'address.postcode',
    });
  });
});

describe('customers', () => {
  it('normalises a private customer without address', () => {
    expect(
      normaliseCustomer({
        kind: 'private',
        name: 'Camille Martin',
        email: 'C@EXAMPLE.FR',
        phone: '0612345678',
      }),
    ).toEqual({
      kind: 'private',
      name: 'Camille Martin',
      email: 'c@example.fr',
      phone: '+33612345678',
      address: null,
    });
  });

  it('normalises a company customer: SIRET, optional contact', () => {
    expect(
      normaliseCustomer({
        kind: 'company',
        name: 'Transports Rhône ',
        siret: '732 829 320 00074',
        contactName: '  ',
        email: 'flotte@transports-rhone.fr',
        phone: '04 78 60 12 34',
        address: null,
      }),
    ).toEqual({
      kind: 'company',
      name: 'Transports Rhône',
      siret: '73282932000074',
      contactName: null,
      email: 'flotte@transports-rhone.fr',
      phone: '+33478601234',
      address: null,
    });
  });

  it('refuses a company whose SIRET fails Luhn', () => {
    const error = errorOf(() =>
      normaliseCustomer({
        kind: 'company',
        name: 'Transports Rhône',
        siret: '73282932000075',
        email: 'flotte@transports-rhone.fr',
        phone: '04 78 60 12 34',
      }),
    );
    expect(error.code).toBe('INVALID_SIRET');
  });
});
