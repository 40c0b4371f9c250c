import type { EventToAppend } from '../ledger-port.js';
import { type AppendRow, assertSchemaName, EVENT_COLUMNS, type EventRow } from './ledger-sql.js';

/**
 * Group commit of single-event appends (PostgreSQL adapter).
 *
 * Under load most appends of a command server are one event each, to different streams (a
 * calendar day, a new booking), from many concurrent requests. Sent one statement each, every
 * append costs a round trip, a parse/bind/execute, a commit and a WAL flush. The batcher keeps at
 * most `maxInFlight` append statements running (not counting any running past `stallMs`); appends
 * arriving while that many are running wait, and the next free turn sends every waiting append (up
 * to `maxBatch`, distinct streams) as one statement: one round trip and one commit for all of them. At low load nothing waits and each
 * append runs alone, as before.
 *
 * Semantics per append are those of the single statement: each append has its own compare-and-set
 * on its stream row (`no_stream`, or an exact revision), and one failing leaves the others of its
 * batch unaffected (its row comes back with `before` null, like a single append's). Appends of one
 * batch share a transaction, hence one commit position; global positions still order them. A
 * statement error (a re-appended event id tripping the unique index, a deadlock with another
 * process's batch) sends each append of the batch again on its own, so each gets its own answer.
 * Batches of this process never hold two appends of one stream, and no stream is in two batches at
 * once (a later append to it waits for the running one): batches cannot deadlock each other here.
 */
export interface AppendBatcher {
  /**
   * Appends one event with `no_stream` (expected null) or an exact revision ≥ 1; resolves with the
   * single statement's row (`before` null on a conflict), rejects with the statement's error.
   */
  append(stream: string, event: EventToAppend, expected: bigint | null): Promise<AppendRow>;
}

export interface AppendBatcherOptions {
  readonly schema: string;
  /** Runs a statement (named: prepared once per connection) and returns its rows. */
  readonly query: <R>(name: string, text: string, params: readonly unknown[]) => Promise<R[]>;
  /** Runs one append as the adapter's single statement. */
  readonly single: (stream: string, event: EventToAppend, expected: bigint | null) => Promise<AppendRow>;
  /** Append statements running at once before appends start to wait and batch. */
  readonly maxInFlight: number;
  /** Most appends in one statement. */
  readonly maxBatch?: number;
}

interface Pending {
  readonly stream: string;
  readonly event: EventToAppend;
  readonly expected: bigint | null;
  /**
   * The append's member of the statement's JSON array after its `{"i":n` (`,"stream":…}`), built
   * when the append arrives: a waiting append is serialized while the statement before it runs,
   * not in the turn that sends the batch (that turn is in series with PostgreSQL's work).
   */
  readonly json: string;
}

/** `,"stream":…,"metadata":…}`: the batch statement's object for one append, without its `i`. */
function pendingJson(stream: string, event: EventToAppend, expected: bigint | null): string {
  const json = JSON.stringify({
    stream,
    expected: expected === null ? null : expected.toString(),
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  });
  return `,${json.slice(1)}`;
}

/**
 * Many single-event appends in one statement: `$1` a JSON array of `{ i, stream, expected, id, type,
 * data, metadata }` (`expected` null for `no_stream`), answered with one row per append: its `i` and
 * the single statement's columns.
 *
 * The stream rows of exact appends are found through the primary key (`stream_name = ANY (…)`):
 * joined on `req` alone, whose row count the planner guesses at 100, PostgreSQL hashed the batch and
 * scanned the whole streams table for every batch, a cost growing with the number of streams (most
 * of PostgreSQL's CPU per booking in the write-side bench once a few tens of thousands existed).
 */
