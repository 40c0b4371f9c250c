import { checkPlate } from './plate.js';

/** The booking form's fields and their French error messages (checked again by the server). */

export interface ContactForm {
  readonly name: string;
  readonly email: string;
  readonly phone: string;
  readonly plate: string;
  readonly companyName: string;
  readonly siret: string;
}

export type FieldErrors = Partial<Record<keyof ContactForm, string>>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** French mobile or landline (0X XX XX XX XX, +33 …) or any international number with +. */
export function normalisePhone(input: string): string | undefined {
  const compact = input.replace(/[\s.()-]/g, '');
  if (/^0[1-9]\d{8}$/.test(compact)) return `+33${compact.slice(1)}`;
  if (/^\+33[1-9]\d{8}$/.test(compact)) return compact;
  if (/^0033[1-9]\d{8}$/.test(compact)) return `+${compact.slice(2)}`;
  if (/^\+[1-9]\d{7,14}$/.test(compact)) return compact;
  return undefined;
}

/** SIRET: 14 digits with a valid Luhn key. */
export function isSiret(input: string): boolean {
  const digits = input.replace(/\s/g, '');
  if (!/^\d{14}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let digit = Number(digits[13 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

export function validateContact(
  form: ContactForm,
  options: { company: boolean; plate: boolean },
): FieldErrors {
  const errors: FieldErrors = {};
  if (form.name.trim().length === 0) errors.name = 'Indiquez votre nom et prénom.';
  else if (form.name.trim().length > 200) errors.name = 'Le nom ne doit pas dépasser 200 caractères.';
  if (form.email.trim().length === 0) errors.email = 'Indiquez votre adresse e-mail.';
  else if (!EMAIL.test(form.email.trim()))
    errors.email = 'Adresse e-mail invalide. Exemple : camille.martin@exemple.fr';
  if (form.phone.trim().length === 0) errors.phone = 'Indiquez votre numéro de téléphone.';
  else if (normalisePhone(form.phone) === undefined)
    errors.phone = 'Numéro de téléphone invalide. Exemple : 06 12 34 56 78';
  if (options.plate) {
    const plate = checkPlate(form.plate, true);
    if (plate.status === 'empty') errors.plate = 'Indiquez l’immatriculation du véhicule.';
    else if (plate.status !== 'valid') errors.plate = plate.message;
  }
  if (options.company) {
    if (form.companyName.trim().length === 0) errors.companyName = 'Indiquez la raison sociale.';
    if (!isSiret(form.siret)) errors.siret = 'SIRET invalide : 14 chiffres.';
  }
  return errors;
}
