import type {
  KeyPage,
  KeyStore,
  StoredDataKey,
  SubjectActivity,
  SubjectKeyRecord,
  SubjectLastActivity,
} from './key-store.js';

/** The key store in process memory: tests, and tools that need no persistence. */
export function createMemoryKeyStore(): KeyStore {
  const records = new Map<string, SubjectKeyRecord>();
  const streamsBySubject = new Map<string, Set<string>>();
  const subjectsByStream = new Map<string, Set<string>>();
  const activity = new Map<string, Map<string, Date>>();

  const link = (index: Map<string, Set<string>>, from: string, to: string) => {
    let set = index.get(from);
    if (!set) {
      set = new Set();
      index.set(from, set);
    }
    set.add(to);
  };
  const sorted = (set: Set<string> | undefined) => [...(set ?? [])].sort();
  const page = <T>(items: T[], idOf: (item: T) => string, { after, limit }: KeyPage = {}) => {
    const rest = items
      .filter((item) => after === undefined || idOf(item) > after)
      .sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
    return limit === undefined ? rest : rest.slice(0, limit);
  };

  const recordActivity = (entries: readonly SubjectActivity[]) => {
    for (const entry of entries) {
      link(streamsBySubject, entry.subjectId, entry.streamName);
      link(subjectsByStream, entry.streamName, entry.subjectId);
      let kinds = activity.get(entry.subjectId);
      if (!kinds) {
        kinds = new Map();
        activity.set(entry.subjectId, kinds);
      }
      const last = kinds.get(entry.kind);
      if (last === undefined || last < entry.at) kinds.set(entry.kind, entry.at);
    }
  };

  const claim = (key: StoredDataKey, claimActivity: readonly SubjectActivity[]): SubjectKeyRecord => {
    recordActivity(claimActivity);
    const current = records.get(key.subjectId);
    if (current) return current;
    const record: SubjectKeyRecord = { status: 'live', key: { ...key, generation: 1 } };
    records.set(key.subjectId, record);
    return record;
  };

  return {
    kind: 'memory',
    migrate: async () => null,
    read: async (subjectId) => records.get(subjectId) ?? null,
    async insert(key) {
      const current = records.get(key.subjectId);
      const fits =
        key.generation === 1
          ? current === undefined
          : current?.status === 'erased' && current.generation === key.generation - 1;
      if (!fits) return false;
      records.set(key.subjectId, { status: 'live', key: { ...key } });
      return true;
    },
    claim: async (key, _at, claimActivity = []) => claim(key, claimActivity),
    claimMany: async (claims) => claims.map((c) => claim(c.key, c.activity ?? [])),
    async destroy(subjectId, at) {
      const current = records.get(subjectId);
      if (current?.status !== 'live') return null;
      records.set(subjectId, {
        status: 'erased',
        subjectId,
        generation: current.key.generation,
        erasedAt: at,
      });
      return current.key.generation;
    },
    async listWrappedByOther(masterKeyId, keyPage) {
      const live: StoredDataKey[] = [];
      for (const record of records.values()) {
        if (record.status === 'live' && record.key.masterKeyId !== masterKeyId) live.push(record.key);
      }
      return page(live, (key) => key.subjectId, keyPage);
    },
    async rewrap(current, next) {
      const record = records.get(current.subjectId);
      if (
        record?.status !== 'live' ||
        record.key.generation !== current.generation ||
        record.key.masterKeyId !== current.masterKeyId ||
        record.key.wrappedKey !== current.wrappedKey
      ) {
        return false;
      }
      records.set(current.subjectId, { status: 'live', key: { ...current, ...next } });
      return true;
    },
    recordActivity: async (entries: readonly SubjectActivity[]) => recordActivity(entries),
    streamsOf: async (subjectId) => sorted(streamsBySubject.get(subjectId)),
    subjectsOfStream: async (streamName) => sorted(subjectsByStream.get(streamName)),
    lastActivity: async (subjectId) => Object.fromEntries(activity.get(subjectId) ?? []),
    async findExpired(cutoffs, keyPage) {
      const expired: SubjectLastActivity[] = [];
      for (const [subjectId, kinds] of activity) {
        if (records.get(subjectId)?.status !== 'live' || kinds.size === 0) continue;
        const past = [...kinds].every(([kind, at]) => {
          const cutoff = cutoffs[kind];
          return cutoff !== undefined && at < cutoff;
        });
        if (past) expired.push({ subjectId, lastActivity: Object.fromEntries(kinds) });
      }
      return page(expired, (entry) => entry.subjectId, keyPage);
    },
    close: async () => {},
  };
}
