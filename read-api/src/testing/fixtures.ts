import type {
  AgendaEntry,
  BookingRecord,
  CentreCard,
  CentreDayAgenda,
  CustomerHit,
  ProjectionStatus,
  ReportingFactRow,
  VehicleProfile,
} from '../ports/read-models.js';

/**
 * Read-model rows of two tenants for the route tests: tenant A runs two centres in Lyon, tenant B
 * one in Paris. Names, e-mails and phones are invented. Excluded from the build (`testing/`).
 */

export const TENANT_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
export const TENANT_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
export const GERLAND = 'lyon-gerland';
export const VILLEURBANNE = 'villeurbanne';
export const PARIS_15 = 'paris-15';

/** "Now" of every test: Monday 10 March 2025, 09:00 in Lyon. */
export const NOW = new Date('2025-03-10T08:00:00.000Z');

const WEEK = {
  monday: [
    { from: '08:00', to: '12:00' },
    { from: '13:30', to: '18:30' },
  ],
  tuesday: [
    { from: '08:00', to: '12:00' },
    { from: '13:30', to: '18:30' },
  ],
  wednesday: [{ from: '08:00', to: '12:00' }],
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

const PRICES = [
  { controlType: 'CTP', vehicleCategory: 'VP', fuel: null, priceCents: 7800 },
  { controlType: 'CTP', vehicleCategory: 'VP', fuel: 'Gaz', priceCents: 9300 },
  { controlType: 'CVP', vehicleCategory: 'VP', fuel: null, priceCents: 2500 },
  { controlType: 'CTP', vehicleCategory: 'Moto', fuel: null, priceCents: 7500 },
] as const;

function centre(overrides: Partial<CentreCard> & Pick<CentreCard, 'centreId' | 'tenantId'>): CentreCard {
  return {
    code: overrides.centreId.toUpperCase(),
    name: 'Contrôle Technique Lyon Gerland',
    address: '42 avenue Jean Jaurès',
    postcode: '69007',
    city: 'Lyon',
    position: { lat: 45.7441, lon: 4.8419 },
    phone: '+33478601234',
    email: 'lyon-gerland@pti-controle.fr',
    website: null,
    timeZone: 'Europe/Paris',
    active: true,
    openingHours: WEEK,
    prices: PRICES,
    ...overrides,
  };
}

export const CENTRES: readonly CentreCard[] = [
  centre({ centreId: GERLAND, tenantId: TENANT_A }),
  centre({
    centreId: VILLEURBANNE,
    tenantId: TENANT_A,
    name: 'Contrôle Technique Villeurbanne',
    address: '12 cours Émile Zola',
    postcode: '69100',
    city: 'Villeurbanne',
    position: { lat: 45.7719, lon: 4.8902 },
    email: null,
    prices: PRICES.filter((entry) => entry.fuel !== 'Gaz'),
  }),
  centre({
    centreId: PARIS_15,
    tenantId: TENANT_B,
    name: 'Auto Bilan Paris 15',
    address: '3 rue de Vaugirard',
    postcode: '75015',
    city: 'Paris',
    position: { lat: 48.8412, lon: 2.3003 },
    phone: '+33145000000',
    email: 'paris15@autobilan.fr',
  }),
];

/** Free starts per centre per day, for any profile (the fake does not model the calendar). */
export const FREE_STARTS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  [GERLAND]: { '2025-03-11': ['14:00', '14:45'], '2025-03-12': ['08:00', '08:45', '09:30'] },
  [VILLEURBANNE]: { '2025-03-10': ['16:30'], '2025-03-13': ['10:00'] },
  [PARIS_15]: { '2025-03-11': ['09:00'] },
};

export function durationOf(profile: VehicleProfile): number {
  const base = profile.controlType === 'CVP' ? 20 : profile.category === 'Moto' ? 35 : 45;
  return base + (profile.fuel === 'Gaz' ? 15 : 0);
}

