// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { SAGA_ROUTES } from '../../api/backoffice-api.js';
import { fakeServer, renderWithSession } from '../../testing/fake-api.js';
import { OpsPage } from './ops-page.js';

afterEach(cleanup);

const projections = {
  generatedAt: '2026-03-10T10:00:00.000Z',
  healthy: false,
  projections: [
    {
      name: 'agenda',
      version: 1,
      state: 'live',
      checkpoint: '10',
      lagEvents: 0,
      lagSeconds: 0,
      lastAppliedAt: '2026-03-10T09:59:59.000Z',
      error: null,
      healthy: true,
    },
    {
      name: 'reporting',
      version: 2,
      state: 'rebuilding',
      checkpoint: '4',
      lagEvents: 1200,
      lagSeconds: 12.5,
      lastAppliedAt: null,
      error: null,
      healthy: false,
    },
  ],
};

describe('the ops page', () => {
  it('shows projection state and lag, retries a dead letter, and says plainly what the server does not expose', async () => {
    const server = fakeServer({
      'GET /api/v1/ops/projections': projections,
      [`GET ${SAGA_ROUTES.deadLetters}`]: {
        items: [
          {
            id: 'dl-1',
            saga: 'adelsoft',
            kind: 'push',
            key: 'booking-1',
            attempts: 8,
            lastError: 'HTTP 503',
            firstScheduledAt: '2026-03-10T08:00:00.000Z',
            failedAt: '2026-03-10T09:00:00.000Z',
          },
        ],
      },
      [`POST ${SAGA_ROUTES.retryDeadLetter('dl-1')}`]: { status: 'retried' },
    });
    renderWithSession(<OpsPage pollMs={60_000} />, {
      role: 'admin_reseau',
      centreIds: [],
      fetch: server.fetch,
    });
    const table = await screen.findByRole('table', { name: /Au moins une projection demande attention/ });
    const row = within(table).getByRole('row', { name: /reporting/ });
    expect(within(row).getByText('reconstruction')).toBeTruthy();
    expect(within(row).getByText('1200')).toBeTruthy();
    expect(await screen.findByText('Boîte d’envoi : non exposé par ce serveur.')).toBeTruthy();
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Relancer booking-1' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Tâche relancée.'));
    expect(server.callsTo('POST', SAGA_ROUTES.retryDeadLetter('dl-1'))).toHaveLength(1);
  });
});
