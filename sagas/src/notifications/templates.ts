import type { ControlType, PaymentMode } from '@pti/events';
import {
  formatAppointment,
  formatAppointmentShort,
  formatEuros,
  formatLongDate,
  formatShortDate,
  formatTime,
} from '../shared/french-format.js';

/**
 * The French messages of the platform (DESIGN.md §7, notifications). Each template gives an e-mail
 * (subject and plain text) and an SMS (kept short: one or two SMS parts). Pure functions of the facts
 * they are given; the saga decides when to send and to whom.
 */
export type TemplateName =
  | 'confirmation'
  | 'rappel_j1'
  | 'modification'
  | 'annulation'
  | 'offre_liste_attente'
  | 'rappel_contre_visite';

export interface RenderedMessage {
  readonly template: TemplateName;
  readonly email: { readonly subject: string; readonly text: string };
  readonly sms: string;
}

export interface CentreFacts {
  readonly name: string;
  readonly address: string;
  readonly postcode: string;
  readonly city: string;
  readonly phone: string | null;
}

export interface BookingFacts {
  readonly reference: string;
  readonly customerName: string;
  readonly controlType: ControlType;
  /** Local `YYYY-MM-DDTHH:MM`. */
  readonly start: string;
  readonly durationMinutes: number;
  readonly priceCents: number;
  readonly paymentMode: PaymentMode;
  readonly plate: string;
  /** `null` when the centre's details are not known (its events not seen yet). */
  readonly centre: CentreFacts | null;
}

export const CONTROL_LABELS: Readonly<Record<ControlType, string>> = {
  CTP: 'contrôle technique périodique',
  CVP: 'contre-visite',
  CV: 'contrôle technique volontaire',
  CTC: 'contrôle complémentaire pollution',
  CVC: 'contre-visite du contrôle complémentaire',
};

const SIGNATURE = 'À bientôt,\nL’équipe PTI Calendar';

const centreName = (centre: CentreFacts | null): string =>
  centre?.name ?? 'votre centre de contrôle technique';

export function centreLocation(centre: CentreFacts | null): string {
  return centre === null
    ? centreName(centre)
    : `${centre.name}, ${centre.address}, ${centre.postcode} ${centre.city}`;
}

function priceLine(facts: BookingFacts): string {
  if (facts.priceCents === 0) return 'Prix : gratuit';
  const how = facts.paymentMode === 'online' ? 'payé en ligne' : 'à régler au centre';
  return `Prix : ${formatEuros(facts.priceCents)} (${how})`;
}

function details(facts: BookingFacts): string[] {
  return [
    `Référence : ${facts.reference}`,
    `Date : ${formatAppointment(facts.start)}`,
    `Centre : ${centreLocation(facts.centre)}`,
    `Prestation : ${CONTROL_LABELS[facts.controlType]} (${facts.durationMinutes} min)`,
    `Véhicule : ${facts.plate}`,
    priceLine(facts),
  ];
}

const bring =
  'Pensez à apporter le certificat d’immatriculation (carte grise) du véhicule et, pour une contre-visite, le procès-verbal du contrôle précédent.';

export function confirmationMessage(
  facts: BookingFacts,
  links: { readonly manage: string },
): RenderedMessage {
  return {
    template: 'confirmation',
    email: {
      subject: `Rendez-vous confirmé : contrôle technique le ${formatAppointment(facts.start)}`,
      text: [
        `Bonjour ${facts.customerName},`,
        '',
        'Votre rendez-vous de contrôle technique est confirmé.',
        '',
        ...details(facts),
        '',
        bring,
        'Le fichier joint (rendez-vous.ics) ajoute le rendez-vous à votre agenda.',
        '',
        `Pour modifier ou annuler votre rendez-vous : ${links.manage}`,
        '',
        SIGNATURE,
      ].join('\n'),
    },
    sms: `PTI : contrôle technique confirmé le ${formatAppointmentShort(facts.start)}, ${centreName(facts.centre)}. Réf. ${facts.reference}. Gérer : ${links.manage}`,
  };
}

export function reminderMessage(facts: BookingFacts, links: { readonly manage: string }): RenderedMessage {
  const time = formatTime(facts.start.slice(11, 16));
  return {
    template: 'rappel_j1',
    email: {
      subject: `Rappel : votre contrôle technique demain à ${time}`,
      text: [
        `Bonjour ${facts.customerName},`,
        '',
        `Nous vous rappelons votre rendez-vous de contrôle technique demain, ${formatAppointment(facts.start)}.`,
        '',
        ...details(facts),
        '',
        bring,
        'Merci d’arriver quelques minutes en avance.',
        '',
        `Un empêchement ? Modifiez ou annulez ici : ${links.manage}`,
        '',
        SIGNATURE,
      ].join('\n'),
    },
    sms: `PTI : rappel, contrôle technique demain à ${time}, ${centreName(facts.centre)}. Réf. ${facts.reference}. Gérer : ${links.manage}`,
  };
}

