import type { TransactionalSqlExecutor } from '../database/sql-executor.js';
import { assertSchemaName } from '../ledger/postgres/ledger-sql.js';
import { type Migration, runMigrations, type TransactionRunner } from '../ledger/postgres/migrations.js';
import type {
  KeyClaim,
  KeyStore,
  StoredDataKey,
  SubjectActivity,
  SubjectKeyRecord,
  SubjectLastActivity,
} from './key-store.js';

/**
 * The key store in PostgreSQL or PGlite, through the platform's raw SQL executor. Its tables live
 * in their own schema (default `pti_vault`, see `open-vault.ts`), so that database roles reading
 * the ledger or the read models can be denied the keys:
 *
 * - `vault_keys`: one row per subject — its current generation and, while live, the wrapped key
 *   and the id of the master key that wrapped it; erasure nulls both and sets `erased_at`.
 * - `vault_subject_streams`: subject ↔ stream links (access exports read only those streams).
 * - `vault_subject_activity`: last activity per subject and retention kind.
 *
 * None holds personal data: ids, dates and wrapped keys only. Every value is cast in SQL so the
 * pg and PGlite type mappings do not matter; ids use the "C" collation so they sort by code point
 * (as the in-memory store and the paging cursors do) whatever the database's locale.
 */

export const VAULT_COMPONENT = 'vault';

export function vaultMigrations(schema: string): readonly Migration[] {
  const s = assertSchemaName(schema);
  return [
    {
      version: 1,
      name: 'vault keys, subject streams and activity',
      sql: `
CREATE TABLE ${s}.vault_keys (
  subject_id text COLLATE "C" PRIMARY KEY,
  generation int NOT NULL CHECK (generation >= 1),
  master_key_id text,
  wrapped_key text,
  created_at timestamptz NOT NULL,
  erased_at timestamptz,
  CHECK ((wrapped_key IS NULL) = (master_key_id IS NULL)),
  CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
);
CREATE INDEX vault_keys_master_key_idx ON ${s}.vault_keys (master_key_id, subject_id) WHERE wrapped_key IS NOT NULL;

CREATE TABLE ${s}.vault_subject_streams (
  subject_id text COLLATE "C" NOT NULL,
  stream_name text COLLATE "C" NOT NULL,
  PRIMARY KEY (subject_id, stream_name)
);
CREATE INDEX vault_subject_streams_stream_idx ON ${s}.vault_subject_streams (stream_name);

CREATE TABLE ${s}.vault_subject_activity (
  subject_id text COLLATE "C" NOT NULL,
  kind text COLLATE "C" NOT NULL,
  last_activity_at timestamptz NOT NULL,
  PRIMARY KEY (subject_id, kind)
);
`,
    },
  ];
}

/**
 * A migration runner over the SQL executor: statements that start with SELECT go through `query`
 * (their rows are returned), scripts through `exec` (several statements; PGlite's `query` takes one).
 */
export function executorTransactionRunner(sql: TransactionalSqlExecutor): TransactionRunner {
  return (work) =>
    sql.transaction((tx) =>
      work(async (text) => {
        if (/^\s*select\b/i.test(text)) return (await tx.query(text)).rows;
        await tx.exec(text);
        return [];
      }),
    );
}

interface KeyRow {
  subject_id: string;
  generation: number;
  master_key_id: string | null;
  wrapped_key: string | null;
  erased_at: Date | string | null;
}

const asDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

function toRecord(row: KeyRow): SubjectKeyRecord {
  if (row.wrapped_key !== null && row.master_key_id !== null) {
    return {
      status: 'live',
      key: {
        subjectId: row.subject_id,
        generation: row.generation,
        masterKeyId: row.master_key_id,
        wrappedKey: row.wrapped_key,
      },
    };
  }
  return {
    status: 'erased',
    subjectId: row.subject_id,
    generation: row.generation,
    erasedAt: asDate(row.erased_at ?? new Date(0)),
  };
}

const activityJson = (activity: readonly SubjectActivity[]): string =>
  JSON.stringify(
    activity.map((a) => ({
      subject_id: a.subjectId,
      stream_name: a.streamName,
      kind: a.kind,
      at: a.at.toISOString(),
    })),
  );

export interface SqlKeyStoreOptions {
  readonly sql: TransactionalSqlExecutor;
  readonly schema: string;
  /** Closes what the store owns (a pool or PGlite it opened); nothing by default. */
  readonly close?: () => Promise<void>;
}

