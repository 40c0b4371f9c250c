import type { AppConfig } from '../config/config.js';
import {
  assertNoDemoAccountsInServicesMode,
  createEmbeddedIssuer,
  type EmbeddedIssuer,
  embeddedKeyFile,
} from './embedded-issuer.js';
import { createJwtVerifier, type JwtVerifier, PTI_API_AUDIENCE } from './jwt-verifier.js';

/**
 * How a process identifies callers, chosen from the configuration:
 *
 * * `oidc` when `OIDC_ISSUER` is set: tokens from that provider (Keycloak), keys discovered from
 *   its `/.well-known/openid-configuration`, audience `pti-api`; no local accounts.
 * * `embedded` otherwise: the built-in issuer with its demo accounts, its key kept under the data
 *   dir (in memory for `PTI_DATA_DIR=memory://`). Refused in production
 *   ({@link assertNoDemoAccountsInServicesMode}).
 */
export type Identity =
  | { readonly mode: 'oidc'; readonly verifier: JwtVerifier; readonly issuer: null }
  | { readonly mode: 'embedded'; readonly verifier: JwtVerifier; readonly issuer: EmbeddedIssuer };

export interface IdentityOptions {
  /** Expected audience of OIDC tokens; `pti-api` by default. */
  readonly audience?: string;
  /** The provider's key set URL when it is not reachable at the issuer URL (see `JwtVerifierOptions`). */
  readonly jwksUri?: string;
}

export async function createIdentity(
  config: Pick<AppConfig, 'env' | 'auth' | 'dataDir'>,
  options: IdentityOptions = {},
): Promise<Identity> {
  const oidcIssuer = config.auth.oidcIssuer;
  if (oidcIssuer !== null) {
    const verifier = createJwtVerifier({
      issuer: oidcIssuer,
      audience: options.audience ?? PTI_API_AUDIENCE,
      jwksUri: options.jwksUri ?? config.auth.jwksUri ?? undefined,
    });
    return { mode: 'oidc', verifier, issuer: null };
  }
  assertNoDemoAccountsInServicesMode(config);
  const issuer = await createEmbeddedIssuer({ config, keyFile: embeddedKeyFile(config.dataDir) });
  return { mode: 'embedded', verifier: issuer.verifier, issuer };
}
