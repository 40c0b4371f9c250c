import {
  type Customer,
  EMAIL_PATTERN,
  type Fuel,
  normalisePlate,
  POSTCODE_PATTERN,
  type PostalAddress,
  type Vehicle,
  type VehicleCategory,
} from '@pti/events';
import { DomainError } from '../shared/index.js';

/**
 * Normalisation and validation of what a customer types: names, e-mail, French phone numbers
 * (to E.164), SIRET (Luhn), postal address, plate. Each function returns the stored form or throws
 * a `DomainError` whose `details.field` names the culprit (never its value: it is personal data).
 */

// ---------------------------------------------------------------------------------------------
// Text fields
// ---------------------------------------------------------------------------------------------

// Control characters have no place in a name or address line (they break CSV exports and letters).
const controlCharacters = /\p{Cc}/u;

function invalid(field: string, message: string): DomainError {
  return new DomainError('INVALID_COMMAND', message, { field });
}

/** Trims and collapses inner whitespace; `min`..`max` characters, no control characters. */
export function normaliseText(field: string, input: string, max: number): string {
  const text = input.trim().replace(/\s+/g, ' ');
  if (text.length === 0 || text.length > max || controlCharacters.test(text)) {
    throw invalid(field, `${field} must be 1 to ${max} printable characters`);
  }
  return text;
}

/** Free text (a note, a comment): trimmed, line breaks and tabs kept, other control characters refused. */
export function normaliseFreeText(field: string, input: string, max: number): string {
  const text = input.trim();
  if (text.length === 0 || text.length > max || controlCharacters.test(text.replace(/[\n\r\t]/g, ''))) {
    throw invalid(field, `${field} must be 1 to ${max} printable characters`);
  }
  return text;
}

const emailRegExp = new RegExp(EMAIL_PATTERN);

/**
 * Trimmed and lower-cased: the local part is case-sensitive in theory only, and one spelling per
 * address is what lets the call centre find a customer by e-mail.
 */
export function normaliseEmail(input: string, field = 'email'): string {
  const email = input.trim().toLowerCase();
  if (email.length > 254 || !emailRegExp.test(email))
    throw invalid(field, `${field} is not an e-mail address`);
  return email;
}

// ---------------------------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------------------------

/**
 * Overseas départements and collectivities share the French national plan (dialled `0690…` from
 * Paris) but have their own country codes in E.164. Keyed by the first three digits of the national
 * significant number.
 */
const OVERSEAS_COUNTRY_CODES: Readonly<Record<string, string>> = {
  '590': '590', // Guadeloupe, Saint-Martin, Saint-Barthélemy (fixed)
  '690': '590', // ... mobile
  '691': '590',
  '594': '594', // Guyane
  '694': '594',
  '596': '596', // Martinique
  '696': '596',
  '697': '596',
  '262': '262', // La Réunion
  '263': '262',
  '692': '262',
  '693': '262',
  '269': '262', // Mayotte
  '639': '262',
  '508': '508', // Saint-Pierre-et-Miquelon
};

const e164 = /^\+[1-9]\d{7,14}$/;
const frenchSignificant = /^[1-9]\d{8}$/;

/**
 * A phone number in E.164. French input in any usual spelling: `06 12 34 56 78`, `06.12.34.56.78`,
 * `+33 6 12 34 56 78`, `+33 (0)6 12 34 56 78`, `0033612345678`; overseas numbers get their own
 * country code (`0690 12 34 56` → `+590690123456`). A foreign number must be written with its `+`
 * or `00` prefix and is kept as is.
 */
export function normalisePhone(input: string, field = 'phone'): string {
  let compact = input.trim().replace(/[\s.\-/()]+/g, '');
  if (compact.startsWith('00')) compact = `+${compact.slice(2)}`;
  let significant: string | undefined;
  if (compact.startsWith('+33')) {
    const rest = compact.slice(3);
    // "+33 (0)6…": the trunk zero written after the country code is dropped.
    significant = rest.startsWith('0') ? rest.slice(1) : rest;
  } else if (compact.startsWith('+')) {
    if (!e164.test(compact)) throw invalid(field, `${field} is not a phone number`);
    return compact;
  } else if (/^0\d{9}$/.test(compact)) {
    significant = compact.slice(1);
  }
  if (significant === undefined || !frenchSignificant.test(significant)) {
    throw invalid(field, `${field} is not a French phone number`);
  }
  const countryCode = OVERSEAS_COUNTRY_CODES[significant.slice(0, 3)] ?? '33';
  return `+${countryCode}${significant}`;
}

