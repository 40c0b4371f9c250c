// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { REBUILD_ROUTES, SAGA_ROUTES } from '../../api/backoffice-api.js';
import type { ProjectionRebuild } from '../../api/types.js';
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

  it('rebuilds a read model after confirmation and follows its progress to the end', async () => {
    const running: ProjectionRebuild = {
      id: '7f1c2a43-5a56-4c8e-9a3e-1d2b3c4d5e6f',
      target: 'agenda',
      projectors: ['agenda'],
      state: 'running',
      current: 'agenda',
      startedAt: '2026-03-10T10:00:00.000Z',
      finishedAt: null,
      eventsProcessed: 4000,
      eventsPerSecond: 2000,
      etaSeconds: 3,
      percentage: 40,
      generations: [],
      error: null,
    };
    const done: ProjectionRebuild = {
      ...running,
      state: 'done',
      current: null,
      finishedAt: '2026-03-10T10:00:05.000Z',
      eventsProcessed: 10_000,
      etaSeconds: 0,
      percentage: 100,
      generations: [{ projector: 'agenda', previous: 1, generation: 2, events: 10_000 }],
    };
    let polls = 0;
    const server = fakeServer({
      'GET /api/v1/ops/projections': projections,
      [`POST ${REBUILD_ROUTES.start('agenda')}`]: () => ({ status: 202, json: running }),
      [`GET ${REBUILD_ROUTES.progress(running.id)}`]: () => {
        polls += 1;
        return { json: polls < 2 ? { ...running, percentage: 70, eventsProcessed: 7000 } : done };
      },
    });
    renderWithSession(<OpsPage pollMs={60_000} rebuildPollMs={20} />, {
      role: 'admin_reseau',
      centreIds: [],
      fetch: server.fetch,
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Reconstruire la projection agenda' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Reconstruire la projection agenda ?' });
    // Nothing starts before the confirmation.
    expect(server.callsTo('POST', REBUILD_ROUTES.start('agenda'))).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Confirmer la reconstruction' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    const bar = await screen.findByRole('progressbar', { name: /Reconstruction de la projection agenda/ });
    expect(server.callsTo('POST', REBUILD_ROUTES.start('agenda'))).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Tout reconstruire' }).hasAttribute('disabled')).toBe(true);
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('100'));
    expect(screen.getByText(/Reconstruction terminée : agenda v2 \(remplace v1\)/)).toBeTruthy();
    expect(screen.getByText(/^10\s000 événements traités/)).toBeTruthy();
    expect(polls).toBe(2);
    expect(screen.getByRole('button', { name: 'Tout reconstruire' }).hasAttribute('disabled')).toBe(false);
  });

  it('cancels the confirmation and says when a rebuild is already running', async () => {
    const server = fakeServer({
      'GET /api/v1/ops/projections': projections,
      [`POST ${REBUILD_ROUTES.start('all')}`]: () => ({
        status: 409,
        json: { type: 'about:blank', title: 'Conflict', status: 409, code: 'rebuild_in_progress' },
      }),
    });
    renderWithSession(<OpsPage pollMs={60_000} />, {
      role: 'admin_reseau',
      centreIds: [],
      fetch: server.fetch,
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Tout reconstruire' }));
    await user.click(screen.getByRole('button', { name: 'Annuler' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(server.callsTo('POST', REBUILD_ROUTES.start('all'))).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Tout reconstruire' }));
    await user.click(screen.getByRole('button', { name: 'Confirmer la reconstruction' }));
    expect((await screen.findByText('Une reconstruction est déjà en cours.')).getAttribute('role')).toBe(
      'alert',
    );
  });
});
