import type { MigrationReport } from '../ledger/postgres/migrations.js';

/**
 * Where the vault keeps what it must hold outside the ledger: one wrapped data key per data
 * subject, the subject → streams index (for access exports) and the subject's last activity per
 * retention kind. Two adapters pass one contract suite (`key-store-contract.ts`): SQL
 * (`sql-key-store.ts`, PostgreSQL and PGlite) and in-memory (`memory-key-store.ts`).
 *
 * Generations: a subject's first key is generation 1. Destroying it leaves a tombstone (the
 * generation, no key). If personal data about the subject arrives afterwards, a new key is
 * stored at the next generation; ciphertexts name their generation, so older ones stay erased.
 */

export interface StoredDataKey {
  readonly subjectId: string;
  readonly generation: number;
  /** Id (fingerprint) of the master key that wrapped this data key. */
  readonly masterKeyId: string;
  /** base64 of `iv | encrypted data key | tag` (AES-256-GCM under the master key). */
  readonly wrappedKey: string;
}

export type SubjectKeyRecord =
  | { readonly status: 'live'; readonly key: StoredDataKey }
  | {
      readonly status: 'erased';
      readonly subjectId: string;
      /** The generation destroyed last. */
      readonly generation: number;
      readonly erasedAt: Date;
    };

/** One fact for the index and the retention clock: the subject was concerned by an event of `stream`. */
export interface SubjectActivity {
  readonly subjectId: string;
  readonly streamName: string;
  /** Retention kind of the event (`booking`, `payment`, ...). */
  readonly kind: string;
  readonly at: Date;
}

/** A first key offered for a subject, with activity to record in the same statement. */
export interface KeyClaim {
  readonly key: StoredDataKey;
  readonly activity?: readonly SubjectActivity[];
}

export interface SubjectLastActivity {
  readonly subjectId: string;
  /** Latest activity per retention kind, precise to a day (the vault records a fact once a day). */
  readonly lastActivity: Readonly<Record<string, Date>>;
}

export interface KeyPage {
  /** Exclusive: subject ids strictly after this one. */
  readonly after?: string;
  readonly limit?: number;
}

export interface KeyStore {
  readonly kind: 'sql' | 'memory';
  /** Creates or upgrades the store's tables (null when there is nothing to migrate). */
  migrate(): Promise<MigrationReport | null>;
  /** The subject's key or tombstone; null when the subject never had a key. */
  read(subjectId: string): Promise<SubjectKeyRecord | null>;
  /**
   * Stores `key` if the subject is where that generation follows: no record for generation 1, a
   * tombstone of generation - 1 otherwise. False when another writer got there first (read again).
   */
  insert(key: StoredDataKey, at: Date): Promise<boolean>;
  /**
   * Stores `key` (generation 1) unless the subject has a record, and returns the record stored now:
   * `key` itself, or the key or tombstone already there. One round trip for the usual first use.
   * Null when a concurrent writer's record is not visible yet (read again). `activity`, when given,
   * is recorded as by {@link KeyStore.recordActivity} in the same statement, whatever the outcome
   * (a new subject's first append then costs one round trip).
   */
  claim(
    key: StoredDataKey,
    at: Date,
    activity?: readonly SubjectActivity[],
  ): Promise<SubjectKeyRecord | null>;
  /**
   * {@link KeyStore.claim} for several subjects (distinct) in one statement: one round trip and one
   * commit for the first appends of many new subjects at once. Results in the order of `claims`.
   */
  claimMany(claims: readonly KeyClaim[], at: Date): Promise<readonly (SubjectKeyRecord | null)[]>;
  /** Deletes the subject's live key, leaving a tombstone; returns its generation, or null when none was live. */
  destroy(subjectId: string, at: Date): Promise<number | null>;
  /** Live keys wrapped by another master key than `masterKeyId`, by subject id. */
  listWrappedByOther(masterKeyId: string, page: KeyPage): Promise<readonly StoredDataKey[]>;
  /** Replaces the wrapping of `current` if it is still stored as is; false otherwise. */
  rewrap(
    current: StoredDataKey,
    next: { readonly masterKeyId: string; readonly wrappedKey: string },
  ): Promise<boolean>;
  /** Links subjects to streams and moves their last activity per kind forward (never back). */
  recordActivity(activity: readonly SubjectActivity[]): Promise<void>;
  /** Streams holding events about the subject, sorted. */
  streamsOf(subjectId: string): Promise<readonly string[]>;
  /** Subjects linked to a stream, sorted. */
  subjectsOfStream(streamName: string): Promise<readonly string[]>;
  lastActivity(subjectId: string): Promise<Readonly<Record<string, Date>>>;
  /**
   * Subjects holding a live key whose every activity kind has a cutoff in `cutoffs` and a last
   * activity strictly before it, by subject id. A kind without a cutoff keeps the subject.
   */
  findExpired(
    cutoffs: Readonly<Record<string, Date>>,
    page?: KeyPage,
  ): Promise<readonly SubjectLastActivity[]>;
  close(): Promise<void>;
}
