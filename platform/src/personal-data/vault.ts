import { createStatementBatcher } from '../ledger/postgres/append-batcher.js';
import { IntegrityError, newDataKey, open, seal } from './aes-gcm.js';
import type { KeyClaim, KeyStore, StoredDataKey, SubjectActivity, SubjectKeyRecord } from './key-store.js';
import { LruCache } from './lru-cache.js';
import type { MasterKey } from './master-key.js';

/**
 * The vault: one AES-256 data key per data subject, kept in a {@link KeyStore} wrapped by the
 * master key, with a bounded cache of unwrapped keys.
 *
 * - A subject's key is created the first time personal data about them is encrypted.
 * - Destroying it (`shred`) is the erasure: every ciphertext made with it becomes unreadable.
 * - Rotating the master key re-wraps the data keys; events are never touched.
 *
 * Cached keys live at most `cache.ttlMs` (default 60 s): that bounds how long another process
 * that had a key cached can still read a subject erased elsewhere. This process evicts at once.
 */
export interface DataKey {
  readonly subjectId: string;
  readonly generation: number;
  readonly key: Buffer;
}

export interface VaultCacheOptions {
  /** Unwrapped keys kept in memory (default 10,000). */
  readonly maxKeys?: number;
  /** How long a cached key is trusted without re-reading the store (default 60,000 ms). */
  readonly ttlMs?: number;
}

export interface VaultOptions {
  readonly store: KeyStore;
  readonly masterKey: MasterKey;
  /** Master keys of earlier rotations: still accepted to unwrap data keys not yet re-wrapped. */
  readonly previousMasterKeys?: readonly MasterKey[];
  readonly cache?: VaultCacheOptions;
  /** Time source for key creation, erasure and activity (tests move it). */
  readonly clock?: () => Date;
}

export interface RotationReport {
  /** Keys now wrapped by the current master key. */
  readonly rewrapped: number;
  /** Keys wrapped by a master key this vault does not hold (left as they are). */
  readonly unknownMasterKey: readonly string[];
}

export interface Vault {
  readonly store: KeyStore;
  readonly masterKeyId: string;
  readonly clock: () => Date;
  /** `clock()` in ms since the epoch, without a Date (the append path's). */
  readonly now: () => number;
  /**
   * The subject's live key; created on first use, or at the next generation after an erasure.
   * `activity` (facts about this subject, from {@link Vault.recordActivity}'s contract) is recorded
   * with the key claim in the same statement when the key is not cached: a new subject costs one
   * round trip, not two. Recorded either way before the promise resolves.
   */
  encryptionKey(subjectId: string, activity?: readonly SubjectActivity[]): Promise<DataKey>;
  /** The subject's live key if this process has it cached (the append fast path), else undefined. */
  cachedEncryptionKey(subjectId: string): DataKey | undefined;
  /**
   * The key of one generation of the subject, or null when it was destroyed (or never stored
   * here). Throws {@link IntegrityError} when the stored key does not unwrap.
   */
  decryptionKey(subjectId: string, generation: number): Promise<DataKey | null>;
  /** Destroys the subject's live key; returns its generation, or null when none was live. */
  shred(subjectId: string): Promise<number | null>;
  /**
   * Records activity (the subject → streams index and the retention clock), once a UTC day per
   * fact (subject, stream, retention kind) per process; null when every fact was already recorded
   * today (nothing to wait for). So an append to a stream already seen today, about a subject whose
   * key is cached, runs no vault SQL at all (the steady state of the append path). The retention
   * clock is precise to a day: a subject's recorded last activity is the first event of their last
   * active day seen by each process, at most 24 h before their true last event (limits are years).
   */
  recordActivity(activity: readonly SubjectActivity[]): Promise<void> | null;
  /**
   * Whether {@link Vault.recordActivity} has nothing to write for this fact at `atMs` (recorded by
   * this process on that UTC day or later): the append path's check, allocating nothing.
   */
  isActivityRecorded(subjectId: string, streamName: string, kind: string, atMs: number): boolean;
  /** Subjects linked to a stream (cached). */
  subjectsOfStream(streamName: string): Promise<readonly string[]>;
  /** The subjects linked to a stream if this process has them cached, else undefined. */
  cachedSubjectsOfStream(streamName: string): readonly string[] | undefined;
  /** Re-wraps every live data key under the current master key. */
  rotateMasterKey(options?: {
    readonly batchSize?: number;
    readonly onProgress?: (rewrapped: number) => void;
  }): Promise<RotationReport>;
  /** Drops every cached key (tests; after a master key change). */
  clearCache(): void;
}

export class VaultKeyError extends Error {
  override readonly name = 'VaultKeyError';
  readonly code = 'vault_key';
}

type CachedKey =
  | { readonly status: 'live'; readonly key: DataKey }
  | { readonly status: 'erased'; readonly generation: number };

const DAY_MS = 86_400_000;

function wrapAad(subjectId: string, generation: number): Buffer {
  return Buffer.from(`pti-vault:v1:${subjectId}:${generation}`, 'utf8');
}