export function batchAppendStatement(schema: string): string {
  const s = assertSchemaName(schema);
  return `WITH req AS (
      SELECT * FROM jsonb_to_recordset($1::jsonb)
        AS r(i int, stream text, expected bigint, id uuid, type text, data jsonb, metadata jsonb)),
    upd AS (
      UPDATE ${s}.streams st SET revision = st.revision + 1
        FROM req r
       WHERE st.stream_name = ANY (ARRAY(SELECT stream FROM req WHERE expected IS NOT NULL))
         AND r.expected IS NOT NULL AND st.stream_name = r.stream AND st.revision = r.expected
      RETURNING r.i, st.revision - 1 AS before),
    created AS (
      INSERT INTO ${s}.streams (stream_name, revision)
      SELECT r.stream, 1 FROM req r WHERE r.expected IS NULL ORDER BY r.stream
      ON CONFLICT (stream_name) DO NOTHING
      RETURNING stream_name),
    cas AS (
      SELECT upd.i, upd.before FROM upd
      UNION ALL
      SELECT r.i, 0::bigint FROM created c JOIN req r ON r.stream = c.stream_name AND r.expected IS NULL),
    ins AS (
      INSERT INTO ${s}.events (stream_name, stream_revision, event_id, event_type, data, metadata)
      SELECT r.stream, cas.before + 1, r.id, r.type, r.data, r.metadata
        FROM cas JOIN req r ON r.i = cas.i
       ORDER BY r.i
      RETURNING stream_name, transaction_id, global_position)
    SELECT r.i, cas.before::text AS before, ins.transaction_id::text AS commit_position,
           ins.global_position::text AS prepare_position
      FROM req r LEFT JOIN cas ON cas.i = r.i LEFT JOIN ins ON ins.stream_name = r.stream`;
}

export function createAppendBatcher(options: AppendBatcherOptions): AppendBatcher {
  const statement = batchAppendStatement(options.schema);
  const name = `${options.schema}_append_batch`;
  const batcher = createStatementBatcher<Pending, AppendRow>({
    maxInFlight: options.maxInFlight,
    maxBatch: options.maxBatch ?? 64,
    // Two appends of one stream never share a statement or run at once (no deadlock, no self-conflict).
    exclusiveKey: (item) => item.stream,
    alone: (item) => options.single(item.stream, item.event, item.expected),
    async together(batch) {
      let json = '[';
      for (const [i, item] of batch.entries()) json += `${i === 0 ? '' : ','}{"i":${i}${item.json}`;
      const rows = await options.query<AppendRow & { i: number }>(name, statement, [`${json}]`]);
      const byIndex = new Map(rows.map((row) => [row.i, row]));
      return batch.map((item, i) => {
        const row = byIndex.get(i);
        if (!row) return new Error(`batched append to ${item.stream} returned no row`);
        return {
          before: row.before,
          commit_position: row.commit_position,
          prepare_position: row.prepare_position,
        };
      });
    },
  });
  return {
    append: (stream, event, expected) =>
      batcher.run({ stream, event, expected, json: pendingJson(stream, event, expected) }),
  };
}

export interface StatementBatcherOptions<Item, Result> {
  readonly maxInFlight: number;
  readonly maxBatch: number;
  /**
   * A statement running longer than this (waiting on a row lock, a long read) stops counting
   * against `maxInFlight`, so one slow statement never holds the others back for longer. Default 25 ms.
   */
  readonly stallMs?: number;
  /** Items with the same key never share a batch nor run at the same time. */
  readonly exclusiveKey?: (item: Item) => string;
  /** Runs one item as its own statement. */
  alone(item: Item): Promise<Result>;
  /** Runs several items as one statement; per item its result, or an Error for it alone. */
  together(batch: readonly Item[]): Promise<readonly (Result | Error)[]>;
}

/**
 * At most `maxInFlight` statements at once; what arrives meanwhile waits and goes in the next free
 * turn as one statement (in arrival order, up to `maxBatch`). A statement running past `stallMs`
 * frees its turn (it still runs). A failed batch statement runs each of its items alone, so each
 * gets the answer (or error) it would have had alone.
 */
