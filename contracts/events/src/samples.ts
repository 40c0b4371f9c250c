import type { DomainEventData, DomainEventType } from './catalogue.js';
import type { WeeklyHours } from './shared/values.js';

/**
 * One realistic payload for every event type of the catalogue: the story of a centre in Lyon
 * (7e arrondissement), one of its days and one booking. Used by tests, documentation (AsyncAPI
 * examples) and the seed. Names, e-mails and phone numbers are invented.
 */

export const sampleIds = {
  centreId: '3f2b9c4e-8a1d-4c5e-9f6a-0b1c2d3e4f50',
  otherCentreId: '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d',
  inspectorId: 'b7e1c2d3-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  otherInspectorId: 'e4d3c2b1-a09f-4e8d-9c7b-6a5f4e3d2c1b',
  bookingId: 'c9a8b7c6-d5e4-4f3a-9b2c-1d0e9f8a7b6c',
  customerId: '5d6e7f80-91a2-4b3c-8d4e-5f60718293a4',
  reservationId: '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d',
  newReservationId: '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e',
  waitlistEntryId: '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
  waitlistBookingId: '3d4e5f6a-7b8c-4d9e-8f0a-2b3c4d5e6f7a',
  paymentId: '4e5f6a7b-8c9d-4e0f-9a1b-3c4d5e6f7a8b',
  closureId: '6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c',
  absenceId: '8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e',
  blockId: '9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f',
  noteId: 'ad1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a',
} as const;

/** The sample day of the calendar stream: Friday 14 March 2025. */
export const sampleDate = '2025-03-14';

const { centreId, inspectorId, bookingId, reservationId } = sampleIds;

const openingWeek: WeeklyHours = {
  monday: [
    { from: '08:00', to: '12:00' },
    { from: '13:30', to: '18:30' },
  ],
  tuesday: [
    { from: '08:00', to: '12:00' },
    { from: '13:30', to: '18:30' },
  ],
  wednesday: [
    { from: '08:00', to: '12:00' },
    { from: '13:30', to: '18:30' },
  ],
  thursday: [
    { from: '08:00', to: '12:00' },
    { from: '13:30', to: '18:30' },
  ],
  friday: [
    { from: '08:00', to: '12:00' },
    { from: '13:30', to: '18:00' },
  ],
  saturday: [{ from: '08:00', to: '12:00' }],
  sunday: [],
};

const inspectorWeek: WeeklyHours = {
  monday: [
    { from: '08:00', to: '12:00' },
    { from: '13:30', to: '17:00' },
  ],
  tuesday: [
    { from: '08:00', to: '12:00' },
    { from: '13:30', to: '17:00' },
  ],
  wednesday: [],
  thursday: [
    { from: '08:00', to: '12:00' },
    { from: '13:30', to: '17:00' },
  ],
  friday: [
    { from: '08:00', to: '12:00' },
    { from: '13:30', to: '17:00' },
  ],
  saturday: [{ from: '08:00', to: '12:00' }],
  sunday: [],
};

export type EventSamples = { readonly [K in DomainEventType]: DomainEventData<K> };