export function createSqlKeyStore(options: SqlKeyStoreOptions): KeyStore {
  const s = assertSchemaName(options.schema);
  const { sql } = options;
  const keyColumns = 'subject_id, generation::int AS generation, master_key_id, wrapped_key, erased_at';

  /**
   * Common table expressions recording `param` (the JSON of {@link activityJson}): subject ↔ stream
   * links, and the last activity per subject and kind moved forward only. Rows are written in key
   * order, so concurrent writers lock them in the same order.
   */
  const activityCtes = (param: string) => `activity_input AS (
           SELECT * FROM jsonb_to_recordset(${param}::jsonb) AS x(subject_id text, stream_name text, kind text, at timestamptz)
         ), activity_links AS (
           INSERT INTO ${s}.vault_subject_streams (subject_id, stream_name)
           SELECT DISTINCT subject_id, stream_name FROM activity_input ORDER BY 1, 2
           ON CONFLICT DO NOTHING
         ), activity_last AS (
           INSERT INTO ${s}.vault_subject_activity AS a (subject_id, kind, last_activity_at)
           SELECT subject_id, kind, max(at) FROM activity_input GROUP BY subject_id, kind ORDER BY 1, 2
           ON CONFLICT (subject_id, kind) DO UPDATE SET last_activity_at = excluded.last_activity_at
            WHERE a.last_activity_at < excluded.last_activity_at
         )`;

  /**
   * Inserts the generation-1 keys of subjects that have no record (in subject order, so concurrent
   * writers lock in the same order) and returns, per claim, the key inserted or the record already
   * there. That record is read as of the statement's start: a row another writer committed meanwhile
   * makes the INSERT do nothing and stays invisible (no row: null, read again). The activity's
   * data-modifying CTEs run whatever the outcome (PostgreSQL runs each one once).
   */
  async function claimMany(claims: readonly KeyClaim[], at: Date): Promise<(SubjectKeyRecord | null)[]> {
    if (claims.length === 0) return [];
    const activity = claims.flatMap((c) => c.activity ?? []);
    const withActivity = activity.length > 0;
    const { rows } = await sql.query<KeyRow & { i: number }>(
      `WITH req AS (
         SELECT r.i, r.subject_id COLLATE "C" AS subject_id, r.master_key_id, r.wrapped_key
           FROM jsonb_to_recordset($1::jsonb) AS r(i int, subject_id text, master_key_id text, wrapped_key text)
       ), ins AS (
         INSERT INTO ${s}.vault_keys (subject_id, generation, master_key_id, wrapped_key, created_at)
         SELECT subject_id, 1, master_key_id, wrapped_key, $2::timestamptz FROM req ORDER BY subject_id
         ON CONFLICT (subject_id) DO NOTHING
         RETURNING ${keyColumns})${withActivity ? `, ${activityCtes('$3')}` : ''}
       SELECT r.i, ins.* FROM req r JOIN ins ON ins.subject_id = r.subject_id
       UNION ALL
       SELECT r.i, k.subject_id, k.generation::int AS generation, k.master_key_id, k.wrapped_key, k.erased_at
         FROM req r JOIN ${s}.vault_keys k ON k.subject_id = r.subject_id
        WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.subject_id = r.subject_id)`,
      [
        JSON.stringify(
          claims.map((c, i) => ({
            i,
            subject_id: c.key.subjectId,
            master_key_id: c.key.masterKeyId,
            wrapped_key: c.key.wrappedKey,
          })),
        ),
        at.toISOString(),
        ...(withActivity ? [activityJson(activity)] : []),
      ],
    );
    const records: (SubjectKeyRecord | null)[] = claims.map(() => null);
    for (const { i, ...row } of rows) records[i] = toRecord(row);
    return records;
  }

  return {
    kind: 'sql',
    migrate: () => runMigrations(executorTransactionRunner(sql), s, VAULT_COMPONENT, vaultMigrations(s)),

    async read(subjectId) {
      const { rows } = await sql.query<KeyRow>(
        `SELECT ${keyColumns} FROM ${s}.vault_keys WHERE subject_id = $1`,
        [subjectId],
      );
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async insert(key, at) {
      const { rows } =
        key.generation === 1
          ? await sql.query(
              `INSERT INTO ${s}.vault_keys (subject_id, generation, master_key_id, wrapped_key, created_at)
               VALUES ($1, 1, $2, $3, $4::timestamptz)
               ON CONFLICT (subject_id) DO NOTHING RETURNING subject_id`,
              [key.subjectId, key.masterKeyId, key.wrappedKey, at.toISOString()],
            )
          : await sql.query(
              `UPDATE ${s}.vault_keys
                  SET generation = $2::int, master_key_id = $3, wrapped_key = $4,
                      created_at = $5::timestamptz, erased_at = NULL
                WHERE subject_id = $1 AND wrapped_key IS NULL AND generation = $2::int - 1
               RETURNING subject_id`,
              [key.subjectId, key.generation, key.masterKeyId, key.wrappedKey, at.toISOString()],
            );
      return rows.length === 1;
    },

    async claim(key, at, activity = []) {
      const [record] = await claimMany([{ key, activity }], at);
      return record ?? null;
    },

    claimMany,

    async destroy(subjectId, at) {
      const { rows } = await sql.query<{ generation: number }>(
        `UPDATE ${s}.vault_keys SET wrapped_key = NULL, master_key_id = NULL, erased_at = $2::timestamptz
          WHERE subject_id = $1 AND wrapped_key IS NOT NULL
         RETURNING generation::int AS generation`,
        [subjectId, at.toISOString()],
      );
      return rows[0]?.generation ?? null;
    },

    async listWrappedByOther(masterKeyId, page) {
      const { rows } = await sql.query<KeyRow>(
        `SELECT ${keyColumns} FROM ${s}.vault_keys
          WHERE wrapped_key IS NOT NULL AND master_key_id <> $1 AND ($2::text IS NULL OR subject_id > $2::text)
          ORDER BY subject_id LIMIT $3::bigint`,
        [masterKeyId, page.after ?? null, page.limit ?? null],
      );
      const keys: StoredDataKey[] = [];
      for (const row of rows) {
        const record = toRecord(row);
        if (record.status === 'live') keys.push(record.key);
      }
      return keys;
    },

    async rewrap(current, next) {
      const { rows } = await sql.query(
        `UPDATE ${s}.vault_keys SET master_key_id = $5, wrapped_key = $6
          WHERE subject_id = $1 AND generation = $2::int AND master_key_id = $3 AND wrapped_key = $4
         RETURNING subject_id`,
        [
          current.subjectId,
          current.generation,
          current.masterKeyId,
          current.wrappedKey,
          next.masterKeyId,
          next.wrappedKey,
        ],
      );
      return rows.length === 1;
    },

    async recordActivity(activity: readonly SubjectActivity[]) {
      if (activity.length === 0) return;
      // One statement; rows are written in key order so concurrent writers lock them in the same order.
      await sql.query(`WITH ${activityCtes('$1')} SELECT 1`, [activityJson(activity)]);
    },

    async streamsOf(subjectId) {
      const { rows } = await sql.query<{ stream_name: string }>(
        `SELECT stream_name FROM ${s}.vault_subject_streams WHERE subject_id = $1 ORDER BY stream_name`,
        [subjectId],
      );
      return rows.map((r) => r.stream_name);
    },

    async subjectsOfStream(streamName) {
      const { rows } = await sql.query<{ subject_id: string }>(
        `SELECT subject_id FROM ${s}.vault_subject_streams WHERE stream_name = $1 ORDER BY subject_id`,
        [streamName],
      );
      return rows.map((r) => r.subject_id);
    },

    async lastActivity(subjectId) {
      const { rows } = await sql.query<{ kind: string; last_activity_at: Date | string }>(
        `SELECT kind, last_activity_at FROM ${s}.vault_subject_activity WHERE subject_id = $1 ORDER BY kind`,
        [subjectId],
      );
      return Object.fromEntries(rows.map((r) => [r.kind, asDate(r.last_activity_at)]));
    },

    async findExpired(cutoffs, page = {}) {
      const bounds = JSON.stringify(
        Object.fromEntries(Object.entries(cutoffs).map(([kind, at]) => [kind, at.toISOString()])),
      );
      const { rows } = await sql.query<{ subject_id: string; kind: string; last_activity_at: Date | string }>(
        `WITH cutoff AS (
           SELECT c.key AS kind, c.value::timestamptz AS before FROM jsonb_each_text($1::jsonb) AS c
         ), expired AS (
           SELECT a.subject_id
             FROM ${s}.vault_subject_activity a
             JOIN ${s}.vault_keys k ON k.subject_id = a.subject_id AND k.wrapped_key IS NOT NULL
             LEFT JOIN cutoff c ON c.kind = a.kind
            WHERE $2::text IS NULL OR a.subject_id > $2::text
            GROUP BY a.subject_id
           HAVING bool_and(c.before IS NOT NULL AND a.last_activity_at < c.before)
            ORDER BY a.subject_id
            LIMIT $3::bigint
         )
         SELECT a.subject_id, a.kind, a.last_activity_at
           FROM ${s}.vault_subject_activity a JOIN expired e ON e.subject_id = a.subject_id
          ORDER BY a.subject_id, a.kind`,
        [bounds, page.after ?? null, page.limit ?? null],
      );
      const out: SubjectLastActivity[] = [];
      let current: { subjectId: string; lastActivity: Record<string, Date> } | undefined;
      for (const row of rows) {
        if (current?.subjectId !== row.subject_id) {
          current = { subjectId: row.subject_id, lastActivity: {} };
          out.push(current);
        }
        current.lastActivity[row.kind] = asDate(row.last_activity_at);
      }
      return out;
    },

    close: options.close ?? (async () => {}),
  };
}
