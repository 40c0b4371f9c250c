// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { CENTRE, fakeServer, renderWithSession } from '../../testing/fake-api.js';
import { dayAgenda } from '../../testing/fixtures.js';
import { CentreAdminPage } from './centre-admin-page.js';

afterEach(cleanup);

const card = {
  centreId: CENTRE,
  name: 'Lyon Gerland',
  address: '12 rue de Gerland',
  postcode: '69007',
  city: 'Lyon',
  position: { lat: 45.7, lon: 4.8 },
  phone: null,
  email: null,
  website: null,
  timeZone: 'Europe/Paris',
  active: true,
  openingHours: {
    monday: [{ from: '08:00', to: '12:00' }],
    tuesday: [],
    wednesday: [],
    thursday: [],
    friday: [],
    saturday: [],
    sunday: [],
  },
  prices: [{ controlType: 'CTP', vehicleCategory: 'VP', fuel: null, priceCents: 7800 }],
  currency: 'EUR',
};

describe('centre administration', () => {
  it('shows the bookings an absence affects before it is confirmed, then declares it', async () => {
    const server = fakeServer({
      [`GET /api/v1/centres/${CENTRE}`]: card,
      // Every day's agenda: Julien Moreau has b1 08:00 (placed), b2 09:00 (confirmed), b3 10:00 (checked in).
      [`GET /api/v1/staff/centres/${CENTRE}/agenda/[0-9-]+`]: (call) => ({
        json: dayAgenda(call.path.slice(-10)),
      }),
      [`POST /api/v1/centres/${CENTRE}/inspectors/insp-1/absences`]: () => ({
        status: 201,
        json: { centreId: CENTRE, revision: 9, absenceId: 'abs-1' },
      }),
    });
    renderWithSession(<CentreAdminPage centreId={CENTRE} onCentre={() => undefined} />, {
      role: 'responsable_centre',
      fetch: server.fetch,
    });
    const user = userEvent.setup();
    await user.click(await screen.findByText('Julien Moreau (VL, L)'));
    const form = screen.getByRole('form', { name: 'Absence de Julien Moreau' });
    await user.type(within(form).getByLabelText('Début de l’absence'), '2026-03-10T08:30');
    await user.type(within(form).getByLabelText('Fin de l’absence'), '2026-03-10T12:00');
    await user.selectOptions(within(form).getByLabelText('Nature'), 'training');
    await user.click(within(form).getByRole('button', { name: 'Voir les rendez-vous concernés' }));

    const impact = await screen.findByRole('region', { name: 'Rendez-vous concernés par l’absence' });
    expect(within(impact).getByText('2 rendez-vous concerné(s)')).toBeTruthy();
    expect(
      within(impact)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      expect.stringContaining('08:00–08:45 · REF-B1'),
      expect.stringContaining('09:00–09:45 · REF-B2'),
    ]);
    // Nothing is declared before the confirmation.
    expect(server.callsTo('POST', `/api/v1/centres/${CENTRE}/inspectors/insp-1/absences`)).toHaveLength(0);

    await user.click(within(impact).getByRole('button', { name: 'Confirmer l’absence' }));
    await waitFor(() =>
      expect(server.callsTo('POST', `/api/v1/centres/${CENTRE}/inspectors/insp-1/absences`)[0]?.body).toEqual(
        {
          from: '2026-03-10T08:30',
          to: '2026-03-10T12:00',
          kind: 'training',
        },
      ),
    );
    expect(await screen.findByText('Absence enregistrée.')).toBeTruthy();
  });

  it('edits opening hours as a week with split days and sends only complete intervals', async () => {
    const server = fakeServer({
      [`GET /api/v1/centres/${CENTRE}`]: card,
      [`PUT /api/v1/centres/${CENTRE}/opening-hours`]: { centreId: CENTRE, revision: 3 },
    });
    renderWithSession(<CentreAdminPage centreId={CENTRE} onCentre={() => undefined} />, {
      role: 'responsable_centre',
      fetch: server.fetch,
    });
    const user = userEvent.setup();
    const from = await screen.findByLabelText('Lundi, plage 2, début');
    await user.type(from, '13:30');
    await user.type(screen.getByLabelText('Lundi, plage 2, fin'), '18:30');
    await user.type(screen.getByLabelText('Mardi, plage 1, début'), '09:00'); // no end: dropped
    await user.click(screen.getByRole('button', { name: 'Enregistrer les horaires' }));
    await waitFor(() =>
      expect(server.callsTo('PUT', `/api/v1/centres/${CENTRE}/opening-hours`)).toHaveLength(1),
    );
    const body = server.callsTo('PUT', `/api/v1/centres/${CENTRE}/opening-hours`)[0]?.body as {
      week: Record<string, unknown>;
    };
    expect(body.week.monday).toEqual([
      { from: '08:00', to: '12:00' },
      { from: '13:30', to: '18:30' },
    ]);
    expect(body.week.tuesday).toEqual([]);
    // A responsable sets no network policy.
    expect(screen.queryByRole('heading', { name: 'Politique de réservation' })).toBeNull();
  });
});
