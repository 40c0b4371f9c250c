import type { EventMetadata } from '@pti/events';
import {
  type AppendResult,
  comparePositions,
  DuplicateEventIdError,
  type EventFilter,
  type EventToAppend,
  type ExpectedRevision,
  type Ledger,
  type Position,
  type ReadAllOptions,
  type ReadAllPage,
  type ReadStreamOptions,
  type RecordedEvent,
  START,
  WrongExpectedRevisionError,
} from '../ledger-port.js';
import { createAppendBatcher, createReadBatcher, type StreamRead } from './append-batcher.js';
import { type AppendRow, type EventRow, ledgerQueries, type TailRow } from './ledger-sql.js';
import { startPollingSubscription, type WakeSource } from './polling-subscription.js';

/** What the shared SQL ledger needs from a connection: one prepared-statement query. */
export interface LedgerSqlClient {
  query<R>(name: string, text: string, params: readonly unknown[]): Promise<R[]>;
}

export interface SqlLedgerOptions {
  kind: 'postgres' | 'pglite';
  schema: string;
  client: LedgerSqlClient;
  /** Where the batchers send their statements (default `client`): PostgreSQL's held connections. */
  batchClient?: LedgerSqlClient;
  wake: WakeSource;
  /** Tells other processes that something was appended (PostgreSQL NOTIFY); called after commit. */
  announce?: () => void;
  pollIntervalMs?: number;
  /**
   * Group commit (PostgreSQL): single-event appends with `no_stream` or an exact revision go through
   * it (see `createAppendBatcher`); others, and every append when absent, run their own statement.
   */
  batchAppends?: { readonly maxInFlight: number; readonly maxBatch?: number };
  /** Concurrent `readStream`s sent together, the same way (PostgreSQL). */
  batchReads?: { readonly maxInFlight: number; readonly maxBatch?: number };
  close(): Promise<void>;
  ping(): Promise<void>;
}

const DEFAULT_PAGE = 1000;

/** The statement and parameters of one append; the held-open test seam runs the same. */
export function appendCall(
  queries: ReturnType<typeof ledgerQueries>,
  stream: string,
  events: readonly EventToAppend[],
  expected: ExpectedRevision,
): { key: string; text: string; params: unknown[] } {
  let kind: 'no_stream' | 'any' | 'exists' | 'exact';
  if (typeof expected !== 'bigint') kind = expected;
  else if (expected < 0n) throw new RangeError(`expected revision must be >= 0, got ${expected}`);
  else kind = expected === 0n ? 'no_stream' : 'exact';
  const exact = kind === 'exact' ? [String(expected)] : [];
  const [only] = events;
  if (events.length === 1 && only) {
    const params = [
      stream,
      only.id,
      only.type,
      JSON.stringify(only.data),
      JSON.stringify(only.metadata),
      ...exact,
    ];
    return { key: `append_one_${kind}`, text: queries.appendOne[kind], params };
  }
  const payload = JSON.stringify(
    events.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
  );
  return {
    key: `append_${kind}`,
    text: queries.append[kind],
    params: [stream, payload, events.length, ...exact],
  };
}

export function rowToRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.event_type,
    data: row.data,
    metadata: row.metadata as unknown as EventMetadata,
    streamName: row.stream_name,
    revision: BigInt(row.stream_revision),
    position: { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) },
    recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
  };
}

