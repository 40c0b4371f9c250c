/**
 * The SQL of the PostgreSQL ledger, shared verbatim by the PostgreSQL and the embedded PGlite adapters.
 *
 * Global order is gap-safe: a reader only sees rows whose writing transaction id is below the oldest
 * transaction still running (`pg_snapshot_xmin(pg_current_snapshot())`), and orders them by
 * (transaction_id, global_position). A transaction that took its identity value early but commits late
 * therefore cannot be skipped: until it finishes, nothing at or after its transaction id is visible.
 */

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): string {
  if (!IDENTIFIER.test(schema))
    throw new Error(`invalid schema name "${schema}": use lower-case letters, digits, _`);
  return schema;
}

/** Ordered migrations of the ledger tables; each runs once, in a transaction, recorded in schema_migrations. */
export function ledgerMigrations(schema: string): readonly { version: number; name: string; sql: string }[] {
  const s = assertSchemaName(schema);
  return [
    {
      version: 1,
      name: 'ledger tables and append function',
      sql: `
CREATE TABLE ${s}.streams (
  stream_name text PRIMARY KEY,
  revision bigint NOT NULL CHECK (revision > 0)
);

CREATE TABLE ${s}.events (
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  global_position bigint GENERATED ALWAYS AS IDENTITY,
  stream_name text NOT NULL,
  stream_revision bigint NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (transaction_id, global_position)
);
CREATE UNIQUE INDEX events_stream_revision_key ON ${s}.events (stream_name, stream_revision);
CREATE UNIQUE INDEX events_event_id_key ON ${s}.events (event_id);
`,
    },
  ];
}

/** Column list shared by every read so rows map the same way. */
export const EVENT_COLUMNS = `transaction_id::text AS commit_position, global_position::text AS prepare_position,
  stream_name, stream_revision::text AS stream_revision, event_id::text AS event_id, event_type, data, metadata, recorded_at`;

export interface EventRow {
  commit_position: string;
  prepare_position: string;
  stream_name: string;
  stream_revision: string;
  event_id: string;
  event_type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recorded_at: Date | string;
}

export interface TailRow extends EventRow {
  kind: 'e' | 't';
}

type AppendKind = 'no_stream' | 'any' | 'exists' | 'exact';

/** The compare-and-set on the stream row, returning the revision before the append as `before`. */
function compareAndSet(s: string, kind: AppendKind, count: string, expectedParam: string): string {
  switch (kind) {
    case 'no_stream':
      return `INSERT INTO ${s}.streams (stream_name, revision) VALUES ($1, ${count})
        ON CONFLICT (stream_name) DO NOTHING RETURNING 0::bigint AS before`;
    case 'any':
      return `INSERT INTO ${s}.streams AS st (stream_name, revision) VALUES ($1, ${count})
        ON CONFLICT (stream_name) DO UPDATE SET revision = st.revision + ${count} RETURNING st.revision - ${count} AS before`;
    case 'exists':
      return `UPDATE ${s}.streams st SET revision = st.revision + ${count}
        WHERE st.stream_name = $1 RETURNING st.revision - ${count} AS before`;
    case 'exact':
      return `UPDATE ${s}.streams st SET revision = st.revision + ${count}
        WHERE st.stream_name = $1 AND st.revision = ${expectedParam}::bigint RETURNING st.revision - ${count} AS before`;
  }
}

const APPEND_RESULT = `SELECT (SELECT before FROM s)::text AS before,
           (SELECT transaction_id FROM ins LIMIT 1)::text AS commit_position,
           (SELECT max(global_position) FROM ins)::text AS prepare_position`;

function appendBatch(s: string, cas: string): string {
  return `WITH s AS (${cas}),
    ins AS (
      INSERT INTO ${s}.events (stream_name, stream_revision, event_id, event_type, data, metadata)
      SELECT $1, s.before + x.ord, (x.e->>'id')::uuid, x.e->>'type', x.e->'data', x.e->'metadata'
        FROM s, jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x(e, ord)
       ORDER BY x.ord
      RETURNING transaction_id, global_position)
    ${APPEND_RESULT}`;
}

