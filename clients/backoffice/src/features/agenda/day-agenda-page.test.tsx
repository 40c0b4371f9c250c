// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { CENTRE, fakeServer, renderWithSession } from '../../testing/fake-api.js';
import { dayAgenda } from '../../testing/fixtures.js';
import { DayAgendaPage } from './day-agenda-page.js';

afterEach(cleanup);

const agendaPath = `/api/v1/staff/centres/${CENTRE}/agenda/2026-03-10`;

function page(role: 'responsable_centre' | 'controleur' | 'operateur', routes: Record<string, object> = {}) {
  const server = fakeServer({ [`GET ${agendaPath}`]: dayAgenda(), ...routes });
  renderWithSession(
    <DayAgendaPage centreId={CENTRE} date="2026-03-10" onNavigate={() => undefined} pollMs={60_000} />,
    {
      role,
      fetch: server.fetch,
    },
  );
  return server;
}

describe('the centre day agenda', () => {
  it('shows one lane per inspector with holds, confirmed, overbooked and blocked periods, named for screen readers', async () => {
    page('responsable_centre');
    expect(await screen.findByRole('heading', { level: 1, name: /Lyon Gerland/ })).toBeTruthy();
    const lane = screen.getByRole('list', { name: 'Rendez-vous de Julien Moreau' });
    const buttons = within(lane).getAllByRole('button');
    expect(buttons.map((b) => b.getAttribute('aria-label'))).toEqual([
      expect.stringMatching(/^08:00 AB-123-CD, jusqu’à 08:45, Réservé \(en attente\), REF-B1/),
      expect.stringMatching(/^09:00 AB-123-CD, jusqu’à 09:45, Confirmé, REF-B2/),
      expect.stringMatching(/^10:00 AB-123-CD, jusqu’à 10:45, Arrivé, REF-B3/),
    ]);
    expect(within(lane).getByText('Bloqué 12:00–13:00 : Pause déjeuner')).toBeTruthy();
    expect(within(lane).getByText('Bloqué 16:00–17:00 : Maintenance')).toBeTruthy();
    const unassigned = screen.getByRole('list', { name: 'Rendez-vous sans contrôleur' });
    expect(within(unassigned).getByRole('button').getAttribute('aria-label')).toMatch(/surbooking/);
    expect(screen.getByRole('heading', { name: /Sarah Lambert/ })).toBeTruthy();
  });

  it('checks a vehicle in: sends the command with an idempotency key and announces the outcome', async () => {
    const server = page('responsable_centre', {
      'POST /api/v1/bookings/b2/check-in': { bookingId: 'b2', status: 'checked_in' },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: /REF-B2/ }));
    await user.click(screen.getByRole('button', { name: 'Enregistrer l’arrivée' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Arrivée enregistrée.'));
    const [call] = server.callsTo('POST', '/api/v1/bookings/b2/check-in');
    expect(call?.body).toEqual({ inspectorId: 'insp-1' });
    expect(call?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(call?.headers.authorization).toBe('Bearer test-token');
    // The agenda is read again after the command.
    await waitFor(() => expect(server.callsTo('GET', agendaPath).length).toBeGreaterThanOrEqual(2));
  });

  it('records a result A/S/R for a checked-in vehicle (controleur)', async () => {
    const server = page('controleur', {
      'POST /api/v1/bookings/b3/result': { bookingId: 'b3', status: 'completed' },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: /REF-B3/ }));
    const results = screen.getByRole('group', { name: 'Résultat du contrôle' });
    await user.click(within(results).getByRole('button', { name: 'S — contre-visite' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Résultat S enregistré.'));
    // The lane's inspector is named as the one who did the control.
    expect(server.callsTo('POST', '/api/v1/bookings/b3/result')[0]?.body).toEqual({
      result: 'S',
      inspectorId: 'insp-1',
    });
    // A controleur neither blocks periods nor records no-shows.
    expect(screen.queryByRole('heading', { name: 'Bloquer une période' })).toBeNull();
  });

  it('an operateur checks in and records a no-show but records no result', async () => {
    page('operateur');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: /REF-B3/ }));
    expect(screen.queryByRole('group', { name: 'Résultat du contrôle' })).toBeNull();
    await user.click(screen.getByRole('button', { name: /REF-B2/ }));
    expect(screen.getByRole('button', { name: 'Client absent' })).toBeTruthy();
  });

  it('moves a booking and blocks a period, showing the server’s refusal in French', async () => {
    const server = page('responsable_centre', {
      'POST /api/v1/bookings/b2/reschedule': { bookingId: 'b2' },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: /REF-B2/ }));
    const move = screen.getByRole('form', { name: 'Déplacer le rendez-vous' });
    const time = within(move).getByLabelText('Nouvelle heure');
    await user.clear(time);
    await user.type(time, '14:30');
    await user.click(within(move).getByRole('button', { name: 'Déplacer' }));
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toMatch(/déplacé au 2026-03-10 à 14:30/),
    );
    expect(server.callsTo('POST', '/api/v1/bookings/b2/reschedule')[0]?.body).toEqual({
      start: '2026-03-10T14:30',
    });

    await user.type(screen.getByLabelText('Motif'), 'Panne du banc');
    await user.click(screen.getByRole('button', { name: 'Bloquer' }));
    // No route answers the block: the 404 problem is shown, not swallowed.
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/Introuvable/));
    expect(server.callsTo('POST', `/api/v1/centres/${CENTRE}/days/2026-03-10/blocks`)[0]?.body).toEqual({
      from: '12:00',
      to: '13:00',
      label: 'Panne du banc',
    });
  });

  it('lifts a blocked period with its block id (Débloquer), and only for roles that block', async () => {
    const unblockPath = `/api/v1/centres/${CENTRE}/days/2026-03-10/blocks/blk-maintenance`;
    const server = page('responsable_centre', {
      [`DELETE ${unblockPath}`]: { centreId: CENTRE, date: '2026-03-10', revision: 7 },
    });
    const user = userEvent.setup();
    const list = await screen.findByRole('list', { name: 'Périodes bloquées' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual([
      expect.stringMatching(/^12:00–13:00 · Julien Moreau · Pause déjeuner/),
      expect.stringMatching(/^16:00–17:00 · Tout le centre · Maintenance/),
    ]);
    await user.click(
      within(list).getByRole('button', { name: 'Débloquer 16:00–17:00 (Tout le centre, Maintenance)' }),
    );
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe('Période 16:00–17:00 débloquée.'),
    );
    const [call] = server.callsTo('DELETE', unblockPath);
    expect(call?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(call?.headers.authorization).toBe('Bearer test-token');
    await waitFor(() => expect(server.callsTo('GET', agendaPath).length).toBeGreaterThanOrEqual(2));
    cleanup();

    page('operateur');
    await screen.findByRole('heading', { level: 1, name: /Lyon Gerland/ });
    expect(screen.queryByRole('button', { name: /^Débloquer/ })).toBeNull();
  });
});
