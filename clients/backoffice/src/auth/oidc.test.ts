import { describe, expect, it } from 'vitest';
import { authorizationUrl, completeSignIn, oidcSettings, pkceChallenge } from './oidc.js';

class MemoryStorage {
  private readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

const settings = { issuer: 'https://sso.example.fr/realms/pti', clientId: 'pti-backoffice' };
const discovery = {
  authorization_endpoint: 'https://sso.example.fr/realms/pti/protocol/openid-connect/auth',
  token_endpoint: 'https://sso.example.fr/realms/pti/protocol/openid-connect/token',
};

describe('OIDC sign-in (Authorization Code + PKCE)', () => {
  it('is on only when the build names an issuer', () => {
    expect(oidcSettings({})).toBeNull();
    expect(oidcSettings({ VITE_OIDC_ISSUER: 'https://sso.example.fr/realms/pti/' })).toEqual(settings);
  });

  it('computes the RFC 7636 S256 challenge', async () => {
    // The RFC's appendix B example.
    expect(await pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('redirects with state and challenge, then exchanges the code with the verifier', async () => {
    const storage = new MemoryStorage();
    const posted: URLSearchParams[] = [];
    const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      if (url.endsWith('/.well-known/openid-configuration')) return Response.json(discovery);
      if (url === discovery.token_endpoint) {
        posted.push(new URLSearchParams(String(init?.body)));
        return Response.json({ access_token: 'access', expires_in: 600 });
      }
      return new Response('', { status: 404 });
    }) as typeof fetch;

    const redirect = new URL(
      await authorizationUrl(settings, 'http://localhost:3000/backoffice/', { fetch: fakeFetch, storage }),
    );
    expect(redirect.origin + redirect.pathname).toBe(discovery.authorization_endpoint);
    expect(redirect.searchParams.get('code_challenge_method')).toBe('S256');
    expect(redirect.searchParams.get('client_id')).toBe('pti-backoffice');
    const state = redirect.searchParams.get('state')!;

    await expect(
      completeSignIn(settings, new URL('http://localhost:3000/backoffice/?code=c&state=forged'), {
        fetch: fakeFetch,
        storage: new MemoryStorage(),
      }),
    ).rejects.toThrow(/inattendue/);

    const result = await completeSignIn(
      settings,
      new URL(`http://localhost:3000/backoffice/?code=the-code&state=${state}`),
      {
        fetch: fakeFetch,
        storage,
      },
    );
    expect(result).toEqual({ accessToken: 'access', expiresIn: 600 });
    const exchange = posted[0]!;
    expect(exchange.get('code')).toBe('the-code');
    expect(await pkceChallenge(exchange.get('code_verifier')!)).toBe(
      redirect.searchParams.get('code_challenge'),
    );
    expect(storage.length).toBe(0);
  });
});
