// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionProvider, useSession } from '../../auth/session.js';
import { BASE_URL, fakeServer, principal } from '../../testing/fake-api.js';
import { LoginPage } from './login-page.js';

afterEach(() => {
  cleanup();
  sessionStorage.clear();
});

function Who() {
  const { session } = useSession();
  return (
    <p data-testid="who">
      {session ? `${session.principal.displayName}/${session.principal.role}` : 'personne'}
    </p>
  );
}

function renderLogin(server: ReturnType<typeof fakeServer>) {
  render(
    <SessionProvider fetch={server.fetch} baseUrl={BASE_URL} initialSession={null}>
      <LoginPage />
      <Who />
    </SessionProvider>,
  );
}

describe('staff login', () => {
  it('signs a staff member in and keeps the session for the tab only', async () => {
    const server = fakeServer({
      'POST /api/v1/auth/login': (call) =>
        (call.body as { password: string }).password === 'demo'
          ? {
              json: {
                accessToken: 'jwt',
                tokenType: 'Bearer',
                expiresIn: 3600,
                principal: principal('responsable_centre'),
              },
            }
          : { status: 401, json: { title: 'Unauthorized', status: 401, code: 'INVALID_CREDENTIALS' } },
    });
    renderLogin(server);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Identifiant ou e-mail'), 'responsable');
    await user.type(screen.getByLabelText('Mot de passe'), 'faux');
    await user.click(screen.getByRole('button', { name: 'Se connecter' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Identifiant ou mot de passe incorrect.');
    expect(screen.getByTestId('who').textContent).toBe('personne');

    await user.clear(screen.getByLabelText('Mot de passe'));
    await user.type(screen.getByLabelText('Mot de passe'), 'demo');
    await user.click(screen.getByRole('button', { name: 'Se connecter' }));
    await waitFor(() =>
      expect(screen.getByTestId('who').textContent).toBe('Agent responsable_centre/responsable_centre'),
    );
    expect(JSON.parse(sessionStorage.getItem('pti.backoffice.session') ?? '{}').token).toBe('jwt');
    expect(localStorage.length).toBe(0);
  });

  it('refuses accounts without back-office access (a motorist)', async () => {
    const server = fakeServer({
      'POST /api/v1/auth/login': {
        accessToken: 'jwt',
        tokenType: 'Bearer',
        expiresIn: 3600,
        principal: principal('motorist', []),
      },
    });
    renderLogin(server);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Identifiant ou e-mail'), 'automobiliste');
    await user.type(screen.getByLabelText('Mot de passe'), 'demo');
    await user.click(screen.getByRole('button', { name: 'Se connecter' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/n’a pas accès/);
    expect(screen.getByTestId('who').textContent).toBe('personne');
  });
});
