/**
 * Live validation of French registration plates, mirroring the server's rules (contracts'
 * `normalisePlate`): SIV `AB-123-CD` (letters without I, O, U; `SS` nowhere; `WW` only on the
 * left; number 001–999) and FNI `123-ABC-75` (1–4 digits, 1–3 letters, département 01–95, 2A,
 * 2B or 971–976). The client cannot import the contracts (DESIGN.md §3), so the rule is restated
 * here; the server stays the judge.
 */

const SIV = /^(?!SS)[A-HJ-NP-TV-Z]{2}-(?!000)\d{3}-(?!SS|WW)[A-HJ-NP-TV-Z]{2}$/;
const FNI = /^\d{1,4}-[A-Z]{1,3}-(?:0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])$/;

export type PlateCheck =
  | { readonly status: 'empty' }
  | { readonly status: 'incomplete'; readonly message: string }
  | { readonly status: 'invalid'; readonly message: string }
  | { readonly status: 'valid'; readonly normalised: string; readonly kind: 'SIV' | 'FNI' };

export function normalisePlate(input: string): { plate: string; kind: 'SIV' | 'FNI' } | undefined {
  const compact = input.toUpperCase().replace(/[\s.-]+/g, '');
  const siv = /^([A-Z]{2})(\d{3})([A-Z]{2})$/.exec(compact);
  if (siv) {
    const candidate = `${siv[1]}-${siv[2]}-${siv[3]}`;
    return SIV.test(candidate) ? { plate: candidate, kind: 'SIV' } : undefined;
  }
  const fni = /^(\d{1,4})([A-Z]{1,3})(\d{2,3}|2A|2B)$/.exec(compact);
  if (fni) {
    const candidate = `${fni[1]}-${fni[2]}-${fni[3]}`;
    return FNI.test(candidate) ? { plate: candidate, kind: 'FNI' } : undefined;
  }
  return undefined;
}

/** What to tell the person while they type (`final`: on blur or submit, incomplete is an error). */
export function checkPlate(input: string, final = false): PlateCheck {
  const compact = input.toUpperCase().replace(/[\s.-]+/g, '');
  if (compact.length === 0) return { status: 'empty' };
  const found = normalisePlate(input);
  if (found) return { status: 'valid', normalised: found.plate, kind: found.kind };
  if (/[^A-Z0-9]/.test(compact)) {
    return { status: 'invalid', message: 'Utilisez uniquement des lettres, des chiffres et des tirets.' };
  }
  if (/^[A-Z]{2}\d{3}[A-Z]{2}$/.test(compact)) {
    return {
      status: 'invalid',
      message: 'Plaque SIV invalide : les lettres I, O, U et le groupe SS ne sont pas utilisés.',
    };
  }
  // A prefix of a possible plate is not an error yet while typing.
  const sivPrefix = /^[A-Z]{0,2}$|^[A-Z]{2}\d{0,3}$|^[A-Z]{2}\d{3}[A-Z]?$/.test(compact);
  const fniPrefix = /^\d{1,4}[A-Z]{0,3}[0-9AB]{0,3}$/.test(compact);
  if (!final && (sivPrefix || fniPrefix)) {
    return {
      status: 'incomplete',
      message: 'Format attendu : AB-123-CD (ou 123-ABC-75 pour une ancienne plaque).',
    };
  }
  return {
    status: 'invalid',
    message: 'Immatriculation invalide. Format attendu : AB-123-CD (ou 123-ABC-75 pour une ancienne plaque).',
  };
}
