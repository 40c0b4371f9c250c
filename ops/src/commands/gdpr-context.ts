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
import { openPlatformRuntime } from '../start/platform-runtime.js';

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
  /** Read models taking part in erasure, export and retention (none exist yet). */
  readonly participants?: readonly ErasureParticipant[];
  /** Time source of the vault (tests). */
  readonly clock?: () => Date;
  /** Earlier master keys (base64), accepted while data keys are re-wrapped. */
  readonly previousMasterKeys?: readonly string[];
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
    const personalData = createPersonalData(runtime.ledger, vault.vault, { participants: deps.participants });
    return {
      personalData,
      vault,
      async close() {
        await vault.close();
        await runtime.close();
      },
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}
