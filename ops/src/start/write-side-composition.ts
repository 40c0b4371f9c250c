import {
  type AppConfig,
  ConfigError,
  DEFAULT_VAULT_SCHEMA,
  type Identity,
  MEMORY_DATA_DIR,
  openVault,
  registerEmbeddedLogin,
  registerMeRoute,
  vaultSchemaFor,
  withPersonalData,
} from '@pti/platform';
import {
  CUSTOMER_ID_SECRET_VARIABLE,
  createContreVisiteIndex,
  createSqlIdempotencyStore,
  createWriteSideContext,
  embeddedSecretsFile,
  generateWriteSideSecrets,
  loadOrCreateEmbeddedSecrets,
  MANAGE_TOKEN_SECRETS_VARIABLE,
  seedDemoNetwork,
  type WriteSideSecrets,
  WriteSideSecretsError,
  writeSideRoutes,
  writeSideSecretsFromValues,
} from '@pti/write-side';
import type { FastifyInstance } from 'fastify';
import type { PlatformRuntime } from './platform-runtime.js';

/**
 * The write side's secrets (see `WriteSideSecrets`): both variables in services mode, refused half
 * set; in embedded mode generated once and kept under the data dir (in memory for `memory://`).
 * Production without them refuses to start: a generated secret there would silently differ between
 * replicas.
 */
export async function resolveWriteSideSecrets(
  config: Pick<AppConfig, 'env' | 'dataDir'>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<WriteSideSecrets> {
  const manage = env[MANAGE_TOKEN_SECRETS_VARIABLE]?.trim() ?? '';
  const customer = env[CUSTOMER_ID_SECRET_VARIABLE]?.trim() ?? '';
  try {
    if (manage !== '' && customer !== '') {
      return writeSideSecretsFromValues({ manageTokenSecrets: manage, customerIdSecret: customer });
    }
  } catch (error) {
    if (error instanceof WriteSideSecretsError) throw new ConfigError([error.message]);
    throw error;
  }
  if (manage !== '' || customer !== '' || config.env === 'production') {
    throw new ConfigError([
      `${MANAGE_TOKEN_SECRETS_VARIABLE}, ${CUSTOMER_ID_SECRET_VARIABLE}: both required together (and in production), base64 of at least 32 bytes each`,
    ]);
  }
  if (config.dataDir === MEMORY_DATA_DIR) return generateWriteSideSecrets();
  return loadOrCreateEmbeddedSecrets(embeddedSecretsFile(config.dataDir));
}

export interface MountOptions {
  /** Create the demo network when the ledger has no centre yet (embedded mode's first start). */
  readonly seedDemo?: boolean;
}

/**
 * Mounts identity and the command API on the server: the login route (embedded issuer) or the
 * `/auth/me` route (OIDC), then the write side's routes, with the Idempotency-Key store, the centre
 * registry loaded from the ledger and the contre-visite index following it. The command handlers
 * work on the ledger decorated by the personal-data vault (opened beside the ledger's schema), so
 * every personal field is encrypted from the first event written. The caller has registered
 * `fastifyAuth` and the OpenAPI plugin on `app`.
 */
export async function mountWriteSide(
  app: FastifyInstance,
  runtime: PlatformRuntime,
  identity: Identity,
  options: MountOptions = {},
): Promise<void> {
  if (identity.mode === 'embedded') registerEmbeddedLogin(app, identity.issuer);
  else registerMeRoute(app);
  const { config } = runtime;
  const secrets = await resolveWriteSideSecrets(config);
  const vault = await openVault({
    database: { sql: runtime.sql },
    schema:
      config.ledger.kind === 'eventstoredb' ? DEFAULT_VAULT_SCHEMA : vaultSchemaFor(config.ledger.schema),
    masterKey: config.pii.masterKey,
    dataDir: config.dataDir,
    // Embedded mode keeps its own key; a production server must be given one.
    allowGeneratedMasterKey: config.database.kind === 'pglite' || config.env !== 'production',
  });
  app.addHook('onClose', async () => vault.close());
  const ledger = withPersonalData(runtime.ledger, vault.vault);
  const previousInspections = createContreVisiteIndex(ledger, {
    onError: (error) => runtime.logger.error({ err: error }, 'contre-visite index stopped'),
  });
  const writeSide = createWriteSideContext({ ledger, secrets, previousInspections });
  await writeSide.centres.load();
  if (options.seedDemo === true && identity.mode === 'embedded') {
    const seeded = await seedDemoNetwork(writeSide);
    if (seeded.created) runtime.logger.info({ centres: seeded.centres }, 'demo network created');
  }
  runtime.logger.info({ centres: writeSide.centres.size }, 'centre registry loaded');
  previousInspections.start();
  app.addHook('onClose', async () => previousInspections.stop());
  await app.register(writeSideRoutes, {
    writeSide,
    idempotency: createSqlIdempotencyStore(runtime.sql, runtime.schema),
  });
}