function booking(overrides: Partial<BookingRecord> & Pick<BookingRecord, 'bookingId'>): BookingRecord {
  const gerland = CENTRES[0]!;
  return {
    tenantId: TENANT_A,
    reference: 'K7M4-QX2P',
    status: 'confirmed',
    customerId: '5d6e7f80-91a2-4b3c-8d4e-5f60718293a4',
    customer: {
      kind: 'private',
      name: 'Camille Martin',
      email: 'camille.martin@example.fr',
      phone: '+33612345678',
      siret: null,
      contactName: null,
    },
    vehicle: { plate: 'AB-123-CD', category: 'VP', fuel: 'Diesel' },
    controlType: 'CTP',
    centre: {
      centreId: gerland.centreId,
      name: gerland.name,
      address: gerland.address,
      postcode: gerland.postcode,
      city: gerland.city,
      phone: gerland.phone,
      email: gerland.email,
      position: gerland.position,
      timeZone: 'Europe/Paris',
    },
    reservationId: '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d',
    start: '2025-03-14T09:30',
    durationMinutes: 45,
    priceCents: 7800,
    paidCents: 7800,
    paymentMode: 'online',
    channel: 'web',
    inspectorId: null,
    result: null,
    contreVisiteDueBy: null,
    cancellation: null,
    rescheduleCount: 0,
    placedAt: '2025-03-10T08:00:00.000Z',
    updatedAt: '2025-03-10T08:05:00.000Z',
    ...overrides,
  };
}

export const CAMILLE_BOOKING_ID = 'c9a8b7c6-d5e4-4f3a-9b2c-1d0e9f8a7b6c';
/** Same reference as Camille's (references are 40-bit and may collide), another tenant and owner. */
export const JULIEN_BOOKING_ID = '3d4e5f6a-7b8c-4d9e-8f0a-2b3c4d5e6f7a';
export const LEA_BOOKING_ID = 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b';

export const BOOKINGS: readonly BookingRecord[] = [
  booking({ bookingId: CAMILLE_BOOKING_ID, inspectorId: 'karim' }),
  booking({
    bookingId: JULIEN_BOOKING_ID,
    tenantId: TENANT_B,
    customerId: 'a2b3c4d5-e6f7-4a8b-9c0d-1e2f3a4b5c6d',
    customer: {
      kind: 'private',
      name: 'Julien Moreau',
      email: 'julien.moreau@example.fr',
      phone: '+33698765432',
      siret: null,
      contactName: null,
    },
    vehicle: { plate: 'EF-456-GH', category: 'Moto', fuel: 'Essence' },
    centre: {
      centreId: PARIS_15,
      name: 'Auto Bilan Paris 15',
      address: '3 rue de Vaugirard',
      postcode: '75015',
      city: 'Paris',
      phone: '+33145000000',
      email: 'paris15@autobilan.fr',
      position: { lat: 48.8412, lon: 2.3003 },
      timeZone: 'Europe/Paris',
    },
    start: '2025-03-11T09:00',
    durationMinutes: 35,
    priceCents: 7500,
    paidCents: 0,
    paymentMode: 'on_site',
    channel: 'mobile',
    status: 'placed',
  }),
  booking({
    bookingId: LEA_BOOKING_ID,
    reference: 'T9RV-8KDM',
    customerId: '7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b',
    customer: {
      kind: 'company',
      name: 'Transports Dubois SARL',
      email: 'flotte@transports-dubois.fr',
      phone: '+33472000000',
      siret: '73282932000074',
      contactName: 'Léa Dubois',
    },
    vehicle: { plate: '123-ABC-69', category: 'VU', fuel: 'Gaz' },
    controlType: 'CTP',
    start: '2025-03-31T08:00',
    durationMinutes: 60,
    priceCents: 9300,
    paidCents: 0,
    paymentMode: 'on_site',
    channel: 'call_centre',
    status: 'cancelled',
    cancellation: { cancelledBy: 'call_centre', reason: 'customer_request', refundEligible: false },
    rescheduleCount: 1,
    updatedAt: '2025-03-12T10:00:00.000Z',
  }),
];

function entry(
  overrides: Partial<AgendaEntry> & Pick<AgendaEntry, 'bookingId' | 'start' | 'end'>,
): AgendaEntry {
  return {
    reference: 'K7M4-QX2P',
    reservationId: `r-${overrides.bookingId}`,
    durationMinutes: 45,
    inspectorId: 'karim',
    overbooked: false,
    controlType: 'CTP',
    vehicle: { plate: 'AB-123-CD', category: 'VP', fuel: 'Diesel' },
    customerName: 'Camille Martin',
    customerPhone: '+33612345678',
    status: 'confirmed',
    result: null,
    ...overrides,
  };
}

