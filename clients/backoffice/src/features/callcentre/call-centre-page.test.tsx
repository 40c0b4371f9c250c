// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { CustomerHit, StaffBookingDetail } from '../../api/types.js';
import { CENTRE, fakeServer, renderWithSession } from '../../testing/fake-api.js';
import { CallCentrePage } from './call-centre-page.js';

afterEach(cleanup);

const hit: CustomerHit = {
  customerId: 'cust-1',
  kind: 'private',
  name: 'Marie Curie',
  email: 'marie@example.fr',
  phone: '+33612345678',
  siret: null,
  plates: ['AB-123-CD'],
  bookingCount: 2,
  lastBooking: {
    bookingId: 'bk-1',
    reference: 'K7M4-QX2P',
    centreId: CENTRE,
    start: '2026-03-12T09:30',
    status: 'confirmed',
  },
};

const detail: StaffBookingDetail = {
  booking: {
    bookingId: 'bk-1',
    reference: 'K7M4-QX2P',
    status: 'confirmed',
    customerId: 'cust-1',
    customer: {
      kind: 'private',
      name: 'Marie Curie',
      email: 'marie@example.fr',
      phone: '+33612345678',
      siret: null,
      contactName: null,
    },
    vehicle: { plate: 'AB-123-CD', category: 'VP', fuel: 'Diesel' },
    controlType: 'CTP',
    centre: {
      centreId: CENTRE,
      name: 'Lyon Gerland',
      address: '1 rue',
      postcode: '69007',
      city: 'Lyon',
      phone: null,
    },
    reservationId: 'res-1',
    start: '2026-03-12T09:30',
    end: '2026-03-12T10:15',
    startsAt: '2026-03-12T08:30:00.000Z',
    durationMinutes: 45,
    priceCents: 7900,
    paidCents: 0,
    paymentMode: 'on_site',
    channel: 'web',
    inspectorId: 'insp-1',
    result: null,
    contreVisiteDueBy: null,
    cancellation: null,
    rescheduleCount: 0,
    placedAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T10:01:00.000Z',
  },
  history: [
    {
      eventId: 'e1',
      stream: 'booking-bk-1',
      revision: 0,
      type: 'BookingPlaced',
      occurredAt: '2026-03-01T10:00:00.000Z',
      actor: { id: 'cust-1', role: 'motorist' },
      correlationId: 'c1',
      causationId: null,
      data: {},
    },
  ],
};

