/**
 * Sign-in through an OIDC provider (Keycloak's `pti-backoffice` public client, Authorization Code
 * + PKCE S256), used instead of the embedded demo login when the build names an issuer
 * (`VITE_OIDC_ISSUER`, optional `VITE_OIDC_CLIENT_ID`, default `pti-backoffice`). The access token
 * goes to the API as a bearer token; `GET /api/v1/auth/me` tells who it is.
 */

export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
}

export function oidcSettings(env: Record<string, unknown> = import.meta.env): OidcSettings | null {
  const issuer = env.VITE_OIDC_ISSUER;
  if (typeof issuer !== 'string' || issuer === '') return null;
  const clientId =
    typeof env.VITE_OIDC_CLIENT_ID === 'string' && env.VITE_OIDC_CLIENT_ID !== ''
      ? env.VITE_OIDC_CLIENT_ID
      : 'pti-backoffice';
  return { issuer: issuer.replace(/\/+$/, ''), clientId };
}

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function randomToken(bytes = 32): string {
  return base64Url(globalThis.crypto.getRandomValues(new Uint8Array(bytes)));
}

/** RFC 7636 S256: BASE64URL(SHA256(verifier)). */
export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

interface Discovery {
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
}

async function discover(settings: OidcSettings, fetchImpl: typeof fetch): Promise<Discovery> {
  const response = await fetchImpl(`${settings.issuer}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`Fournisseur d’identité injoignable (${response.status}).`);
  return (await response.json()) as Discovery;
}

const PENDING_KEY = 'pti.backoffice.oidc';

interface Pending {
  readonly state: string;
  readonly verifier: string;
  readonly redirectUri: string;
}

/** The provider's authorization URL for a fresh state and verifier (kept in sessionStorage). */
export async function authorizationUrl(
  settings: OidcSettings,
  redirectUri: string,
  options: { fetch?: typeof fetch; storage?: Storage } = {},
): Promise<string> {
  const discovery = await discover(settings, options.fetch ?? fetch);
  const pending: Pending = { state: randomToken(16), verifier: randomToken(32), redirectUri };
  (options.storage ?? sessionStorage).setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirectUri,
    scope: 'openid profile email',
    state: pending.state,
    code_challenge: await pkceChallenge(pending.verifier),
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

/**
 * Finishes a sign-in when the provider sent the browser back with `code` and `state`: checks the
 * state, exchanges the code with the verifier, returns the access token (null when the URL is not
 * a provider's answer).
 */
export async function completeSignIn(
  settings: OidcSettings,
  location: URL,
  options: { fetch?: typeof fetch; storage?: Storage } = {},
): Promise<{ accessToken: string; expiresIn: number } | null> {
  const code = location.searchParams.get('code');
  const state = location.searchParams.get('state');
  if (code === null || state === null) return null;
  const storage = options.storage ?? sessionStorage;
  const text = storage.getItem(PENDING_KEY);
  storage.removeItem(PENDING_KEY);
  const pending = text === null ? null : (JSON.parse(text) as Pending);
  if (pending === null || pending.state !== state)
    throw new Error('Réponse de connexion inattendue : recommencez.');
  const fetchImpl = options.fetch ?? fetch;
  const discovery = await discover(settings, fetchImpl);
  const response = await fetchImpl(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: pending.redirectUri,
      client_id: settings.clientId,
      code_verifier: pending.verifier,
    }).toString(),
  });
  if (!response.ok) throw new Error(`Connexion refusée par le fournisseur d’identité (${response.status}).`);
  const token = (await response.json()) as { access_token: string; expires_in?: number };
  return { accessToken: token.access_token, expiresIn: token.expires_in ?? 300 };
}
