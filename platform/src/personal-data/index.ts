/**
 * Personal data (issue 3; DESIGN.md §5, last paragraph): crypto-shredding vault, erasure, access
 * export and retention.
 *
 * Wiring (composition root):
 *
 * ```ts
 * const opened = await openVault({ pglite | pool | database | connectionString,
 *   schema: vaultSchemaFor(config.ledger.schema), masterKey: config.pii.masterKey, dataDir: config.dataDir });
 * const personalData = createPersonalData(ledger, opened.vault, { participants });
 * // every writer and reader of the process uses personalData.ledger (encrypts on append, decrypts on read)
 * ```
 *
 * Staff routes (admin_reseau), mounted by the command API:
 * - `POST /api/v1/gdpr/subjects/:subjectId/erasure` → `personalData.erase(subjectId,
 *   { actor: toActor(principal), tenantId: principal.tenantId })`, 200 with the `ErasureReport`;
 *   `ErasureIncompleteError` (its `report` attached) is a 502/503 to retry; `InvalidSubjectIdError` a 400.
 * - `GET /api/v1/gdpr/subjects/:subjectId` → `personalData.export(subjectId)` (a `SubjectExport`).
 * The CLI (`pti gdpr erase|export|retention|rotate-master-key`) calls the same functions.
 */
export { IntegrityError } from './aes-gcm.js';
export * from './erasure.js';
export type * from './key-store.js';
export * from './master-key.js';
export { createMemoryKeyStore } from './memory-key-store.js';
export * from './open-vault.js';
export {
  CIPHERTEXT_PREFIX,
  CIPHERTEXT_V1_PREFIX,
  CIPHERTEXT_V2_PREFIX,
  CIPHERTEXT_V2_REFERENCE,
  type Ciphertext,
  createPersonalDataCodec,
  type DecodeOptions,
  type EnvelopeReference,
  ERASED,
  type ErasedValue,
  isCiphertext,
  isErased,
  type ParsedCiphertext,
  type PersonalDataCodec,
  type PersonalDataCodecOptions,
  PersonalDataError,
  type PersonalDataErrorCode,
  parseCiphertext,
  parseReferenceOrCiphertext,
  WITHHELD,
  withoutPersonalData,
  withPersonalData,
} from './personal-data-codec.js';
export * from './retention.js';
export * from './retention-policy.js';
export {
  createSqlKeyStore,
  type SqlKeyStoreOptions,
  VAULT_COMPONENT,
  vaultMigrations,
} from './sql-key-store.js';
export * from './subject-export.js';
export * from './vault.js';