function likePatterns(filter: EventFilter | undefined): string[] {
  return (filter?.streamPrefixes ?? []).map((p) => `${p.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}

function isFiltered(filter: EventFilter | undefined): boolean {
  return (filter?.streamPrefixes?.length ?? 0) > 0 || (filter?.eventTypes?.length ?? 0) > 0;
}

export function createSqlLedger(options: SqlLedgerOptions): Ledger {
  const q = ledgerQueries(options.schema);
  const { client } = options;
  const batchClient = options.batchClient ?? client;
  const stmt = (name: string) => `${options.schema}_${name}`;

  /** One single-event append as its own statement (what a batcher sends for an append alone). */
  async function appendOneAlone(
    stream: string,
    event: EventToAppend,
    expected: bigint | null,
  ): Promise<AppendRow> {
    const call = appendCall(q, stream, [event], expected ?? 'no_stream');
    const [row] = await batchClient.query<AppendRow>(stmt(call.key), call.text, call.params);
    if (!row) throw new Error('append returned no row');
    return row;
  }
  const batcher =
    options.batchAppends === undefined
      ? undefined
      : createAppendBatcher({
          schema: options.schema,
          query: batchClient.query.bind(batchClient),
          single: appendOneAlone,
          maxInFlight: options.batchAppends.maxInFlight,
          maxBatch: options.batchAppends.maxBatch,
        });

  async function streamRevision(stream: string): Promise<bigint> {
    const rows = await client.query<{ revision: string }>(stmt('stream_revision'), q.streamRevision, [
      stream,
    ]);
    return rows[0] ? BigInt(rows[0].revision) : 0n;
  }

  async function append(
    stream: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError('append needs at least one event');
    let row: AppendRow | undefined;
    const [only] = events;
    const batchable =
      batcher !== undefined &&
      only !== undefined &&
      events.length === 1 &&
      (expected === 'no_stream' || (typeof expected === 'bigint' && expected >= 0n));
    try {
      if (batchable) {
        row = await batcher?.append(
          stream,
          only,
          expected === 'no_stream' || expected === 0n ? null : expected,
        );
      } else {
        const call = appendCall(q, stream, events, expected);
        [row] = await client.query<AppendRow>(stmt(call.key), call.text, call.params);
      }
    } catch (err) {
      // Re-appended ids trip the unique event-id index: report the stored append (or refuse a partial one).
      if (isUniqueViolation(err)) {
        const dup = await findDuplicate(stream, events);
        if (dup) return dup;
      }
      throw err;
    }
    if (!row) throw new Error('append returned no row');
    if (row.before === null) {
      // The compare-and-set matched nothing: a conflict, unless these very events were stored before.
      const dup = await findDuplicate(stream, events);
      if (dup) return dup;
      throw new WrongExpectedRevisionError(stream, expected, await streamRevision(stream));
    }
    options.announce?.();
    options.wake.notifyLocal();
    return {
      nextExpectedRevision: BigInt(row.before) + BigInt(events.length),
      position: { commit: BigInt(row.commit_position!), prepare: BigInt(row.prepare_position!) },
      duplicate: false,
    };
  }

  /** The stored result of an earlier append of exactly these event ids to this stream, if any. */
  async function findDuplicate(
    stream: string,
    events: readonly EventToAppend[],
  ): Promise<AppendResult | null> {
    const rows = await client.query<EventRow>(stmt('find_events'), q.findEvents, [events.map((e) => e.id)]);
    if (rows.length === 0) return null;
    if (rows.length !== events.length || rows.some((r) => r.stream_name !== stream)) {
      throw new DuplicateEventIdError(stream, rows[0]!.event_id);
    }
    const last = rowToRecordedEvent(rows[rows.length - 1]!);
    return { nextExpectedRevision: last.revision, position: last.position, duplicate: true };
  }

  const readAlone = (read: StreamRead): Promise<EventRow[]> =>
    batchClient.query<EventRow>(stmt('read_stream'), q.readStream, [
      read.stream,
      read.from.toString(),
      read.limit,
    ]);
  const readBatcher =
    options.batchReads === undefined
      ? undefined
      : createReadBatcher({
          schema: options.schema,
          query: batchClient.query.bind(batchClient),
          single: readAlone,
          maxInFlight: options.batchReads.maxInFlight,
          maxBatch: options.batchReads.maxBatch,
        });

  async function readStream(stream: string, opts: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> {
    const read = { stream, from: opts.fromRevision ?? 1n, limit: opts.limit ?? 1_000_000 };
    const rows = await (readBatcher ? readBatcher.read(read) : readAlone(read));
    return rows.map(rowToRecordedEvent);
  }

  async function readAll(opts: ReadAllOptions = {}): Promise<ReadAllPage> {
    const after = opts.after ?? START;
    const limit = opts.limit ?? DEFAULT_PAGE;
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
    if (!isFiltered(opts.filter)) {
      const rows = await client.query<EventRow>(stmt('read_all'), q.readAll, [
        after.commit.toString(),
        after.prepare.toString(),
        limit,
      ]);
      const events = rows.map(rowToRecordedEvent);
      const last = events[events.length - 1];
      return { events, next: last ? last.position : after, isEnd: events.length < limit };
    }
    const rows = await client.query<TailRow>(stmt('read_all_filtered'), q.readAllFiltered, [
      after.commit.toString(),
      after.prepare.toString(),
      limit,
      likePatterns(opts.filter),
      [...(opts.filter?.eventTypes ?? [])],
    ]);
    const events: RecordedEvent[] = [];
    let tail: Position | undefined;
    for (const row of rows) {
      if (row.kind === 't')
        tail = { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) };
      else events.push(rowToRecordedEvent(row));
    }
    events.sort((a, b) => comparePositions(a.position, b.position));
    if (events.length >= limit) return { events, next: events[events.length - 1]!.position, isEnd: false };
    // The page is not full: every visible row up to the tail was scanned, so continue after the tail.
    const next = tail && comparePositions(tail, after) > 0 ? tail : after;
    return { events, next, isEnd: true };
  }

  return {
    kind: options.kind,
    append,
    readStream,
    streamRevision,
    readAll,
    subscribe: (subOptions, handler) =>
      startPollingSubscription({
        readAll,
        wake: options.wake,
        pollIntervalMs: options.pollIntervalMs ?? 250,
        options: subOptions,
        handler,
      }),
    ping: options.ping,
    close: options.close,
  };
}

function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === '23505'
  );
}
