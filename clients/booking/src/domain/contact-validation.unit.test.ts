import { describe, expect, it } from 'vitest';
import { isSiret, normalisePhone, validateContact } from './contact-validation.js';

const valid = {
  name: 'Camille Martin',
  email: 'camille.martin@example.fr',
  phone: '06 12 34 56 78',
  plate: 'AB-123-CD',
  companyName: '',
  siret: '',
};

describe('booking form validation', () => {
  it('accepts a complete private booking', () => {
    expect(validateContact(valid, { company: false, plate: true })).toEqual({});
  });

  it('explains each missing or malformed field in French', () => {
    const errors = validateContact(
      { ...valid, name: ' ', email: 'camille@', phone: '12', plate: 'AO-123-CD' },
      { company: false, plate: true },
    );
    expect(errors).toEqual({
      name: 'Indiquez votre nom et prénom.',
      email: expect.stringContaining('Adresse e-mail invalide'),
      phone: expect.stringContaining('Numéro de téléphone invalide'),
      plate: expect.stringContaining('Plaque SIV invalide'),
    });
  });

  it('normalises French phone numbers to E.164', () => {
    expect(normalisePhone('06 12 34 56 78')).toBe('+33612345678');
    expect(normalisePhone('+33 6 12 34 56 78')).toBe('+33612345678');
    expect(normalisePhone('0033612345678')).toBe('+33612345678');
    expect(normalisePhone('+32 470 12 34 56')).toBe('+32470123456');
    expect(normalisePhone('0612')).toBeUndefined();
  });

  it('checks a company’s SIRET with its Luhn key', () => {
    expect(isSiret('732 829 320 00074')).toBe(true);
    expect(isSiret('73282932000075')).toBe(false);
    const errors = validateContact(
      { ...valid, companyName: '', siret: '123' },
      { company: true, plate: false },
    );
    expect(errors).toEqual({
      companyName: 'Indiquez la raison sociale.',
      siret: 'SIRET invalide : 14 chiffres.',
    });
  });
});
