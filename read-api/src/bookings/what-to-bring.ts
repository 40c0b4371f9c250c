import type { BookingRecord } from '../ports/read-models.js';
import { formatEuros } from './french-labels.js';

/** What the motorist brings to the centre, in French, for the confirmation and the calendar file. */
export function whatToBring(
  booking: Pick<BookingRecord, 'controlType' | 'paymentMode' | 'priceCents' | 'paidCents'>,
): string[] {
  const items = ["Le certificat d'immatriculation (carte grise) original du véhicule"];
  if (booking.controlType === 'CVP' || booking.controlType === 'CVC') {
    items.push('Le procès-verbal du contrôle initial (indispensable pour la contre-visite)');
  } else {
    items.push('Le procès-verbal du dernier contrôle technique, si vous en avez un');
  }
  const due = booking.priceCents - booking.paidCents;
  if (due > 0) items.push(`Votre moyen de paiement : ${formatEuros(due)} à régler au centre`);
  return items;
}

export const ARRIVAL_ADVICE = 'Présentez-vous 5 minutes avant l’heure du rendez-vous, véhicule accessible.';