describe('the call centre', () => {
  it('finds a customer by phone, opens their booking with its history, and cancels it with a reason', async () => {
    const server = fakeServer({
      'GET /api/v1/staff/customers': { items: [hit], nextCursor: null },
      'GET /api/v1/staff/bookings/bk-1': detail,
      'POST /api/v1/bookings/bk-1/cancel': { bookingId: 'bk-1', status: 'cancelled' },
    });
    renderWithSession(<CallCentrePage />, { role: 'call_centre', centreIds: [], fetch: server.fetch });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Téléphone'), '06 12 34 56 78');
    await user.click(screen.getByRole('button', { name: 'Rechercher' }));
    const table = await screen.findByRole('table', { name: '1 client(s) trouvé(s)' });
    expect(server.calls[0]?.query.get('phone')).toBe('06 12 34 56 78');
    expect(within(table).getByRole('rowheader', { name: 'Marie Curie' })).toBeTruthy();

    await user.click(within(table).getByRole('button', { name: 'Ouvrir K7M4-QX2P' }));
    const panel = await screen.findByRole('region', { name: 'Rendez-vous K7M4-QX2P' });
    expect(within(panel).getByText('Rendez-vous réservé')).toBeTruthy();
    expect(within(panel).getByText(/Par Automobiliste/)).toBeTruthy();

    const cancel = within(panel).getByRole('form', { name: 'Annuler le rendez-vous' });
    await user.selectOptions(within(cancel).getByLabelText('Motif d’annulation'), 'duplicate');
    await user.click(within(cancel).getByRole('button', { name: 'Annuler le rendez-vous' }));
    await waitFor(() => expect(server.callsTo('POST', '/api/v1/bookings/bk-1/cancel')).toHaveLength(1));
    expect(server.callsTo('POST', '/api/v1/bookings/bk-1/cancel')[0]?.body).toEqual({ reason: 'duplicate' });
  });

  it('books on the customer’s behalf with channel call_centre, from a free slot, then confirms on site', async () => {
    const server = fakeServer({
      'GET /api/v1/staff/customers': { items: [hit], nextCursor: null },
      [`GET /api/v1/centres/${CENTRE}/availability`]: {
        centreId: CENTRE,
        from: '2026-03-12',
        to: '2026-03-12',
        timeZone: 'Europe/Paris',
        durationMinutes: 45,
        priceCents: 7900,
        days: [{ date: '2026-03-12', starts: ['09:00', '09:45'] }],
      },
      [`POST /api/v1/centres/${CENTRE}/bookings`]: () => ({
        json: {
          bookingId: 'bk-2',
          reference: 'ABCD-EFGH',
          manageToken: 't',
          centreId: CENTRE,
          start: '2026-03-12T09:45',
          end: '2026-03-12T10:30',
          inspectorId: 'insp-1',
          overbooked: false,
          priceCents: 7900,
          holdExpiresAt: '2026-03-11T10:15:00.000Z',
          status: 'placed',
        },
        status: 201,
      }),
      'POST /api/v1/bookings/bk-2/confirm': { bookingId: 'bk-2', status: 'confirmed' },
      'GET /api/v1/staff/bookings/bk-2': {
        ...detail,
        booking: { ...detail.booking, bookingId: 'bk-2', reference: 'ABCD-EFGH' },
      },
    });
    renderWithSession(<CallCentrePage />, { role: 'call_centre', centreIds: [CENTRE], fetch: server.fetch });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Immatriculation'), 'AB123CD');
    await user.click(screen.getByRole('button', { name: 'Rechercher' }));
    await user.click(await screen.findByRole('button', { name: 'Réserver pour Marie Curie' }));

    const form = screen.getByRole('region', { name: 'Nouveau rendez-vous pour le client' });
    expect((within(form).getByLabelText('Nom') as HTMLInputElement).value).toBe('Marie Curie');
    const day = within(form).getByLabelText('Jour du rendez-vous');
    await user.clear(day);
    await user.type(day, '2026-03-12');
    await user.click(within(form).getByRole('button', { name: 'Voir les créneaux libres' }));
    await user.click(await within(form).findByRole('button', { name: '09:45' }));
    await user.click(within(form).getByRole('button', { name: /Réserver et confirmer/ }));
    await waitFor(() =>
      expect(within(form).getByRole('status').textContent).toMatch(
        /ABCD-EFGH confirmé le 2026-03-12 à 09:45/,
      ),
    );
    const [placed] = server.callsTo('POST', `/api/v1/centres/${CENTRE}/bookings`);
    expect(placed?.body).toEqual({
      start: '2026-03-12T09:45',
      controlType: 'CTP',
      vehicle: { plate: 'AB-123-CD', category: 'VP', fuel: 'Essence' },
      customer: { kind: 'private', name: 'Marie Curie', email: 'marie@example.fr', phone: '+33612345678' },
      channel: 'call_centre',
      paymentMode: 'on_site',
    });
    expect(server.callsTo('POST', '/api/v1/bookings/bk-2/confirm')[0]?.body).toEqual({
      paymentMode: 'on_site',
    });
    // The new booking opens with its detail and history.
    expect(await screen.findByRole('region', { name: 'Rendez-vous ABCD-EFGH' })).toBeTruthy();
  });

  it('shows a customer’s history page by page, and opens a booking from it', async () => {
    const older = {
      bookingId: 'bk-0',
      reference: 'ZZ9Y-8X7W',
      status: 'completed' as const,
      centreId: CENTRE,
      start: '2025-03-02T10:00',
      end: '2025-03-02T10:45',
      controlType: 'CTP' as const,
      vehicle: { plate: 'AB-123-CD', category: 'VP' as const },
      priceCents: 7800,
      channel: 'web' as const,
      result: 'A' as const,
      placedAt: '2025-02-20T10:00:00.000Z',
    };
    const server = fakeServer({
      'GET /api/v1/staff/customers': { items: [hit], nextCursor: null },
      'GET /api/v1/staff/customers/cust-1/bookings': (call) =>
        call.query.get('cursor') === 'page-2'
          ? { json: { items: [older], nextCursor: null } }
          : {
              json: {
                items: [
                  {
                    ...older,
                    bookingId: 'bk-1',
                    reference: 'K7M4-QX2P',
                    status: 'confirmed',
                    result: null,
                    start: '2026-03-12T09:30',
                    end: '2026-03-12T10:15',
                  },
                ],
                nextCursor: 'page-2',
              },
            },
      'GET /api/v1/staff/bookings/bk-0': {
        ...detail,
        booking: { ...detail.booking, bookingId: 'bk-0', reference: 'ZZ9Y-8X7W', status: 'completed' },
      },
    });
    renderWithSession(<CallCentrePage />, { role: 'call_centre', centreIds: [], fetch: server.fetch });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Nom'), 'Curie');
    await user.click(screen.getByRole('button', { name: 'Rechercher' }));
    await user.click(await screen.findByRole('button', { name: 'Historique de Marie Curie' }));

    const history = await screen.findByRole('region', { name: 'Historique de Marie Curie' });
    expect(await within(history).findByRole('table', { name: '1 rendez-vous affiché(s)' })).toBeTruthy();
    await user.click(within(history).getByRole('button', { name: 'Afficher les rendez-vous plus anciens' }));
    const table = await within(history).findByRole('table', { name: '2 rendez-vous affiché(s)' });
    expect(
      within(table)
        .getAllByRole('rowheader')
        .map((cell) => cell.textContent),
    ).toEqual(['K7M4-QX2P', 'ZZ9Y-8X7W']);
    expect(within(history).queryByRole('button', { name: /plus anciens/ })).toBeNull();
    const calls = server.callsTo('GET', '/api/v1/staff/customers/cust-1/bookings');
    expect(calls.map((call) => call.query.get('cursor'))).toEqual([null, 'page-2']);
    expect(calls[0]?.headers.authorization).toBe('Bearer test-token');

    await user.click(within(table).getByRole('button', { name: 'Ouvrir ZZ9Y-8X7W' }));
    expect(await screen.findByRole('region', { name: 'Rendez-vous ZZ9Y-8X7W' })).toBeTruthy();
  });

  it('resends a confirmed booking’s confirmation and says where it went', async () => {
    const resendPath = '/api/v1/staff/bookings/bk-1/confirmation/resend';
    const server = fakeServer({
      'GET /api/v1/staff/customers': { items: [hit], nextCursor: null },
      'GET /api/v1/staff/bookings/bk-1': detail,
      [`POST ${resendPath}`]: () => ({
        status: 202,
        json: {
          bookingId: 'bk-1',
          replayed: false,
          messages: [
            {
              id: 'm2',
              channel: 'sms',
              recipient: '+33612345678',
              status: 'recorded',
              attachments: [],
              createdAt: '2026-03-10T10:00:00.000Z',
            },
            {
              id: 'm1',
              channel: 'email',
              recipient: 'marie@example.fr',
              status: 'pending',
              attachments: [{ filename: 'rendez-vous.ics', contentType: 'text/calendar' }],
              createdAt: '2026-03-10T10:00:00.000Z',
            },
          ],
        },
      }),
    });
    renderWithSession(<CallCentrePage />, { role: 'call_centre', centreIds: [], fetch: server.fetch });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Téléphone'), '0612345678');
    await user.click(screen.getByRole('button', { name: 'Rechercher' }));
    await user.click(await screen.findByRole('button', { name: 'Ouvrir K7M4-QX2P' }));
    const panel = await screen.findByRole('region', { name: 'Rendez-vous K7M4-QX2P' });
    await user.click(within(panel).getByRole('button', { name: 'Renvoyer la confirmation' }));
    await waitFor(() =>
      expect(within(panel).getByRole('status').textContent).toBe(
        'Confirmation renvoyée par e-mail à marie@example.fr (avec le fichier calendrier) et par SMS au +33612345678.',
      ),
    );
    const [call] = server.callsTo('POST', resendPath);
    expect(call?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(call?.headers.authorization).toBe('Bearer test-token');
  });

  it('offers no resend for a booking that is not confirmed', async () => {
    const server = fakeServer({
      'GET /api/v1/staff/customers': { items: [hit], nextCursor: null },
      'GET /api/v1/staff/bookings/bk-1': { ...detail, booking: { ...detail.booking, status: 'placed' } },
    });
    renderWithSession(<CallCentrePage />, { role: 'call_centre', centreIds: [], fetch: server.fetch });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Téléphone'), '0612345678');
    await user.click(screen.getByRole('button', { name: 'Rechercher' }));
    await user.click(await screen.findByRole('button', { name: 'Ouvrir K7M4-QX2P' }));
    const panel = await screen.findByRole('region', { name: 'Rendez-vous K7M4-QX2P' });
    expect(within(panel).getByRole('button', { name: /Confirmer/ })).toBeTruthy();
    expect(within(panel).queryByRole('button', { name: 'Renvoyer la confirmation' })).toBeNull();
  });
});