export function createStatementBatcher<Item, Result>(options: StatementBatcherOptions<Item, Result>) {
  interface Waiting {
    readonly item: Item;
    readonly key: string | undefined;
    resolve(result: Result): void;
    reject(error: unknown): void;
  }
  const waiting: Waiting[] = [];
  const running = new Set<string>();
  const stallMs = options.stallMs ?? 25;
  let inFlight = 0;
  /** Statements still running past `stallMs`: they no longer hold a turn. */
  let stalled = 0;

  const runAlone = (entry: Waiting): Promise<void> =>
    options.alone(entry.item).then(entry.resolve, entry.reject);

  async function runTogether(batch: readonly Waiting[]): Promise<void> {
    let results: readonly (Result | Error)[];
    try {
      results = await options.together(batch.map((entry) => entry.item));
    } catch {
      await Promise.all(batch.map(runAlone));
      return;
    }
    for (const [i, entry] of batch.entries()) {
      const result = results[i];
      if (result instanceof Error) entry.reject(result);
      else if (result === undefined) entry.reject(new Error('batched statement returned no result'));
      else entry.resolve(result);
    }
  }

  function send(batch: Waiting[]): void {
    inFlight++;
    let isStalled = false;
    const stall = setTimeout(() => {
      isStalled = true;
      stalled++;
      drain();
    }, stallMs);
    stall.unref?.();
    for (const entry of batch) if (entry.key !== undefined) running.add(entry.key);
    const done = batch.length === 1 && batch[0] ? runAlone(batch[0]) : runTogether(batch);
    void done.finally(() => {
      clearTimeout(stall);
      inFlight--;
      if (isStalled) stalled--;
      for (const entry of batch) if (entry.key !== undefined) running.delete(entry.key);
      drain();
    });
  }

  function drain(): void {
    while (inFlight - stalled < options.maxInFlight && waiting.length > 0) {
      const batch: Waiting[] = [];
      const keys = new Set<string>();
      for (let at = 0; at < waiting.length && batch.length < options.maxBatch; ) {
        const entry = waiting[at];
        const free =
          entry !== undefined &&
          (entry.key === undefined || (!running.has(entry.key) && !keys.has(entry.key)));
        if (entry && free) {
          if (entry.key !== undefined) keys.add(entry.key);
          batch.push(entry);
          waiting.splice(at, 1);
        } else at++;
      }
      if (batch.length === 0) return;
      send(batch);
    }
  }

  return {
    run(item: Item): Promise<Result> {
      return new Promise<Result>((resolve, reject) => {
        waiting.push({ item, key: options.exclusiveKey?.(item), resolve, reject });
        drain();
      });
    },
  };
}

/**
 * Many stream reads in one statement: `$1` a JSON array of `{ i, stream, from, lim }`; rows carry
 * their request's `i`. One snapshot for all of them, as for one read. Rows are ordered by the
 * revision as a number (the column list hands it out as text, where 10 sorts before 2).
 */
export function batchReadStatement(schema: string): string {
  const s = assertSchemaName(schema);
  return `SELECT r.i, e.* FROM jsonb_to_recordset($1::jsonb) AS r(i int, stream text, "from" bigint, lim bigint)
    CROSS JOIN LATERAL (
      SELECT ${EVENT_COLUMNS} FROM ${s}.events
       WHERE stream_name = r.stream AND stream_revision >= r."from"
       ORDER BY events.stream_revision LIMIT r.lim) e
    ORDER BY r.i, e.stream_revision::bigint`;
}

export interface StreamRead {
  readonly stream: string;
  readonly from: bigint;
  readonly limit: number;
}

/** Concurrent `readStream`s of a busy process sent together (see {@link createStatementBatcher}). */
export function createReadBatcher(options: {
  readonly schema: string;
  readonly query: <R>(name: string, text: string, params: readonly unknown[]) => Promise<R[]>;
  readonly single: (read: StreamRead) => Promise<EventRow[]>;
  readonly maxInFlight: number;
  readonly maxBatch?: number;
}): { read(read: StreamRead): Promise<EventRow[]> } {
  const statement = batchReadStatement(options.schema);
  const name = `${options.schema}_read_batch`;
  const batcher = createStatementBatcher<StreamRead, EventRow[]>({
    maxInFlight: options.maxInFlight,
    maxBatch: options.maxBatch ?? 64,
    alone: options.single,
    async together(batch) {
      const rows = await options.query<EventRow & { i: number }>(name, statement, [
        JSON.stringify(
          batch.map((read, i) => ({ i, stream: read.stream, from: read.from.toString(), lim: read.limit })),
        ),
      ]);
      const results: EventRow[][] = batch.map(() => []);
      for (const { i, ...row } of rows) results[i]?.push(row);
      return results;
    },
  });
  return { read: (read) => batcher.run(read) };
}
