import { describe, expect, it } from 'vitest';
import { createJwtVerifier, openIdConfigurationUrl, PTI_API_AUDIENCE } from './jwt-verifier.js';

/**
 * The verifier against a real Keycloak loaded with `ops/deploy/keycloak/pti-realm.json`
 * (docker-compose serves it at `http://localhost:8080/realms/pti`). Runs when `OIDC_ISSUER` is set;
 * tokens come from the password grant of the public `pti-backoffice` client (or
 * `OIDC_TEST_CLIENT_ID`) for the realm's demo users (password `demo`).
 */
const issuer = process.env.OIDC_ISSUER?.trim() || undefined;
const clientId = process.env.OIDC_TEST_CLIENT_ID?.trim() || 'pti-backoffice';

const TENANT = '11111111-1111-4111-8111-111111111111';
const CENTRE = '22222222-2222-4222-8222-222222222201';

const REALM_USERS = [
  { username: 'philippe.roux', role: 'admin_reseau', centreIds: [] },
  { username: 'nathalie.lefebvre', role: 'responsable_centre', centreIds: [CENTRE] },
  { username: 'julien.moreau', role: 'controleur', centreIds: [CENTRE] },
  { username: 'chloe.durand', role: 'operateur', centreIds: [CENTRE] },
  { username: 'lucas.petit', role: 'call_centre', centreIds: [] },
  { username: 'isabelle.fournier', role: 'auditor', centreIds: [] },
  { username: 'antoine.garnier', role: 'analyst', centreIds: [] },
  { username: 'sophie.bernard', role: 'client_pro', centreIds: [] },
  { username: 'camille.martin', role: 'motorist', centreIds: [] },
] as const;

async function passwordGrant(oidcIssuer: string, username: string): Promise<string> {
  const discovery = (await (await fetch(openIdConfigurationUrl(oidcIssuer))).json()) as {
    token_endpoint: string;
  };
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: clientId,
      username,
      password: 'demo',
      scope: 'openid',
    }),
  });
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

if (issuer === undefined) {
  console.info('[auth] OIDC_ISSUER unset: Keycloak contract skipped');
  describe('Keycloak contract', () => {
    it.skip('OIDC_ISSUER unset: verification of real Keycloak tokens skipped', () => {});
  });
} else {
  const oidcIssuer = issuer;
  describe(`Keycloak contract (${oidcIssuer})`, () => {
    const verifier = createJwtVerifier({ issuer: oidcIssuer, audience: PTI_API_AUDIENCE });

    it.each(REALM_USERS)('maps $username to $role via discovery and the remote JWKS', async (user) => {
      const principal = await verifier.verify(await passwordGrant(oidcIssuer, user.username));
      expect(principal).toMatchObject({ role: user.role, tenantId: TENANT, centreIds: [...user.centreIds] });
      expect(principal.subject).toMatch(/\S/);
      expect(principal.displayName).toMatch(/\S/);
    });

    it('refuses a Keycloak token whose payload was altered', async () => {
      const [header, payload, signature] = (await passwordGrant(oidcIssuer, 'camille.martin')).split('.');
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['admin_reseau'] })).toString(
        'base64url',
      );
      await expect(verifier.verify(`${header}.${forged}.${signature}`)).rejects.toMatchObject({
        code: 'TOKEN_INVALID',
      });
    });

    it('refuses the realm’s tokens for another audience', async () => {
      const strict = createJwtVerifier({ issuer: oidcIssuer, audience: 'another-api' });
      await expect(strict.verify(await passwordGrant(oidcIssuer, 'lucas.petit'))).rejects.toMatchObject({
        code: 'TOKEN_INVALID',
      });
    });
  });
}
