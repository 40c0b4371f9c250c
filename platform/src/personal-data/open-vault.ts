import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { createPgPool, pgExecutor } from '../database/pg.js';
import { pgliteExecutor } from '../database/pglite.js';
import type { TransactionalSqlExecutor } from '../database/sql-executor.js';
import type { Ledger } from '../ledger/ledger-port.js';
import type { MigrationReport } from '../ledger/postgres/migrations.js';
import {
  createErasureRegistry,
  type EraseOptions,
  type ErasureParticipant,
  type ErasureRegistry,
  type ErasureReport,
  eraseSubject,
  type PersonalDataServices,
} from './erasure.js';
import type { KeyStore } from './key-store.js';
import { masterKeyFromBase64, type ResolvedMasterKey, resolveMasterKey } from './master-key.js';
import { type PersonalDataCodecOptions, withPersonalData } from './personal-data-codec.js';
import { applyRetention, type RetentionOptions, type RetentionReport } from './retention.js';
import { createSqlKeyStore } from './sql-key-store.js';
import { exportSubject, type SubjectExport } from './subject-export.js';
import { createVault, type Vault, type VaultCacheOptions } from './vault.js';

export const DEFAULT_VAULT_SCHEMA = 'pti_vault';

/** The vault schema beside a ledger schema: `<ledger schema>_vault` (`pti` → `pti_vault`). */
export function vaultSchemaFor(ledgerSchema: string): string {
  const schema = `${ledgerSchema}_vault`;
  if (schema.length > 63)
    throw new RangeError(`ledger schema ${ledgerSchema} is too long to derive a vault schema`);
  return schema;
}

/**
 * Where the keys live. Give exactly one: the process's `Database` (from `createDatabase`), its
 * PGlite or pg pool (shared, left open), or a connection string (a small pool the vault owns).
 */
export type VaultStoreTarget =
  | { readonly database: { readonly sql: TransactionalSqlExecutor } }
  | { readonly pglite: PGlite }
  | { readonly pool: pg.Pool }
  | { readonly connectionString: string };

export type OpenVaultOptions = VaultStoreTarget & {
  /** Schema of the key tables (default `pti_vault`); created by the migration. */
  readonly schema?: string;
  /** `config.pii.masterKey` (base64 of 32 bytes) or null/undefined for the embedded key. */
  readonly masterKey?: string | null;
  /** Base64 master keys of earlier rotations, accepted to unwrap keys not yet re-wrapped. */
  readonly previousMasterKeys?: readonly string[];
  /** `config.dataDir`: where the embedded master key is kept when `masterKey` is unset. */
  readonly dataDir: string;
  /** Whether a master key may be generated when unset (default true; pass false in production). */
  readonly allowGeneratedMasterKey?: boolean;
  readonly cache?: VaultCacheOptions;
  readonly clock?: () => Date;
  /** Run the key store's migration now (default true). */
  readonly migrate?: boolean;
};

export interface OpenedVault {
  readonly vault: Vault;
  readonly store: KeyStore;
  readonly masterKey: Omit<ResolvedMasterKey, 'masterKey'> & { readonly id: string };
  readonly migration: MigrationReport | null;
  /** Ends the pool when the vault opened one; a shared pool, PGlite or database stays open. */
  close(): Promise<void>;
}

/**
 * Opens the vault on PostgreSQL or PGlite: resolves the master key (configured, or embedded in
 * `<dataDir>/pii-master.key`), migrates the key tables, and returns the vault. The composition
 * root then decorates its ledger: `withPersonalData(ledger, opened.vault)`.
 */
export async function openVault(options: OpenVaultOptions): Promise<OpenedVault> {
  const resolved = await resolveMasterKey({
    masterKey: options.masterKey,
    dataDir: options.dataDir,
    allowGenerated: options.allowGeneratedMasterKey,
  });
  let sql: TransactionalSqlExecutor;
  let close = async () => {};
  if ('database' in options) sql = options.database.sql;
  else if ('pglite' in options) sql = pgliteExecutor(options.pglite);
  else if ('pool' in options) sql = pgExecutor(options.pool);
  else {
    const pool = createPgPool({ url: options.connectionString, max: 4, applicationName: 'pti-vault' });
    sql = pgExecutor(pool);
    close = () => pool.end();
  }
  const store = createSqlKeyStore({ sql, schema: options.schema ?? DEFAULT_VAULT_SCHEMA, close });
  const migration = options.migrate === false ? null : await store.migrate();
  const vault = createVault({
    store,
    masterKey: resolved.masterKey,
    previousMasterKeys: (options.previousMasterKeys ?? []).map(masterKeyFromBase64),
    cache: options.cache,
    clock: options.clock,
  });
  const { masterKey, ...source } = resolved;
  return { vault, store, masterKey: { ...source, id: masterKey.id }, migration, close: () => store.close() };
}

/** Erasure, access export and retention bound to one ledger, vault and participant registry. */
export interface PersonalData {
  /** The ledger with personal fields encrypted on append and decrypted on read. */
  readonly ledger: Ledger;
  readonly vault: Vault;
  readonly participants: ErasureRegistry;
  /** `eraseSubject`: the staff route (admin_reseau) and `pti gdpr erase` call this. */
  erase(subjectId: string, options: EraseOptions): Promise<ErasureReport>;
  /** `exportSubject`: the staff route and `pti gdpr export` call this. */
  export(subjectId: string): Promise<SubjectExport>;
  /** `applyRetention`: `pti gdpr retention [--dry-run]`. */
  retention(options: RetentionOptions): Promise<RetentionReport>;
}

/**
 * Binds the personal-data services: `ledger` is the adapter's ledger (undecorated); the result's
 * `ledger` is the one every writer and reader of the process should use.
 */
export function createPersonalData(
  ledger: Ledger,
  vault: Vault,
  options: PersonalDataCodecOptions & { readonly participants?: readonly ErasureParticipant[] } = {},
): PersonalData {
  const decorated = withPersonalData(ledger, vault, options);
  const participants = createErasureRegistry(options.participants ?? []);
  const services: PersonalDataServices = { ledger: decorated, vault, participants };
  return {
    ledger: decorated,
    vault,
    participants,
    erase: (subjectId, eraseOptions) => eraseSubject(services, subjectId, eraseOptions),
    export: (subjectId) => exportSubject(services, subjectId),
    retention: (retentionOptions) => applyRetention(services, retentionOptions),
  };
}
