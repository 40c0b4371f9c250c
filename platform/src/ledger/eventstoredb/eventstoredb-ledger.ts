import { randomUUID } from 'node:crypto';
import {
  type AllStreamRecordedEvent,
  BACKWARDS,
  END,
  ErrorType,
  START as ESDB_START,
  type RecordedEvent as EsdbRecordedEvent,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  type AppendResult,
  comparePositions,
  DuplicateEventIdError,
  type EventToAppend,
  type ExpectedRevision,
  type Ledger,
  type Position,
  type ReadAllOptions,
  type ReadAllPage,
  type ReadStreamOptions,
  type RecordedEvent,
  START,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
  WrongExpectedRevisionError,
} from '../ledger-port.js';
import {
  appendIdOf,
  claimEventId,
  claimStreamName,
  EVENT_ID_CLAIM_TYPE,
  fromEsdbCurrentRevision,
  fromEsdbEventRevision,
  fromEsdbPosition,
  fromEsdbRecordedEvent,
  isDeliverable,
  isStartPosition,
  toEsdbExpectedRevision,
  toEsdbMetadata,
  toEsdbPosition,
  toEsdbReadRevision,
} from './eventstoredb-mapping.js';
import { type EventStoreDbLogger, startEsdbSubscription } from './eventstoredb-subscription.js';

export type { EventStoreDbLogger } from './eventstoredb-subscription.js';

export interface EventStoreDbLedgerOptions {
  /** e.g. `esdb://localhost:2113?tls=false`. Ignored when `client` is given. */
  connectionString?: string;
  /** An existing client; the caller owns it (`close()` does not dispose it). */
  client?: EventStoreDBClient;
  logger?: EventStoreDbLogger;
  /** Events fetched per $all read request (default 1000). */
  readChunkSize?: number;
  /** Most events one `readAll` call examines before returning a partial page (default 20 000). */
  readAllScanLimit?: number;
  /** Subscription resubscribe backoff and fallback caught-up probe tuning. */
  subscription?: { retryInitialMs?: number; retryMaxMs?: number; caughtUpProbeMs?: number };
}

export interface EventStoreDbLedger extends Ledger {
  readonly kind: 'eventstoredb';
  readonly client: EventStoreDBClient;
}

const DEFAULT_PAGE = 1000;

function isWrongExpectedVersion(err: unknown): err is WrongExpectedVersionError {
  return (
    err instanceof WrongExpectedVersionError ||
    (typeof err === 'object' &&
      err !== null &&
      (err as { type?: unknown }).type === ErrorType.WRONG_EXPECTED_VERSION)
  );
}

function isStreamNotFound(err: unknown): boolean {
  return (
    err instanceof StreamNotFoundError ||
    (typeof err === 'object' &&
      err !== null &&
      (err as { type?: unknown }).type === ErrorType.STREAM_NOT_FOUND)
  );
}

/**
 * The ledger port over EventStoreDB (`@eventstore/db-client`, DESIGN.md §4). Revision and position
 * mapping: see `eventstoredb-mapping.ts` (ESDB revisions are 0-based, ours 1-based).
 *
 * append
 * - Event ids are passed as the ESDB event ids, so EventStoreDB itself makes a re-append of the same ids
 *   idempotent (guaranteed with an exact expected revision or no_stream, from its recent-id cache with
 *   any/exists) and reports success with the stream's revision after the original batch.
 * - EventStoreDB deduplicates ids per stream only; the port refuses an id stored in another stream. So each
 *   id is first claimed in its own stream `ledger_event_id-<id>` with expected NO_STREAM and a claim event
 *   id derived from (stream, id): a re-claim for the same stream is an idempotent append, a claim for
 *   another stream conflicts and raises DuplicateEventIdError. A claim stays even when the append then
 *   fails (the id is then reserved to that stream).
 * - `duplicate`: the client cannot tell an idempotent success from a write (newer servers even return a
 *   position for both). Each append therefore stores a random nonce in the event metadata
 *   (`$ledgerAppendId`, stripped on read) and reads back the batch's last event: if it carries another
 *   nonce, an earlier (or concurrent) append wrote it and this one is a duplicate. The same read-back
 *   gives the last event's exact $all position (an append result carries the transaction's position,
 *   which is not the last event's position for multi-event batches).
 * - WrongExpectedVersionError -> WrongExpectedRevisionError(stream, expected, actualVersion + 1, or 0),
 *   except with 'any' (and 'exists' on an existing stream), where ESDB only conflicts on a batch repeating
 *   part of a stored one: that is a DuplicateEventIdError, as in the SQL adapters.
 *
 * readAll: this client (6.x) sends no filter with `readAll` (only subscriptions take one), so readAll
 * pages through $all and filters client-side, skipping system events (`$` streams/types, id claims).
 * ESDB reads from a position inclusively; the event at exactly `after` is skipped.
 *
 * subscribe: catch-up `subscribeToAll` with a server-side filter (see `eventstoredb-subscription.ts`).
 */
