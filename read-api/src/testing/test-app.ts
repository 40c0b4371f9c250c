import { AuthenticationError, type JwtVerifier, type Principal } from '@pti/platform';
import type { FastifyInstance } from 'fastify';
import { buildReadApiServer, type ReadApiServerOptions } from '../app/read-api-server.js';
import type { ReadPorts } from '../ports/read-ports.js';
import { fakePorts } from './fake-ports.js';
import { GERLAND, NOW, TENANT_A, TENANT_B, VILLEURBANNE } from './fixtures.js';

/**
 * The read API over fakes, for `app.inject` tests. Tokens are plain names mapped to principals by
 * a fake verifier (the JWT machinery has its own tests in platform); `expired` answers as an
 * expired token would.
 */

export const MANAGE_SECRET = 'test-manage-token-secret-of-32-bytes!!';

const principal = (
  subject: string,
  role: Principal['role'],
  tenantId: string,
  centreIds: readonly string[] = [],
): Principal => ({ subject, role, tenantId, centreIds: [...centreIds], displayName: subject });

export const PRINCIPALS: Readonly<Record<string, Principal>> = {
  'admin-a': principal('admin-a', 'admin_reseau', TENANT_A),
  'admin-b': principal('admin-b', 'admin_reseau', TENANT_B),
  'responsable-gerland': principal('responsable-gerland', 'responsable_centre', TENANT_A, [GERLAND]),
  'controleur-gerland': principal('controleur-gerland', 'controleur', TENANT_A, [GERLAND]),
  'operateur-villeurbanne': principal('operateur-villeurbanne', 'operateur', TENANT_A, [VILLEURBANNE]),
  'conseiller-a': principal('conseiller-a', 'call_centre', TENANT_A),
  'auditor-a': principal('auditor-a', 'auditor', TENANT_A),
  'auditor-b': principal('auditor-b', 'auditor', TENANT_B),
  'auditor-villeurbanne': principal('auditor-villeurbanne', 'auditor', TENANT_A, [VILLEURBANNE]),
  'analyst-a': principal('analyst-a', 'analyst', TENANT_A),
  'motorist-a': principal('motorist-a', 'motorist', TENANT_A),
  'pro-a': principal('pro-a', 'client_pro', TENANT_A),
  /** The same subject in another tenant: sees nothing of tenant A. */
  'pro-a-tenant-b': principal('pro-a', 'client_pro', TENANT_B),
};

export const fakeVerifier: JwtVerifier = {
  issuer: 'test',
  async verify(token) {
    if (token === 'expired') throw new AuthenticationError('TOKEN_EXPIRED', 'the token has expired');
    const found = PRINCIPALS[token];
    if (found === undefined) throw new AuthenticationError('TOKEN_INVALID', 'the token is not valid');
    return found;
  },
};

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface TestAppOptions extends Partial<ReadApiServerOptions> {
  readonly ports?: ReadPorts;
  readonly now?: Date;
}

export async function buildTestApp(options: TestAppOptions = {}): Promise<FastifyInstance> {
  const { ports, now, ...serverOptions } = options;
  const app = await buildReadApiServer(
    {
      ports: ports ?? fakePorts(),
      manageTokenSecrets: [MANAGE_SECRET],
      clock: () => now ?? NOW,
    },
    {
      verifier: fakeVerifier,
      rateLimit: false,
      documents: { publicBaseUrl: 'https://rdv.pti-controle.fr' },
      ...serverOptions,
    },
  );
  await app.ready();
  return app;
}

/** A response body as JSON of unknown shape (assertions narrow it). */
export function json(response: { body: string }): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}
