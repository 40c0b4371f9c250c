import { type FormEvent, useEffect, useState } from 'react';
import { createBackofficeApi } from '../../api/backoffice-api.js';
import { describeError } from '../../api/http.js';
import { authorizationUrl, completeSignIn, type OidcSettings, oidcSettings } from '../../auth/oidc.js';
import { isStaff } from '../../auth/roles.js';
import { useSession } from '../../auth/session.js';
import { Field, PageTitle } from '../../ui/components.js';

/**
 * Staff sign-in: the embedded issuer's accounts (`POST /api/v1/auth/login`), or the OIDC provider
 * when the build names one (then there is no password form: demo accounts do not exist there).
 */
export function LoginPage(props: { onSignedIn?: () => void; oidc?: OidcSettings | null }) {
  const { api, signIn } = useSession();
  const oidc = props.oidc === undefined ? oidcSettings() : props.oidc;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Back from the provider with ?code=…&state=…: exchange the code, ask the API who this is.
  useEffect(() => {
    if (oidc === null) return;
    const here = new URL(window.location.href);
    completeSignIn(oidc, here)
      .then(async (token) => {
        if (token === null) return;
        window.history.replaceState(null, '', here.pathname);
        const me = await createBackofficeApi({
          baseUrl: '',
          fetch: (input, init) => globalThis.fetch(input, init),
          token: () => token.accessToken,
        }).me();
        if (!isStaff(me.role)) throw new Error('Ce compte n’a pas accès à l’espace professionnel.');
        signIn({ token: token.accessToken, principal: me, expiresAt: Date.now() + token.expiresIn * 1000 });
        props.onSignedIn?.();
      })
      .catch((err: unknown) => setError(describeError(err)));
  }, [oidc, signIn, props.onSignedIn]);

  const signInWithProvider = async () => {
    if (oidc === null) return;
    setBusy(true);
    try {
      window.location.assign(await authorizationUrl(oidc, `${window.location.origin}/backoffice/`));
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  if (oidc !== null) {
    return (
      <main id="contenu" className="login">
        <PageTitle>Espace professionnel PTI</PageTitle>
        <p>Connectez-vous avec votre compte d’entreprise.</p>
        {error ? (
          <p role="alert" className="alert alert-error">
            {error}
          </p>
        ) : null}
        <button type="button" onClick={signInWithProvider} disabled={busy}>
          Se connecter avec le compte d’entreprise
        </button>
      </main>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await api.login(username, password);
      if (!isStaff(result.principal.role)) {
        setError('Ce compte n’a pas accès à l’espace professionnel.');
        return;
      }
      signIn({
        token: result.accessToken,
        principal: result.principal,
        expiresAt: Date.now() + result.expiresIn * 1000,
      });
      props.onSignedIn?.();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="contenu" className="login">
      <PageTitle>Espace professionnel PTI</PageTitle>
      <p>Connectez-vous avec votre compte personnel.</p>
      <form onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
        <Field label="Identifiant ou e-mail">
          {(id) => (
            <input
              id={id}
              name="username"
              autoComplete="username"
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          )}
        </Field>
        <Field label="Mot de passe">
          {(id) => (
            <input
              id={id}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        {error ? (
          <p id="login-error" role="alert" className="alert alert-error">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Connexion…' : 'Se connecter'}
        </button>
      </form>
      <details className="demo-accounts">
        <summary>Comptes de démonstration (mode intégré)</summary>
        <p>
          admin, responsable, controleur, operateur, conseiller, auditeur, analyste — mot de passe{' '}
          <code>demo</code>.
        </p>
      </details>
    </main>
  );
}
