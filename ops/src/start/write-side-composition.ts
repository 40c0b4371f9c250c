import {
  type AppConfig,
  ConfigError,
  createPersonalData,
  DEFAULT_VAULT_SCHEMA,
  type Identity,
  type Ledger,
  MEMORY_DATA_DIR,
  type OpenedVault,
  openVault,
  type PersonalData,
  registerEmbeddedLogin,
  registerMeRoute,
  vaultSchemaFor,
} from '@pti/platform';
import {
  createContreVisiteIndex,
  createSqlIdempotencyStore,
  createWriteSideContext,
  embeddedSecretsFile,
  generateWriteSideSecrets,
  loadOrCreateEmbeddedSecrets,
  type WriteSideContext,
  type WriteSideSecrets,
  WriteSideSecretsError,
  writeSideRoutes,
  writeSideSecretsFromValues,
} from '@pti/write-side';
import type { FastifyInstance } from 'fastify';
import { seedSmallNetwork } from '../seed/small-network.js';
import type { PlatformRuntime } from './platform-runtime.js';

/**
 * The write side's secrets (see `WriteSideSecrets`): from the configuration
 * (`PTI_MANAGE_TOKEN_SECRETS` / `PTI_CUSTOMER_ID_SECRET`, both or neither, required in production —
 * `loadConfig` checked that); without them in embedded mode generated once and kept under the data
 * dir (in memory for `memory://`), so every role of one data dir agrees on them.
 */
export async function resolveWriteSideSecrets(
  config: Pick<AppConfig, 'env' | 'dataDir' | 'secrets'>,
): Promise<WriteSideSecrets> {
  const { manageTokenSecrets, customerIdSecret } = config.secrets;
  if (manageTokenSecrets !== null && customerIdSecret !== null) {
    try {
      return writeSideSecretsFromValues({ manageTokenSecrets, customerIdSecret });
    } catch (error) {
      if (error instanceof WriteSideSecretsError) throw new ConfigError([error.message]);
      throw error;
    }
  }
  if (config.env === 'production') {
    throw new ConfigError([
      'PTI_MANAGE_TOKEN_SECRETS, PTI_CUSTOMER_ID_SECRET: required in production (base64 of at least 32 bytes each)',
    ]);
  }
  if (config.dataDir === MEMORY_DATA_DIR) return generateWriteSideSecrets();
  return loadOrCreateEmbeddedSecrets(embeddedSecretsFile(config.dataDir));
}

/** The personal-data vault beside the ledger, and the ledger decorated by it (decrypting reads). */
export interface PersonalDataLedger {
  readonly vault: OpenedVault;
  /** Encrypts personal fields on append, decrypts them on read. */
  readonly ledger: Ledger;
  /**
   * Erasure, export and retention of this process; the read models running here register their
   * participants in `personalData.participants` (as `pti gdpr` does with its own context).
   */
  readonly personalData: PersonalData;
}

/**
 * Opens the vault on the runtime's database, beside the ledger's schema. Every role that appends or
 * reads personal data (write side, sagas, the read API's history and replay) goes through it.
 */
export async function openPersonalDataLedger(runtime: PlatformRuntime): Promise<PersonalDataLedger> {
  const { config } = runtime;
  const vault = await openVault({
    database: { sql: runtime.sql },
    schema:
      config.ledger.kind === 'eventstoredb' ? DEFAULT_VAULT_SCHEMA : vaultSchemaFor(config.ledger.schema),
    masterKey: config.pii.masterKey,
    dataDir: config.dataDir,
    // Embedded mode keeps its own key; a production server must be given one.
    allowGeneratedMasterKey: config.database.kind === 'pglite' || config.env !== 'production',
  });
  const personalData = createPersonalData(runtime.ledger, vault.vault);
  return { vault, ledger: personalData.ledger, personalData };
}

export interface MountOptions {
  /** Create the demo network when the ledger has no centre yet (embedded mode's first start). */
  readonly seedDemo?: boolean;
  /** The process's vault and decorated ledger when already open (shared with the read side); else opened and owned. */
  readonly personal?: PersonalDataLedger;
}

/** The write side's context without its HTTP routes: what the command routes and the sagas use. */
export interface OpenedWriteSide {
  readonly writeSide: WriteSideContext;
  /** The vault-decorated ledger the command handlers append to. */
  readonly ledger: Ledger;
  readonly vault: OpenedVault;
  readonly personalData: PersonalData;
  readonly secrets: WriteSideSecrets;
  close(): Promise<void>;
}

/**
 * Opens the write side: its secrets, the vault, the context over the vault-decorated ledger (so
 * every personal field is encrypted from the first event written), the centre registry loaded from
 * the ledger, the contre-visite index following it, and the demo network on an empty embedded
 * ledger. No route is mounted: the sagas role builds this alone.
 */
export async function openWriteSide(
  runtime: PlatformRuntime,
  identity: Identity,
  options: MountOptions = {},
): Promise<OpenedWriteSide> {
  const secrets = await resolveWriteSideSecrets(runtime.config);
  const owned = options.personal === undefined;
  const { vault, ledger, personalData } = options.personal ?? (await openPersonalDataLedger(runtime));
  const previousInspections = createContreVisiteIndex(ledger, {
    onError: (error) => runtime.logger.error({ err: error }, 'contre-visite index stopped'),
  });
  try {
    const writeSide = createWriteSideContext({ ledger, secrets, previousInspections });
    await writeSide.centres.load();
    if (options.seedDemo === true && identity.mode === 'embedded') {
      // A small network (the three demo centres plus a dozen towns, a few days of bookings) so every
      // screen has something to show on first start; kept small because it runs on embedded PGlite.
      const seeded = await seedSmallNetwork(writeSide, { centres: 12, bookingsPerDay: 6 });
      if (seeded.created) {
        runtime.logger.info(
          { centres: seeded.centres, bookings: seeded.stats?.placed },
          'demo network created',
        );
      }
    }
    runtime.logger.info({ centres: writeSide.centres.size }, 'centre registry loaded');
    previousInspections.start();
    return {
      writeSide,
      ledger,
      vault,
      personalData,
      secrets,
      async close() {
        await previousInspections.stop();
        if (owned) await vault.close();
      },
    };
  } catch (error) {
    if (owned) await vault.close();
    throw error;
  }
}

/** Identity routes: the login route (embedded issuer) or `/auth/me` (OIDC). */
export function mountIdentityRoutes(app: FastifyInstance, identity: Identity): void {
  if (identity.mode === 'embedded') registerEmbeddedLogin(app, identity.issuer);
  else registerMeRoute(app);
}

/** The command API over an opened write side, with the SQL Idempotency-Key store. */
export async function mountWriteSideRoutes(
  app: FastifyInstance,
  runtime: PlatformRuntime,
  opened: OpenedWriteSide,
): Promise<void> {
  await app.register(writeSideRoutes, {
    writeSide: opened.writeSide,
    idempotency: createSqlIdempotencyStore(runtime.sql, runtime.schema),
  });
}

/**
 * Identity routes, then the write side opened and its command routes mounted; closed with the
 * server. The caller has registered `fastifyAuth` and the OpenAPI plugin on `app`.
 */
export async function mountWriteSide(
  app: FastifyInstance,
  runtime: PlatformRuntime,
  identity: Identity,
  options: MountOptions = {},
): Promise<OpenedWriteSide> {
  mountIdentityRoutes(app, identity);
  const opened = await openWriteSide(runtime, identity, options);
  app.addHook('onClose', async () => opened.close());
  await mountWriteSideRoutes(app, runtime, opened);
  return opened;
}
