import type { BookingStatus, ControlType, Fuel, PaymentMode, VehicleCategory } from '../ports/read-models.js';

/** Wording shown to motorists (documents, calendar files), in French. */

export const CONTROL_LABELS: Readonly<Record<ControlType, string>> = {
  CTP: 'Contrôle technique périodique',
  CVP: 'Contre-visite',
  CV: 'Contrôle volontaire',
  CTC: 'Contrôle complémentaire (pollution)',
  CVC: 'Contre-visite du contrôle complémentaire',
};

export const CATEGORY_LABELS: Readonly<Record<VehicleCategory, string>> = {
  VP: 'Voiture particulière',
  VU: 'Véhicule utilitaire léger',
  Moto: 'Moto',
  Cyclo: 'Cyclomoteur',
};

export const FUEL_LABELS: Readonly<Record<Fuel, string>> = {
  Essence: 'Essence',
  Diesel: 'Diesel',
  Gaz: 'GPL / GNV',
  Hybride: 'Hybride',
  Electrique: 'Électrique',
};

export const STATUS_LABELS: Readonly<Record<BookingStatus, string>> = {
  placed: 'En attente de confirmation',
  confirmed: 'Confirmé',
  checked_in: 'Véhicule arrivé au centre',
  completed: 'Contrôle effectué',
  cancelled: 'Annulé',
  expired: 'Expiré (non confirmé à temps)',
  no_show: 'Absence constatée',
};

export const PAYMENT_LABELS: Readonly<Record<PaymentMode, string>> = {
  online: 'Paiement en ligne',
  on_site: 'Paiement sur place',
};

/** `7800` → `78,00 €` (a no-break space before the sign; no narrow spaces, which PDF fonts lack). */
export function formatEuros(cents: number): string {
  const euros = Math.floor(Math.abs(cents) / 100);
  const rest = String(Math.abs(cents) % 100).padStart(2, '0');
  const grouped = String(euros).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${cents < 0 ? '-' : ''}${grouped},${rest}\u00a0€`;
}

const WEEKDAY_NAMES = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'];
const MONTH_NAMES = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
];

/** `2025-03-14` → `vendredi 14 mars 2025` (pure calendar arithmetic, no time zone involved). */
export function formatLongDate(date: string): string {
  const [year = 0, month = 1, day = 1] = date.split('-').map(Number);
  const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
  return `${WEEKDAY_NAMES[weekday]} ${day === 1 ? '1er' : day} ${MONTH_NAMES[month - 1]} ${year}`;
}

/** `09:30` → `9 h 30`, the French way of writing a time. */
export function formatTime(time: string): string {
  const [hours = '0', minutes = '00'] = time.split(':');
  return `${Number(hours)} h ${minutes}`;
}

/** The vehicle in one line: `AB-123-CD — Voiture particulière, Diesel`. */
export function vehicleLine(vehicle: {
  readonly plate: string | null;
  readonly category: VehicleCategory;
  readonly fuel: Fuel;
}): string {
  const kind = `${CATEGORY_LABELS[vehicle.category]}, ${FUEL_LABELS[vehicle.fuel]}`;
  return vehicle.plate === null ? kind : `${vehicle.plate} — ${kind}`;
}