export function createEventStoreDbLedger(options: EventStoreDbLedgerOptions): EventStoreDbLedger {
  const ownsClient = !options.client;
  let client: EventStoreDBClient;
  if (options.client) client = options.client;
  else if (options.connectionString) client = EventStoreDBClient.connectionString(options.connectionString);
  else throw new Error('createEventStoreDbLedger needs a connectionString or a client');
  const readChunkSize = Math.max(2, Math.floor(options.readChunkSize ?? 1000));
  const readAllScanLimit = Math.max(1, Math.floor(options.readAllScanLimit ?? 20_000));
  const subscriptions = new Set<Subscription>();
  const serverCaughtUpSignal = { seen: false };
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new Error('EventStoreDB ledger is closed');
  }

  async function claim(stream: string, eventId: string): Promise<void> {
    try {
      await client.appendToStream(
        claimStreamName(eventId),
        jsonEvent({
          id: claimEventId(stream, eventId),
          type: EVENT_ID_CLAIM_TYPE,
          data: { stream, eventId },
        }),
        { expectedRevision: NO_STREAM },
      );
    } catch (err) {
      if (isWrongExpectedVersion(err)) throw new DuplicateEventIdError(stream, eventId);
      throw err;
    }
  }

  /** One event by its ESDB (0-based) revision, raw, with the commit position of its ResolvedEvent. */
  async function readEsdbEvent(
    stream: string,
    esdbRevision: bigint,
  ): Promise<{ event: EsdbRecordedEvent; commit: bigint | undefined } | undefined> {
    try {
      for await (const resolved of client.readStream(stream, {
        fromRevision: esdbRevision,
        maxCount: 1,
        direction: FORWARDS,
      })) {
        if (resolved.event) return { event: resolved.event, commit: resolved.commitPosition };
      }
    } catch (err) {
      if (isStreamNotFound(err)) return undefined;
      throw err;
    }
    return undefined;
  }

  async function append(
    stream: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    assertOpen();
    if (events.length === 0) throw new RangeError('append needs at least one event');
    const expectedRevision = toEsdbExpectedRevision(expected);
    await Promise.all(events.map((e) => claim(stream, e.id)));
    const appendId = randomUUID();
    let written: Awaited<ReturnType<EventStoreDBClient['appendToStream']>>;
    try {
      written = await client.appendToStream(
        stream,
        events.map((e) =>
          jsonEvent({
            id: e.id,
            type: e.type,
            data: { ...e.data },
            metadata: toEsdbMetadata(e.metadata, appendId),
          }),
        ),
        { expectedRevision },
      );
    } catch (err) {
      if (isWrongExpectedVersion(err)) {
        const actual = fromEsdbCurrentRevision(err.actualVersion);
        // With 'any' (or 'exists' on an existing stream) the only conflict ESDB raises is a batch that
        // repeats part of an earlier one ("corrupted idempotency"): some ids are stored, in another shape.
        if (expected === 'any' || (expected === 'exists' && actual > 0n)) {
          throw new DuplicateEventIdError(stream, events[0]!.id);
        }
        throw new WrongExpectedRevisionError(stream, expected, actual);
      }
      throw err;
    }
    const nextExpectedRevision = fromEsdbEventRevision(written.nextExpectedRevision);
    const last = await readEsdbEvent(stream, written.nextExpectedRevision);
    if (!last) {
      // The stream vanished between the append and the read-back (deleted concurrently).
      if (!written.position)
        throw new Error(`append to ${stream} succeeded but its last event cannot be read back`);
      return { nextExpectedRevision, position: fromEsdbPosition(written.position), duplicate: false };
    }
    const recorded = fromEsdbRecordedEvent(last.event, last.commit ?? written.position?.commit);
    return {
      nextExpectedRevision,
      position: recorded.position,
      duplicate: appendIdOf(last.event.metadata) !== appendId,
    };
  }

  async function readStream(stream: string, opts: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> {
    assertOpen();
    const limit = opts.limit ?? Number.MAX_SAFE_INTEGER;
    if (limit <= 0) return [];
    const out: RecordedEvent[] = [];
    try {
      for await (const resolved of client.readStream(stream, {
        fromRevision: toEsdbReadRevision(opts.fromRevision),
        maxCount: limit,
        direction: FORWARDS,
      })) {
        if (resolved.event) out.push(fromEsdbRecordedEvent(resolved.event, resolved.commitPosition));
      }
    } catch (err) {
      if (isStreamNotFound(err)) return [];
      throw err;
    }
    return out;
  }

  async function streamRevision(stream: string): Promise<bigint> {
    assertOpen();
    try {
      for await (const resolved of client.readStream(stream, {
        fromRevision: END,
        maxCount: 1,
        direction: BACKWARDS,
      })) {
        if (resolved.event) return fromEsdbEventRevision(resolved.event.revision);
      }
    } catch (err) {
      if (isStreamNotFound(err)) return 0n;
      throw err;
    }
    return 0n;
  }

  async function readAll(opts: ReadAllOptions = {}): Promise<ReadAllPage> {
    assertOpen();
    const after = opts.after ?? START;
    const limit = opts.limit ?? DEFAULT_PAGE;
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
    const events: RecordedEvent[] = [];
    /** Last position examined: reads restart there (inclusive) and skip it. */
    let boundary: Position | undefined = isStartPosition(after) ? undefined : after;
    let next: Position = after;
    let scanned = 0;
    for (;;) {
      let count = 0;
      const reader = client.readAll({
        fromPosition: boundary ? toEsdbPosition(boundary) : ESDB_START,
        maxCount: readChunkSize,
        direction: FORWARDS,
      });
      for await (const resolved of reader) {
        count++;
        const recorded: AllStreamRecordedEvent | undefined = resolved.event;
        if (!recorded) continue;
        const position = fromEsdbPosition(recorded.position);
        if (boundary && comparePositions(position, boundary) <= 0) continue;
        boundary = position;
        next = position;
        scanned++;
        if (isDeliverable(opts.filter, recorded.streamId, recorded.type))
          events.push(fromEsdbRecordedEvent(recorded));
        if (events.length >= limit || scanned >= readAllScanLimit) {
          await reader.cancel().catch(() => undefined);
          return { events, next, isEnd: false };
        }
      }
      if (count < readChunkSize) return { events, next, isEnd: true };
    }
  }

  function subscribe(subOptions: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    assertOpen();
    const sub = startEsdbSubscription(
      {
        open: (from, filter) => client.subscribeToAll({ fromPosition: from, filter }),
        peekAfter: (after) => readAll({ after, limit: 1, filter: subOptions.filter }),
        serverCaughtUpSignal,
        logger: options.logger,
        ...options.subscription,
      },
      subOptions,
      handler,
    );
    subscriptions.add(sub);
    const forget = () => subscriptions.delete(sub);
    sub.done.then(forget, forget);
    return {
      done: sub.done,
      async stop() {
        await sub.stop();
        forget();
      },
    };
  }

  async function ping(): Promise<void> {
    assertOpen();
    for await (const _ of client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 })) break;
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    // stop() waits for a running handler; a handler that never returns must not block close().
    await Promise.race([
      Promise.allSettled([...subscriptions].map((s) => s.stop())),
      new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
    ]);
    if (ownsClient) await client.dispose();
  }

  return {
    kind: 'eventstoredb',
    client,
    append,
    readStream,
    streamRevision,
    readAll,
    subscribe,
    ping,
    close,
  };
}