function appendSingle(s: string, cas: string): string {
  return `WITH s AS (${cas}),
    ins AS (
      INSERT INTO ${s}.events (stream_name, stream_revision, event_id, event_type, data, metadata)
      SELECT $1, s.before + 1, $2::uuid, $3, $4::jsonb, $5::jsonb FROM s
      RETURNING transaction_id, global_position)
    ${APPEND_RESULT}`;
}

export interface AppendRow {
  before: string | null;
  commit_position: string | null;
  prepare_position: string | null;
}

export function ledgerQueries(schema: string) {
  const s = assertSchemaName(schema);
  return {
    /**
     * Appends are one statement each: a compare-and-set on the stream row (the CTE `s`) feeding the insert.
     * When the compare-and-set matches nothing, nothing is inserted and `before` comes back null.
     * Re-appended event ids trip the unique index; the adapter then reports the stored append.
     * Batch form: $1 stream, $2 events as a JSON array, $3 event count, $4 expected revision (exact only).
     * Single-event form (the common case, cheaper to parse): $1 stream, $2 id, $3 type, $4 data, $5 metadata,
     * $6 expected revision (exact only).
     */
    append: {
      no_stream: appendBatch(s, compareAndSet(s, 'no_stream', '$3::bigint', '$4')),
      any: appendBatch(s, compareAndSet(s, 'any', '$3::bigint', '$4')),
      exists: appendBatch(s, compareAndSet(s, 'exists', '$3::bigint', '$4')),
      exact: appendBatch(s, compareAndSet(s, 'exact', '$3::bigint', '$4')),
    },
    appendOne: {
      no_stream: appendSingle(s, compareAndSet(s, 'no_stream', '1', '$6')),
      any: appendSingle(s, compareAndSet(s, 'any', '1', '$6')),
      exists: appendSingle(s, compareAndSet(s, 'exists', '1', '$6')),
      exact: appendSingle(s, compareAndSet(s, 'exact', '1', '$6')),
    },
    streamRevision: `SELECT revision::text AS revision FROM ${s}.streams WHERE stream_name = $1`,
    readStream: `SELECT ${EVENT_COLUMNS} FROM ${s}.events
      WHERE stream_name = $1 AND stream_revision >= $2::bigint ORDER BY events.stream_revision LIMIT $3`,
    findEvents: `SELECT ${EVENT_COLUMNS} FROM ${s}.events WHERE event_id = ANY ($1::uuid[]) ORDER BY events.stream_name, events.stream_revision`,
    /** Unfiltered page of the global order, bounded by the oldest running transaction. */
    readAll: `SELECT ${EVENT_COLUMNS} FROM ${s}.events
      WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
        AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY transaction_id, global_position LIMIT $3`,
    /**
     * Filtered page: matching rows (kind 'e') plus the last visible position (kind 't'), taken in one
     * statement so both come from one snapshot; a reader whose page is not full continues after 't'.
     * $4: stream-name LIKE patterns (empty = all), $5: event types (empty = all). UNION ALL order is not
     * guaranteed, so the reader sorts the page by position.
     */
    readAllFiltered: `WITH snap AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
      page AS (
        SELECT ${EVENT_COLUMNS} FROM ${s}.events, snap
         WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
           AND transaction_id < snap.xmin
           AND (cardinality($4::text[]) = 0 OR stream_name LIKE ANY ($4::text[]))
           AND (cardinality($5::text[]) = 0 OR event_type = ANY ($5::text[]))
         ORDER BY transaction_id, global_position LIMIT $3),
      tail AS (
        SELECT transaction_id::text AS commit_position, global_position::text AS prepare_position FROM ${s}.events, snap
         WHERE transaction_id < snap.xmin ORDER BY transaction_id DESC, global_position DESC LIMIT 1)
      SELECT 'e' AS kind, page.* FROM page
      UNION ALL
      SELECT 't', tail.commit_position, tail.prepare_position, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM tail`,
  } as const;
}
