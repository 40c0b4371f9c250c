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

-- One call appends a batch: compare-and-set on the stream revision, then a multi-row insert.
-- p_expected: 'no_stream' | 'exists' | 'any' | the decimal revision. Returns one row:
-- status 'ok' | 'conflict' | 'duplicate' | 'duplicate_elsewhere', the stream revision (after the append for
-- ok, the actual one for conflict, the last duplicate's for duplicate), and the last event's position.
CREATE FUNCTION ${s}.append_events(p_stream text, p_expected text, p_events jsonb)
RETURNS TABLE (status text, revision bigint, commit_position text, prepare_position text)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_count int := jsonb_array_length(p_events);
  v_before bigint;
  v_dup record;
BEGIN
  -- Idempotency: the first event id already stored means the whole batch was appended before.
  SELECT e.stream_name, count(*) OVER () AS n, max(e.stream_revision) OVER () AS last_rev,
         e.transaction_id, e.global_position
    INTO v_dup
    FROM ${s}.events e
   WHERE e.event_id = ANY (SELECT (x->>'id')::uuid FROM jsonb_array_elements(p_events) x)
   ORDER BY e.stream_revision DESC
   LIMIT 1;
  IF FOUND THEN
    IF v_dup.stream_name <> p_stream OR v_dup.n <> v_count THEN
      RETURN QUERY SELECT 'duplicate_elsewhere'::text, 0::bigint, NULL::text, NULL::text;
    ELSE
      RETURN QUERY SELECT 'duplicate'::text, v_dup.last_rev, v_dup.transaction_id::text, v_dup.global_position::text;
    END IF;
    RETURN;
  END IF;

  IF p_expected = 'no_stream' OR p_expected = '0' THEN
    INSERT INTO ${s}.streams (stream_name, revision) VALUES (p_stream, v_count)
      ON CONFLICT (stream_name) DO NOTHING;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'conflict'::text, st.revision, NULL::text, NULL::text FROM ${s}.streams st WHERE st.stream_name = p_stream;
      RETURN;
    END IF;
    v_before := 0;
  ELSIF p_expected = 'any' THEN
    INSERT INTO ${s}.streams AS st (stream_name, revision) VALUES (p_stream, v_count)
      ON CONFLICT (stream_name) DO UPDATE SET revision = st.revision + v_count
      RETURNING st.revision - v_count INTO v_before;
  ELSIF p_expected = 'exists' THEN
    UPDATE ${s}.streams st SET revision = st.revision + v_count WHERE st.stream_name = p_stream
      RETURNING st.revision - v_count INTO v_before;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'conflict'::text, 0::bigint, NULL::text, NULL::text;
      RETURN;
    END IF;
  ELSE
    UPDATE ${s}.streams st SET revision = st.revision + v_count
     WHERE st.stream_name = p_stream AND st.revision = p_expected::bigint
      RETURNING st.revision - v_count INTO v_before;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'conflict'::text, COALESCE((SELECT st.revision FROM ${s}.streams st WHERE st.stream_name = p_stream), 0), NULL::text, NULL::text;
      RETURN;
    END IF;
  END IF;

  RETURN QUERY
  WITH inserted AS (
    INSERT INTO ${s}.events (stream_name, stream_revision, event_id, event_type, data, metadata)
    SELECT p_stream, v_before + x.ord, (x.e->>'id')::uuid, x.e->>'type', x.e->'data', x.e->'metadata'
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS x(e, ord)
     ORDER BY x.ord
    RETURNING global_position
  )
  SELECT 'ok'::text, v_before + v_count, pg_current_xact_id()::text, max(global_position)::text FROM inserted;
END
$fn$;
`,
    },
  ];
}

/** Column list shared by every read so rows map the same way. */
const EVENT_COLUMNS = `transaction_id::text AS commit_position, global_position::text AS prepare_position,
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

export function ledgerQueries(schema: string) {
  const s = assertSchemaName(schema);
  return {
    append: `SELECT status, revision::text AS revision, commit_position, prepare_position FROM ${s}.append_events($1, $2, $3::jsonb)`,
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