// ---------------------------------------------------------------------------------------------
// SIREN / SIRET
// ---------------------------------------------------------------------------------------------

/** The Luhn checksum: from the right, every second digit doubled (minus 9 past 9); total ≡ 0 mod 10. */
export function passesLuhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits.charAt(digits.length - 1 - i));
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * La Poste's establishments share one SIREN and too many NICs for Luhn: INSEE checks their digit
 * sum instead; the head office keeps an ordinary Luhn-valid SIRET.
 */
const LA_POSTE_SIREN = '356000000';
const LA_POSTE_HEAD_OFFICE = '35600000000048';

export function isValidSiren(siren: string): boolean {
  return /^\d{9}$/.test(siren) && passesLuhn(siren);
}

/** 14 digits passing Luhn (La Poste's establishments: digit sum a multiple of 5 instead). */
export function isValidSiret(siret: string): boolean {
  if (!/^\d{14}$/.test(siret)) return false;
  if (siret.startsWith(LA_POSTE_SIREN) && siret !== LA_POSTE_HEAD_OFFICE) {
    const sum = [...siret].reduce((total, digit) => total + Number(digit), 0);
    return sum % 5 === 0;
  }
  return passesLuhn(siret);
}

/** A SIRET as typed (`732 829 320 00074`) → 14 digits, or `INVALID_SIRET`. */
export function normaliseSiret(input: string): string {
  const siret = input.replace(/[\s.]+/g, '');
  if (!isValidSiret(siret)) throw new DomainError('INVALID_SIRET', undefined, { field: 'siret' });
  return siret;
}

// ---------------------------------------------------------------------------------------------
// Address, customer, vehicle
// ---------------------------------------------------------------------------------------------

const postcodeRegExp = new RegExp(POSTCODE_PATTERN);

export interface AddressInput {
  readonly street: string;
  readonly postcode: string;
  readonly city: string;
}

export function normaliseAddress(input: AddressInput): PostalAddress {
  const postcode = input.postcode.replace(/\s+/g, '');
  if (!postcodeRegExp.test(postcode))
    throw invalid('address.postcode', 'address.postcode is not a French postcode');
  return {
    street: normaliseText('address.street', input.street, 200),
    postcode,
    city: normaliseText('address.city', input.city, 100),
  };
}

export type CustomerInput =
  | {
      readonly kind: 'private';
      readonly name: string;
      readonly email: string;
      readonly phone: string;
      readonly address?: AddressInput | null;
    }
  | {
      readonly kind: 'company';
      readonly name: string;
      readonly siret: string;
      readonly contactName?: string | null;
      readonly email: string;
      readonly phone: string;
      readonly address?: AddressInput | null;
    };

/** The customer as stored in `BookingPlaced` (plain values: the vault encrypts them at append). */
export function normaliseCustomer(input: CustomerInput): Customer {
  const address = input.address ? normaliseAddress(input.address) : null;
  if (input.kind === 'private') {
    return {
      kind: 'private',
      name: normaliseText('name', input.name, 200),
      email: normaliseEmail(input.email),
      phone: normalisePhone(input.phone),
      address,
    };
  }
  const contactName = input.contactName?.trim() ? normaliseText('contactName', input.contactName, 200) : null;
  return {
    kind: 'company',
    name: normaliseText('name', input.name, 200),
    siret: normaliseSiret(input.siret),
    contactName,
    email: normaliseEmail(input.email),
    phone: normalisePhone(input.phone),
    address,
  };
}

export interface VehicleInput {
  /** As typed: `ab 123 cd`, `AB123CD`, `123 abc 75`. */
  readonly plate: string;
  readonly category: VehicleCategory;
  readonly fuel: Fuel;
}

/** The vehicle with its plate normalised (SIV `AB-123-CD` or FNI `123-ABC-75`), or `INVALID_PLATE`. */
export function normaliseVehicle(input: VehicleInput): Vehicle {
  const plate = normalisePlate(input.plate);
  if (plate === undefined) throw new DomainError('INVALID_PLATE', undefined, { field: 'vehicle.plate' });
  return { plate, category: input.category, fuel: input.fuel };
}
