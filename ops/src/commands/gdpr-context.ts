import {
  type AppConfig,
  createPersonalData,
  DEFAULT_VAULT_SCHEMA,
  type ErasureParticipant,
  type OpenedVault,
  openVault,
  type PersonalData,
  type VaultStoreTarget,
  vaultSchemaFor,
} from '@pti/platform';
import type { ProjectionLayout } from '@pti/projections';
import { sagasErasureParticipant } from '@pti/sagas';
import { openPlatformRuntime } from '../start/platform-runtime.js';
import { offlineErasureParticipants, openReadModelStores } from '../start/read-side-composition.js';
import { sagasSchemaOf } from '../start/sagas-composition.js';

/**
 * What the `pti gdpr` commands work on: the configured ledger, decorated with the vault opened
 * beside it (PGlite in the data directory, or DATABASE_URL), and the read models' erasure
 * participants. In embedded mode the data directory is opened by this process, so these commands
 * run while `pti start` is stopped; a running platform serves the same functions on its staff
 * routes.
 */
export interface GdprContext {
  readonly personalData: PersonalData;
  readonly vault: OpenedVault;
  close(): Promise<void>;
}

export interface GdprDependencies {
  /** Default: `loadConfig()` from the environment. */
  readonly config?: AppConfig;
  /**
   * Holders of personal data taking part in erasure, export and retention. Default: the read
   * models (the same participants the running platform registers).
   */
  readonly participants?: readonly ErasureParticipant[];
  /** Time source of the vault (tests). */
  readonly clock?: () => Date;
  /** Earlier master keys (base64), accepted while data keys are re-wrapped. */
  readonly previousMasterKeys?: readonly string[];
  /** Where the read models live (a namespaced layout in tests); default `projectionLayout()`. */
  readonly layout?: ProjectionLayout;
}

export async function openGdprContext(config: AppConfig, deps: GdprDependencies = {}): Promise<GdprContext> {
  const runtime = await openPlatformRuntime(config, { migrate: true });
  try {
    let target: VaultStoreTarget;
    if (runtime.pglite) target = { pglite: runtime.pglite };
    else if (config.database.kind === 'postgres') target = { connectionString: config.database.url };
    else throw new Error('no database for the personal-data vault');
    const vault = await openVault({
      ...target,
      schema:
        config.ledger.kind === 'eventstoredb' ? DEFAULT_VAULT_SCHEMA : vaultSchemaFor(config.ledger.schema),
      masterKey: config.pii.masterKey,
      previousMasterKeys: deps.previousMasterKeys,
      dataDir: config.dataDir,
      // Embedded mode keeps its own key; a production server must be given one.
      allowGeneratedMasterKey: config.database.kind === 'pglite' || config.env !== 'production',
      clock: deps.clock,
    });
    const stores =
      deps.participants === undefined
        ? await openReadModelStores(runtime, { layout: deps.layout })
        : undefined;
    // The read models and the sagas' own tables (payments, outbox): the same participants as a
    // running platform registers.
    const participants =
      deps.participants ??
      (stores === undefined
        ? []
        : [
            ...offlineErasureParticipants(runtime.ledger, stores),
            sagasErasureParticipant(runtime.sql, sagasSchemaOf(runtime)),
          ]);
    const personalData = createPersonalData(runtime.ledger, vault.vault, { participants });
    return {
      personalData,
      vault,
      async close() {
        await stores?.close();
        await vault.close();
        await runtime.close();
      },
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}
