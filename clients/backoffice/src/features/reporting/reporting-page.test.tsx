// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CentreReporting, ReportingFigures } from '../../api/types.js';
import { CENTRE, fakeServer, renderWithSession } from '../../testing/fake-api.js';
import { ReportingPage } from './reporting-page.js';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const figures = (bookings: number, revenueCents: number): ReportingFigures => ({
  bookings,
  cancellations: 1,
  noShows: 0,
  completed: bookings - 1,
  results: { A: bookings - 2, S: 1, R: 0 },
  revenueCents,
  bookedMinutes: bookings * 45,
  capacityMinutes: 2700,
  fillRate: (bookings * 45) / 2700,
  noShowRate: 0,
  averageLeadTimeHours: 30,
  channels: { web: bookings, mobile: 0, call_centre: 0, backoffice: 0 },
});

const report = (centreId: string, name: string, scale: number): CentreReporting => ({
  centre: { centreId, name },
  from: '2026-03-01',
  to: '2026-03-02',
  currency: 'EUR',
  days: [
    { date: '2026-03-01', ...figures(4 * scale, 31_200 * scale) },
    { date: '2026-03-02', ...figures(6 * scale, 46_800 * scale) },
  ],
  totals: figures(10 * scale, 78_000 * scale),
});

describe('reporting', () => {
  it('charts a centre’s days, tabulates the same figures, exports CSV and compares centres', async () => {
    const server = fakeServer({
      [`GET /api/v1/staff/centres/${CENTRE}/reporting`]: (call) =>
        call.query.get('format') === 'csv'
          ? { text: 'date;bookings\n2026-03-01;4\n' }
          : { json: report(CENTRE, 'Lyon Gerland', 1) },
    });
    const createObjectURL = vi.fn(() => 'blob:report');
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    renderWithSession(<ReportingPage />, { role: 'responsable_centre', fetch: server.fetch });
    const user = userEvent.setup();
    await user.clear(screen.getByLabelText('Du'));
    await user.type(screen.getByLabelText('Du'), '2026-03-01');
    await user.clear(screen.getByLabelText('Au'));
    await user.type(screen.getByLabelText('Au'), '2026-03-02');
    await user.click(screen.getByRole('button', { name: 'Afficher' }));

    const charts = await screen.findByRole('region', { name: 'Par jour' });
    expect(
      within(charts)
        .getAllByRole('img')
        .map((img) => img.getAttribute('aria-label')?.replace(/\s/g, ' ')),
    ).toEqual([
      'Réservations, annulations et absences : maximum 6 sur 2 jour(s).',
      'Taux de remplissage : maximum 10 % sur 2 jour(s).',
      'Résultats des contrôles : maximum 5 sur 2 jour(s).',
      'Chiffre d’affaires : maximum 468,00 € sur 2 jour(s).',
    ]);
    const table = screen.getByRole('region', { name: 'Détail par jour' });
    expect(within(table).getByRole('row', { name: /2026-03-02/ }).textContent).toContain('468,00');
    expect(screen.getByRole('region', { name: /totaux du 2026-03-01 au 2026-03-02/ }).textContent).toContain(
      '780,00',
    );

    await user.click(screen.getByRole('button', { name: 'Exporter en CSV' }));
    await waitFor(() => expect(createObjectURL).toHaveBeenCalledTimes(1));
    expect(server.calls.find((c) => c.query.get('format') === 'csv')?.query.get('from')).toBe('2026-03-01');

    await user.click(screen.getByRole('button', { name: 'Ajouter à la comparaison' }));
    await user.click(screen.getByRole('button', { name: 'Comparer sur la période' }));
    const comparison = await screen.findByRole('table', { name: 'Totaux par centre' });
    expect(within(comparison).getByRole('rowheader', { name: 'Lyon Gerland' })).toBeTruthy();
  });
});
