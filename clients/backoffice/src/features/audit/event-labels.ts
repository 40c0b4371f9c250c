/** French names of the domain events (contracts/events); an unknown type shows as is. */
export const EVENT_LABELS: Record<string, string> = {
  BookingPlaced: 'Rendez-vous réservé',
  BookingConfirmed: 'Rendez-vous confirmé',
  BookingCancelled: 'Rendez-vous annulé',
  BookingRescheduled: 'Rendez-vous déplacé',
  BookingCheckedIn: 'Arrivée du véhicule',
  BookingCompleted: 'Contrôle terminé (résultat)',
  BookingNoShow: 'Client absent',
  BookingExpired: 'Option expirée',
  BookingNoteAdded: 'Note ajoutée',
  PaymentRequested: 'Paiement demandé',
  PaymentSucceeded: 'Paiement reçu',
  PaymentFailed: 'Paiement échoué',
  SlotHeld: 'Créneau pris en option',
  HoldConfirmed: 'Option confirmée',
  HoldReleased: 'Option libérée',
  ReservationFreed: 'Créneau libéré',
  PeriodBlocked: 'Période bloquée',
  PeriodUnblocked: 'Période débloquée',
  InspectorReassigned: 'Contrôleur réaffecté',
  OverbookedReservationAssigned: 'Surbooking affecté à un contrôleur',
  WaitlistJoined: 'Inscription en liste d’attente',
  WaitlistLeft: 'Sortie de liste d’attente',
  WaitlistOfferMade: 'Créneau proposé (liste d’attente)',
  CentreRegistered: 'Centre créé',
  CentreDetailsUpdated: 'Coordonnées du centre modifiées',
  CentreDeactivated: 'Centre désactivé',
  CentreReactivated: 'Centre réactivé',
  OpeningHoursSet: 'Horaires d’ouverture définis',
  ClosureAdded: 'Fermeture ajoutée',
  ClosureRemoved: 'Fermeture retirée',
  PriceListSet: 'Tarifs définis',
  BookingPolicySet: 'Politique de réservation définie',
  DailyCapacitySet: 'Capacité journalière définie',
  InspectorAdded: 'Contrôleur ajouté',
  InspectorRemoved: 'Contrôleur retiré',
  InspectorAccreditationsChanged: 'Habilitations modifiées',
  InspectorScheduleSet: 'Planning hebdomadaire défini',
  InspectorAbsenceDeclared: 'Absence déclarée',
  InspectorAbsenceCancelled: 'Absence annulée',
};

export function eventLabel(type: string): string {
  return EVENT_LABELS[type] ?? type;
}

/** Why: the reason or comment an event carries, when it has one. */
export function eventReason(data: Record<string, unknown>): string | null {
  for (const key of ['reason', 'comment', 'label', 'kind']) {
    const value = data[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
}