export function changeMessage(
  facts: BookingFacts,
  previousStart: string,
  links: { readonly manage: string },
): RenderedMessage {
  return {
    template: 'modification',
    email: {
      subject: `Rendez-vous modifié : contrôle technique le ${formatAppointment(facts.start)}`,
      text: [
        `Bonjour ${facts.customerName},`,
        '',
        `Votre rendez-vous du ${formatAppointment(previousStart)} a été déplacé.`,
        '',
        'Nouveau rendez-vous :',
        ...details(facts),
        '',
        'Le fichier joint met à jour le rendez-vous dans votre agenda.',
        '',
        `Pour gérer votre rendez-vous : ${links.manage}`,
        '',
        SIGNATURE,
      ].join('\n'),
    },
    sms: `PTI : rendez-vous déplacé au ${formatAppointmentShort(facts.start)}, ${centreName(facts.centre)}. Réf. ${facts.reference}. Gérer : ${links.manage}`,
  };
}

export function cancellationMessage(
  facts: BookingFacts,
  options: { readonly refunded: boolean },
): RenderedMessage {
  const refund = options.refunded
    ? 'Le montant payé en ligne vous sera remboursé sur la carte utilisée, sous quelques jours.'
    : null;
  return {
    template: 'annulation',
    email: {
      subject: `Rendez-vous annulé : contrôle technique du ${formatAppointment(facts.start)}`,
      text: [
        `Bonjour ${facts.customerName},`,
        '',
        `Votre rendez-vous de contrôle technique du ${formatAppointment(facts.start)} (référence ${facts.reference}) au centre ${centreName(facts.centre)} est annulé.`,
        ...(refund ? ['', refund] : []),
        '',
        'Vous pouvez reprendre rendez-vous à tout moment sur notre site.',
        '',
        SIGNATURE,
      ].join('\n'),
    },
    sms: `PTI : votre contrôle technique du ${formatAppointmentShort(facts.start)} (réf. ${facts.reference}) est annulé.${options.refunded ? ' Remboursement en cours.' : ''}`,
  };
}

export interface WaitlistOfferFacts {
  readonly centre: CentreFacts | null;
  /** Local `YYYY-MM-DD` and `HH:MM`. */
  readonly date: string;
  readonly start: string;
  /** Local date and time the offer ends, `YYYY-MM-DDTHH:MM`. */
  readonly expiresAtLocal: string;
  readonly link: string;
}

export function waitlistOfferMessage(offer: WaitlistOfferFacts): RenderedMessage {
  const when = `${formatLongDate(offer.date)} à ${formatTime(offer.start)}`;
  const until = formatTime(offer.expiresAtLocal.slice(11, 16));
  const untilDay =
    offer.expiresAtLocal.slice(0, 10) === offer.date
      ? ''
      : ` le ${formatShortDate(offer.expiresAtLocal.slice(0, 10))}`;
  return {
    template: 'offre_liste_attente',
    email: {
      subject: `Un créneau s’est libéré : ${when}`,
      text: [
        'Bonjour,',
        '',
        `Vous étiez sur liste d’attente : un créneau de contrôle technique s’est libéré le ${when} au centre ${centreLocation(offer.centre)}.`,
        '',
        `Nous vous le réservons jusqu’à ${until}${untilDay}. Pour le confirmer : ${offer.link}`,
        '',
        'Passé ce délai, le créneau sera proposé à la personne suivante.',
        '',
        SIGNATURE,
      ].join('\n'),
    },
    sms: `PTI : un créneau s’est libéré le ${formatShortDate(offer.date)} à ${formatTime(offer.start)}, ${centreName(offer.centre)}. Réservé pour vous jusqu’à ${until}${untilDay} : ${offer.link}`,
  };
}

export function contreVisiteMessage(
  facts: BookingFacts,
  result: 'S' | 'R',
  dueBy: string,
  links: { readonly book: string },
): RenderedMessage {
  const verdict =
    result === 'R'
      ? 'Le contrôle a relevé une défaillance critique : le véhicule ne peut plus circuler après minuit le jour du contrôle, jusqu’à sa réparation.'
      : 'Le contrôle a relevé une défaillance majeure.';
  return {
    template: 'rappel_contre_visite',
    email: {
      subject: `Contre-visite à réaliser avant le ${formatShortDate(dueBy)}`,
      text: [
        `Bonjour ${facts.customerName},`,
        '',
        `${verdict} Une contre-visite est obligatoire pour le véhicule ${facts.plate}.`,
        '',
        `Vous disposez de deux mois, soit jusqu’au ${formatLongDate(dueBy)} inclus, pour faire réparer le véhicule et passer la contre-visite. Au-delà, un contrôle technique complet sera de nouveau nécessaire.`,
        '',
        `Réservez votre contre-visite dès maintenant : ${links.book}`,
        '',
        SIGNATURE,
      ].join('\n'),
    },
    sms: `PTI : contre-visite obligatoire pour ${facts.plate}, à passer avant le ${formatShortDate(dueBy)} (deux mois). Réservez : ${links.book}`,
  };
}
