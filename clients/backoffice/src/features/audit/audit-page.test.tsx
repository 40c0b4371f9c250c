// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../api/types.js';
import { CENTRE, fakeServer, renderWithSession } from '../../testing/fake-api.js';
import { AuditPage, streamOf } from './audit-page.js';

afterEach(cleanup);

const event = (
  revision: number,
  type: string,
  occurredAt: string,
  data: Record<string, unknown> = {},
): AuditEvent => ({
  eventId: `e${revision}`,
  stream: 'booking-bk-1',
  revision,
  type,
  occurredAt,
  actor: { id: `actor-${revision}`, role: revision === 0 ? 'call_centre' : 'controleur' },
  correlationId: `c${revision}`,
  causationId: null,
  data,
});

describe('the audit view', () => {
  it('names the streams of a booking, a calendar day and a centre', () => {
    expect(streamOf('booking', { bookingId: ' BK-1 ', centreId: null, date: '2026-03-10' })).toBe(
      'booking-bk-1',
    );
    expect(streamOf('calendar', { bookingId: '', centreId: CENTRE, date: '2026-03-10' })).toBe(
      `calendar-${CENTRE}-2026-03-10`,
    );
    expect(streamOf('centre', { bookingId: '', centreId: CENTRE, date: '' })).toBe(`centre-${CENTRE}`);
    expect(streamOf('centre', { bookingId: '', centreId: null, date: '' })).toBeNull();
  });

  it('shows who did what, when and why, and the state just after a chosen event', async () => {
    const server = fakeServer({
      'GET /api/v1/audit/streams/booking-bk-1/events': {
        items: [
          event(0, 'BookingPlaced', '2026-03-01T10:00:00.000Z'),
          event(1, 'BookingCancelled', '2026-03-02T09:00:00.000Z', { reason: 'duplicate' }),
        ],
        nextCursor: null,
      },
      'GET /api/v1/audit/streams/booking-bk-1/state': (call) => ({
        json: {
          stream: 'booking-bk-1',
          aggregate: 'booking',
          at: call.query.get('at'),
          exists: true,
          revision: 0,
          eventsApplied: 1,
          lastEventAt: '2026-03-01T10:00:00.000Z',
          state: { status: 'placed', reference: 'K7M4-QX2P' },
        },
      }),
    });
    renderWithSession(<AuditPage />, { role: 'auditor', centreIds: [], fetch: server.fetch });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Identifiant du rendez-vous'), 'bk-1');
    await user.click(screen.getByRole('button', { name: 'Afficher l’historique' }));
    const history = await screen.findByRole('region', { name: 'Historique de booking-bk-1' });
    expect(within(history).getByText('Rendez-vous réservé')).toBeTruthy();
    expect(within(history).getByText('Rendez-vous annulé')).toBeTruthy();
    expect(within(history).getByText('duplicate')).toBeTruthy();
    expect(within(history).getByText(/Par Conseiller centre d’appels/)).toBeTruthy();

    await user.click(within(history).getByRole('button', { name: 'État juste après l’événement 0' }));
    const state = screen.getByRole('region', { name: 'État à un instant' });
    await waitFor(() =>
      expect(within(state).getByText(/révision 0, 1 événement\(s\) appliqué\(s\)/)).toBeTruthy(),
    );
    expect(within(state).getByText('placed')).toBeTruthy();
    expect(server.callsTo('GET', '/api/v1/audit/streams/booking-bk-1/state')[0]?.query.get('at')).toBe(
      '2026-03-01T10:00:00.000Z',
    );
    // The instant field now shows that moment in Paris time (UTC+1 in March).
    expect((within(state).getByLabelText('Instant (heure de Paris)') as HTMLInputElement).value).toMatch(
      /^2026-03-01T11:00(:00)?$/,
    );
  });
});