export const AGENDA: CentreDayAgenda = {
  centreId: GERLAND,
  date: '2025-03-14',
  inspectors: [
    { inspectorId: 'karim', name: 'Karim Benali', accreditations: ['VL', 'L', 'GAZ'] },
    { inspectorId: 'sophie', name: 'Sophie Laurent', accreditations: ['VL'] },
  ],
  entries: [
    entry({
      bookingId: 'b2',
      start: '10:15',
      end: '11:00',
      inspectorId: 'sophie',
      customerName: 'Paul Girard',
    }),
    entry({ bookingId: CAMILLE_BOOKING_ID, start: '09:30', end: '10:15' }),
    entry({
      bookingId: 'b3',
      start: '09:30',
      end: '10:15',
      inspectorId: null,
      overbooked: true,
      status: 'placed',
    }),
  ],
  blocks: [
    {
      blockId: 'block-calibration',
      from: '14:00',
      to: '15:30',
      inspectorId: null,
      label: 'Étalonnage de l’opacimètre',
    },
    { blockId: 'block-training', from: '08:00', to: '09:00', inspectorId: 'sophie', label: 'Formation' },
  ],
};

export const CUSTOMERS: readonly (CustomerHit & { tenantId: string; centreIds: readonly string[] })[] = [
  {
    tenantId: TENANT_A,
    centreIds: [GERLAND],
    customerId: '5d6e7f80-91a2-4b3c-8d4e-5f60718293a4',
    kind: 'private',
    name: 'Camille Martin',
    email: 'camille.martin@example.fr',
    phone: '+33612345678',
    siret: null,
    plates: ['AB-123-CD'],
    bookingCount: 1,
    lastBooking: {
      bookingId: CAMILLE_BOOKING_ID,
      reference: 'K7M4-QX2P',
      centreId: GERLAND,
      start: '2025-03-14T09:30',
      status: 'confirmed',
    },
  },
  {
    tenantId: TENANT_A,
    centreIds: [VILLEURBANNE],
    customerId: '6e7f8091-a2b3-4c4d-9e5f-60718293a4b5',
    kind: 'private',
    name: 'Camille Martinez',
    email: 'c.martinez@example.fr',
    phone: '+33611111111',
    siret: null,
    plates: ['CD-321-EF'],
    bookingCount: 2,
    lastBooking: null,
  },
  {
    tenantId: TENANT_B,
    centreIds: [PARIS_15],
    customerId: 'a2b3c4d5-e6f7-4a8b-9c0d-1e2f3a4b5c6d',
    kind: 'private',
    name: 'Julien Moreau',
    email: 'julien.moreau@example.fr',
    phone: '+33698765432',
    siret: null,
    plates: ['EF-456-GH'],
    bookingCount: 1,
    lastBooking: null,
  },
];

function fact(date: string, overrides: Partial<ReportingFactRow> = {}): ReportingFactRow {
  return {
    date,
    bookings: 20,
    cancellations: 2,
    noShows: 1,
    completed: 17,
    results: { A: 12, S: 4, R: 1 },
    revenueCents: 130_000,
    bookedMinutes: 780,
    capacityMinutes: 960,
    leadTimeMinutesTotal: 20 * 3 * 24 * 60,
    channels: { web: 12, mobile: 4, call_centre: 3, backoffice: 1 },
    ...overrides,
  };
}

export const REPORTING: Readonly<Record<string, readonly ReportingFactRow[]>> = {
  [GERLAND]: [
    fact('2025-03-03'),
    fact('2025-03-05', { bookings: 10, cancellations: 0, noShows: 2, completed: 8 }),
  ],
  [PARIS_15]: [fact('2025-03-03')],
};

export const PROJECTIONS: readonly ProjectionStatus[] = [
  {
    name: 'availability',
    version: 2,
    state: 'live',
    checkpoint: '1042:1042',
    lagEvents: 0,
    lagSeconds: 0.2,
    lastAppliedAt: '2025-03-10T07:59:59.000Z',
    error: null,
  },
  {
    name: 'reporting',
    version: 1,
    state: 'catching_up',
    checkpoint: '900:900',
    lagEvents: 142,
    lagSeconds: 12,
    lastAppliedAt: '2025-03-10T07:59:40.000Z',
    error: null,
  },
];