export const eventSamples: EventSamples = {
  // -------------------------------------------------------------------------------------------
  // Centre
  // -------------------------------------------------------------------------------------------
  CentreRegistered: {
    centreId,
    code: 'CT-LYON-GERLAND',
    name: 'Contrôle Technique Lyon Gerland',
    address: '42 avenue Jean Jaurès',
    postcode: '69007',
    city: 'Lyon',
    position: { lat: 45.7441, lon: 4.8419 },
    contact: {
      phone: '+33478601234',
      email: 'lyon-gerland@pti-controle.fr',
      website: 'https://pti-controle.fr/lyon',
    },
  },
  CentreDetailsUpdated: {
    centreId,
    name: 'Contrôle Technique Lyon Gerland',
    address: '42 avenue Jean Jaurès',
    postcode: '69007',
    city: 'Lyon',
    position: { lat: 45.7441, lon: 4.8419 },
    contact: { phone: '+33478601299', email: 'lyon-gerland@pti-controle.fr' },
  },
  OpeningHoursSet: { centreId, week: openingWeek },
  ClosureAdded: {
    centreId,
    closureId: sampleIds.closureId,
    from: '2025-05-01',
    to: '2025-05-01',
    label: 'Fête du Travail',
  },
  ClosureRemoved: { centreId, closureId: sampleIds.closureId },
  PriceListSet: {
    centreId,
    currency: 'EUR',
    entries: [
      { controlType: 'CTP', vehicleCategory: 'VP', fuel: null, priceCents: 7800 },
      { controlType: 'CTP', vehicleCategory: 'VP', fuel: 'Hybride', priceCents: 8400 },
      { controlType: 'CTP', vehicleCategory: 'VP', fuel: 'Electrique', priceCents: 8500 },
      { controlType: 'CTP', vehicleCategory: 'VP', fuel: 'Gaz', priceCents: 9300 },
      { controlType: 'CTP', vehicleCategory: 'VU', fuel: null, priceCents: 8200 },
      { controlType: 'CTP', vehicleCategory: 'Moto', fuel: null, priceCents: 7500 },
      { controlType: 'CVP', vehicleCategory: 'VP', fuel: null, priceCents: 2500 },
      { controlType: 'CV', vehicleCategory: 'VP', fuel: null, priceCents: 7000 },
      { controlType: 'CTC', vehicleCategory: 'VU', fuel: null, priceCents: 4000 },
      { controlType: 'CVC', vehicleCategory: 'VU', fuel: null, priceCents: 1500 },
    ],
  },
  BookingPolicySet: {
    centreId,
    holdMinutes: 15,
    overbookingPercent: 10,
    minimumNoticeMinutes: 120,
    horizonDays: 90,
    cancellationCutoffHours: 24,
    freeContreVisiteDays: 60,
  },
  DailyCapacitySet: { centreId, capacity: 48 },
  InspectorAdded: {
    centreId,
    inspectorId,
    name: 'Karim Benali',
    userId: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b',
    accreditations: ['VL', 'L', 'GAZ'],
  },
  InspectorAccreditationsChanged: { centreId, inspectorId, accreditations: ['VL', 'L'] },
  InspectorScheduleSet: { centreId, inspectorId, week: inspectorWeek },
  InspectorAbsenceDeclared: {
    centreId,
    inspectorId,
    absenceId: sampleIds.absenceId,
    from: '2025-04-14T08:00',
    to: '2025-04-19T12:00',
    kind: 'leave',
  },
  InspectorAbsenceCancelled: { centreId, inspectorId, absenceId: sampleIds.absenceId },
  InspectorRemoved: { centreId, inspectorId: sampleIds.otherInspectorId },
  CentreDeactivated: { centreId, reason: 'Travaux de mise aux normes de la ligne poids lourds' },
  CentreReactivated: { centreId },

  // -------------------------------------------------------------------------------------------
  // SlotCalendar (calendar-<centreId>-2025-03-14)
  // -------------------------------------------------------------------------------------------
  SlotHeld: {
    centreId,
    date: sampleDate,
    reservationId,
    bookingId,
    start: '09:30',
    end: '10:15',
    durationMinutes: 45,
    inspectorId,
    overbooked: false,
    controlType: 'CTP',
    vehicle: { category: 'VP', fuel: 'Diesel' },
    expiresAt: '2025-03-10T08:15:00.000Z',
    waitlistEntryId: null,
  },
  HoldConfirmed: { centreId, date: sampleDate, reservationId, bookingId },
  HoldReleased: { centreId, date: sampleDate, reservationId, bookingId, reason: 'expired' },
  ReservationFreed: { centreId, date: sampleDate, reservationId, bookingId, reason: 'cancelled' },
  PeriodBlocked: {
    centreId,
    date: sampleDate,
    blockId: sampleIds.blockId,
    from: '14:00',
    to: '15:30',
    inspectorId: null,
    label: 'Étalonnage de l’opacimètre',
  },
  PeriodUnblocked: { centreId, date: sampleDate, blockId: sampleIds.blockId },
  InspectorReassigned: {
    centreId,
    date: sampleDate,
    reservationId,
    bookingId,
    fromInspectorId: inspectorId,
    toInspectorId: sampleIds.otherInspectorId,
    reason: 'absence',
  },
  OverbookedReservationAssigned: {
    centreId,
    date: sampleDate,
    reservationId: sampleIds.newReservationId,
    bookingId: sampleIds.waitlistBookingId,
    inspectorId,
  },
  WaitlistJoined: {
    centreId,
    date: sampleDate,
    entryId: sampleIds.waitlistEntryId,
    customerId: 'a2b3c4d5-e6f7-4a8b-9c0d-1e2f3a4b5c6d',
    contact: { email: 'julien.moreau@example.fr', phone: '+33698765432' },
    controlType: 'CTP',
    vehicle: { category: 'Moto', fuel: 'Essence' },
    durationMinutes: 35,
    earliestStart: '08:00',
    latestStart: '11:00',
    channel: 'mobile',
  },
  WaitlistOfferMade: {
    centreId,
    date: sampleDate,
    entryId: sampleIds.waitlistEntryId,
    reservationId: sampleIds.newReservationId,
    bookingId: sampleIds.waitlistBookingId,
    start: '10:15',
    expiresAt: '2025-03-13T16:45:00.000Z',
  },
  WaitlistLeft: { centreId, date: sampleDate, entryId: sampleIds.waitlistEntryId, reason: 'offer_accepted' },

  // -------------------------------------------------------------------------------------------
  // Booking (booking-<bookingId>)
  // -------------------------------------------------------------------------------------------
  BookingPlaced: {
    bookingId,
    reference: 'K7M4-QX2P',
    customerId: sampleIds.customerId,
    customer: {
      kind: 'private',
      name: 'Camille Martin',
      email: 'camille.martin@example.fr',
      phone: '+33612345678',
      address: { street: '8 rue des Tanneurs', postcode: '69005', city: 'Lyon' },
    },
    vehicle: { plate: 'AB-123-CD', category: 'VP', fuel: 'Diesel' },
    controlType: 'CTP',
    centreId,
    reservationId,
    start: '2025-03-14T09:30',
    durationMinutes: 45,
    priceCents: 7800,
    channel: 'web',
    paymentMode: 'online',
    holdExpiresAt: '2025-03-10T08:15:00.000Z',
  },
  BookingConfirmed: { bookingId, paymentMode: 'online' },
  BookingCheckedIn: { bookingId, inspectorId },
  BookingCompleted: { bookingId, inspectorId, result: 'S', contreVisiteDueBy: '2025-05-14' },
  BookingCancelled: {
    bookingId,
    cancelledBy: 'customer',
    reason: 'customer_request',
    comment: 'Je serai en déplacement à Grenoble ce jour-là.',
    refundEligible: true,
  },
  BookingExpired: { bookingId },
  BookingNoShow: { bookingId },
  BookingRescheduled: {
    bookingId,
    from: { centreId, reservationId, start: '2025-03-14T09:30' },
    to: {
      centreId: sampleIds.otherCentreId,
      reservationId: sampleIds.newReservationId,
      start: '2025-03-18T14:00',
    },
    durationMinutes: 45,
    priceCents: 7500,
  },
  BookingNoteAdded: {
    bookingId,
    noteId: sampleIds.noteId,
    text: 'Client rappelé : viendra avec le certificat d’immatriculation original.',
  },
  PaymentRequested: {
    bookingId,
    paymentId: sampleIds.paymentId,
    provider: 'payzen',
    amountCents: 7800,
    currency: 'EUR',
  },
  PaymentSucceeded: {
    bookingId,
    paymentId: sampleIds.paymentId,
    provider: 'payzen',
    amountCents: 7800,
    currency: 'EUR',
    providerTransactionId: '9f1c2a7e3b4d4c5e8a6f7b8c9d0e1f2a',
  },
  PaymentFailed: {
    bookingId,
    paymentId: sampleIds.paymentId,
    provider: 'payzen',
    reason: 'declined',
    providerTransactionId: '9f1c2a7e3b4d4c5e8a6f7b8c9d0e1f2a',
  },
};