export function createVault(options: VaultOptions): Vault {
  const { store, masterKey } = options;
  const clock = options.clock ?? (() => new Date());
  const optionsClock = options.clock;
  const now = optionsClock ? () => optionsClock().getTime() : Date.now;
  const masters = new Map<string, MasterKey>([[masterKey.id, masterKey]]);
  for (const previous of options.previousMasterKeys ?? [])
    if (!masters.has(previous.id)) masters.set(previous.id, previous);
  const maxKeys = options.cache?.maxKeys ?? 10_000;
  const ttlMs = options.cache?.ttlMs ?? 60_000;
  const keys = new LruCache<string, CachedKey>(maxKeys, ttlMs);
  const streamSubjects = new LruCache<string, readonly string[]>(maxKeys, ttlMs);
  // Days of the activity facts recorded, by stream, then subject, then retention kind: nested maps
  // rather than one key per fact, so the append path builds no key string (the names are hashed once).
  const recorded = new LruCache<string, Map<string, Map<string, number>>>(maxKeys * 4);
  const loading = new Map<string, Promise<CachedKey | null>>();
  // Bumped by every shred: a read that started before it must not cache what it found.
  let epoch = 0;
  // First-key claims of new subjects: one store statement at a time; claims arriving meanwhile go
  // together in the next (one round trip and one commit for many new customers, as appends do).
  const claims = createStatementBatcher<KeyClaim, SubjectKeyRecord | null>({
    maxInFlight: 1,
    maxBatch: 64,
    exclusiveKey: (claim) => claim.key.subjectId,
    alone: (claim) => store.claim(claim.key, clock(), claim.activity),
    together: (batch) => store.claimMany(batch, clock()),
  });

  const unwrap = (stored: StoredDataKey): DataKey => {
    const master = masters.get(stored.masterKeyId);
    if (!master) {
      throw new VaultKeyError(
        `the data key of subject ${stored.subjectId} is wrapped by master key ${stored.masterKeyId}, which this vault does not hold (current: ${masterKey.id}); configure that key as a previous master key`,
      );
    }
    const key = open(
      master.key,
      Buffer.from(stored.wrappedKey, 'base64'),
      wrapAad(stored.subjectId, stored.generation),
      `data key of subject ${stored.subjectId} (generation ${stored.generation})`,
    );
    return { subjectId: stored.subjectId, generation: stored.generation, key };
  };

  const wrap = (subjectId: string, generation: number, key: Buffer): StoredDataKey => ({
    subjectId,
    generation,
    masterKeyId: masterKey.id,
    wrappedKey: seal(masterKey.key, key, wrapAad(subjectId, generation)).toString('base64'),
  });

  /** Reads the subject's record into the cache; one store read at a time per subject. */
  const load = (subjectId: string): Promise<CachedKey | null> => {
    let pending = loading.get(subjectId);
    if (!pending) {
      pending = (async () => {
        const started = epoch;
        const record = await store.read(subjectId);
        if (record === null) return null;
        const entry: CachedKey =
          record.status === 'live'
            ? { status: 'live', key: unwrap(record.key) }
            : { status: 'erased', generation: record.generation };
        if (started === epoch) keys.set(subjectId, entry);
        return entry;
      })().finally(() => loading.delete(subjectId));
      loading.set(subjectId, pending);
    }
    return pending;
  };

  async function encryptionKey(
    subjectId: string,
    activity: readonly SubjectActivity[] = [],
  ): Promise<DataKey> {
    const cached = keys.get(subjectId);
    let unrecorded = freshActivity(activity);
    if (cached?.status === 'live') {
      if (unrecorded) await writeActivity(unrecorded);
      return cached.key;
    }
    if (cached === undefined) {
      // Unknown here: offer a first key and get whatever is stored, with the activity, in one round trip.
      const fresh = newDataKey();
      const candidate = wrap(subjectId, 1, fresh);
      const started = epoch;
      const record = await claims.run({ key: candidate, activity: unrecorded?.map((f) => f.entry) });
      if (unrecorded) markRecorded(unrecorded);
      unrecorded = undefined;
      if (record?.status === 'live') {
        const key: DataKey =
          record.key.wrappedKey === candidate.wrappedKey
            ? { subjectId, generation: 1, key: fresh }
            : unwrap(record.key);
        if (started === epoch) keys.set(subjectId, { status: 'live', key });
        return key;
      }
    }
    if (unrecorded) await writeActivity(unrecorded);
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await load(subjectId);
      if (current?.status === 'live') return current.key;
      const generation = current === null ? 1 : current.generation + 1;
      const fresh = newDataKey();
      const started = epoch;
      if (await store.insert(wrap(subjectId, generation, fresh), clock())) {
        const key: DataKey = { subjectId, generation, key: fresh };
        if (started === epoch) keys.set(subjectId, { status: 'live', key });
        return key;
      }
      // Another writer stored a key first: read theirs.
    }
    throw new VaultKeyError(`could not obtain a data key for subject ${subjectId}: the store keeps changing`);
  }

  async function decryptionKey(subjectId: string, generation: number): Promise<DataKey | null> {
    const verdict = (entry: CachedKey | null | undefined): DataKey | null | undefined => {
      if (entry === undefined) return undefined;
      if (entry === null) return null;
      if (entry.status === 'erased') return generation <= entry.generation ? null : undefined;
      if (entry.key.generation === generation) return entry.key;
      return generation < entry.key.generation ? null : undefined;
    };
    const fromCache = verdict(keys.get(subjectId));
    if (fromCache !== undefined) return fromCache;
    const loaded = await load(subjectId);
    const fromStore = verdict(loaded);
    if (fromStore !== undefined) return fromStore;
    throw new IntegrityError(
      `ciphertext of subject ${subjectId} names key generation ${generation}, which this vault never issued`,
    );
  }

  async function shred(subjectId: string): Promise<number | null> {
    epoch++;
    loading.delete(subjectId);
    const generation = await store.destroy(subjectId, clock());
    keys.delete(subjectId);
    if (generation !== null) keys.set(subjectId, { status: 'erased', generation });
    return generation;
  }

  const isActivityRecorded = (subjectId: string, streamName: string, kind: string, atMs: number) => {
    const last = recorded.get(streamName)?.get(subjectId)?.get(kind);
    return last !== undefined && last >= Math.floor(atMs / DAY_MS);
  };

  type FreshActivity = readonly { entry: SubjectActivity; day: number }[];

  /** The facts not recorded yet today, undefined when none. */
  function freshActivity(activity: readonly SubjectActivity[]): FreshActivity | undefined {
    let fresh: { entry: SubjectActivity; day: number }[] | undefined;
    for (const entry of activity) {
      const atMs = entry.at.getTime();
      if (isActivityRecorded(entry.subjectId, entry.streamName, entry.kind, atMs)) continue;
      const day = Math.floor(atMs / DAY_MS);
      if (fresh) fresh.push({ entry, day });
      else fresh = [{ entry, day }];
    }
    return fresh;
  }

  function recordActivity(activity: readonly SubjectActivity[]): Promise<void> | null {
    const fresh = freshActivity(activity);
    return fresh === undefined ? null : writeActivity(fresh);
  }

  async function writeActivity(fresh: FreshActivity) {
    await store.recordActivity(fresh.map((f) => f.entry));
    markRecorded(fresh);
  }

  /** Notes facts as written (after the store wrote them). */
  function markRecorded(fresh: FreshActivity) {
    for (const { entry, day } of fresh) {
      let subjects = recorded.get(entry.streamName);
      if (subjects === undefined) {
        subjects = new Map();
        recorded.set(entry.streamName, subjects);
      }
      let kinds = subjects.get(entry.subjectId);
      if (kinds === undefined) {
        kinds = new Map();
        subjects.set(entry.subjectId, kinds);
      }
      kinds.set(entry.kind, Math.max(day, kinds.get(entry.kind) ?? day));
      const known = streamSubjects.get(entry.streamName);
      if (known && !known.includes(entry.subjectId))
        streamSubjects.set(entry.streamName, [...known, entry.subjectId].sort());
    }
  }

  async function subjectsOfStream(streamName: string): Promise<readonly string[]> {
    const cached = streamSubjects.get(streamName);
    if (cached) return cached;
    const subjects = await store.subjectsOfStream(streamName);
    streamSubjects.set(streamName, subjects);
    return subjects;
  }

  async function rotateMasterKey(
    rotation: { readonly batchSize?: number; readonly onProgress?: (rewrapped: number) => void } = {},
  ): Promise<RotationReport> {
    const limit = rotation.batchSize ?? 500;
    let rewrapped = 0;
    const unknown = new Set<string>();
    let after: string | undefined;
    for (;;) {
      const page = await store.listWrappedByOther(masterKey.id, { after, limit });
      for (const stored of page) {
        if (!masters.has(stored.masterKeyId)) {
          unknown.add(stored.masterKeyId);
          continue;
        }
        const { key } = unwrap(stored);
        const next = wrap(stored.subjectId, stored.generation, key);
        // A key destroyed or re-wrapped meanwhile is left as it now is.
        if (await store.rewrap(stored, { masterKeyId: next.masterKeyId, wrappedKey: next.wrappedKey }))
          rewrapped++;
      }
      rotation.onProgress?.(rewrapped);
      const last = page[page.length - 1];
      if (!last || page.length < limit) break;
      after = last.subjectId;
    }
    return { rewrapped, unknownMasterKey: [...unknown].sort() };
  }

  return {
    store,
    masterKeyId: masterKey.id,
    clock,
    now,
    encryptionKey,
    cachedEncryptionKey: (subjectId) => {
      const cached = keys.get(subjectId);
      return cached?.status === 'live' ? cached.key : undefined;
    },
    decryptionKey,
    shred,
    recordActivity,
    isActivityRecorded,
    subjectsOfStream,
    cachedSubjectsOfStream: (streamName) => streamSubjects.get(streamName),
    rotateMasterKey,
    clearCache: () => {
      keys.clear();
      streamSubjects.clear();
      recorded.clear();
    },
  };
}
