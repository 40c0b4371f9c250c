import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult,
  type CurrentRevision,
  type EventData,
  type EventStoreDBClient,
  type Filter,
  type ReadPosition,
  type ReadRevision,
  type ResolvedEvent,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';

/**
 * An in-memory stand-in for `EventStoreDBClient`, modelled on EventStoreDB's documented behaviour, for
 * exercising the adapter without a server (none can run here). It is not EventStoreDB: the real server is
 * only exercised by `eventstoredb-ledger.int.test.ts`. Modelled:
 * - 0-based revisions, NO_STREAM / STREAM_EXISTS / ANY / exact expected revisions and WrongExpectedVersion
 *   with the current revision;
 * - per-stream idempotency by event id (exact revision: the events after it must all match; any/exists:
 *   the first id seen in the stream anchors the check), partial matches conflicting;
 * - append results carrying the *transaction's* position (not the last event's);
 * - $all reads inclusive of `fromPosition`, forwards and backwards, without filters;
 * - catch-up subscriptions exclusive of `fromPosition`, server-side prefix/regex filters, `confirmation`,
 *   and `caughtUp` emitted while the caught-up events still sit in the stream's buffer;
 * - `dispose()` ending every open stream (as cancelling them does), then working on.
 */

interface StoredEvent {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string | undefined;
  readonly revision: bigint;
  readonly commit: bigint;
  readonly prepare: bigint;
  readonly created: Date;
}

type ReadableWith<M extends string> = Readable & Record<M, () => Promise<void>>;

export class FakeEsdbClient {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly subscribers = new Set<(event: StoredEvent) => void>();
  private readonly open = new Set<Readable>();
  private nextPosition = 1_000n;
  appendCalls = 0;

  constructor() {
    // A store is never empty: ESDB writes its own events ($-prefixed) too.
    this.write('$stats-127.0.0.1:2113', [{ id: randomUUID(), type: '$statsCollected', data: {} }]);
  }

  asClient(): EventStoreDBClient {
    return this as unknown as EventStoreDBClient;
  }

  /** Writes ESDB-internal events, as the server does now and then. */
  writeSystemEvent(): void {
    this.write('$stats-127.0.0.1:2113', [{ id: randomUUID(), type: '$statsCollected', data: {} }]);
  }

  private write(
    streamId: string,
    events: readonly { id: string; type: string; data: unknown; metadata?: unknown }[],
  ): StoredEvent[] {
    const stream = this.streams.get(streamId) ?? [];
    this.streams.set(streamId, stream);
    const written: StoredEvent[] = [];
    for (const e of events) {
      const position = this.nextPosition;
      this.nextPosition += 137n;
      const stored: StoredEvent = {
        streamId,
        id: e.id,
        type: e.type,
        data: JSON.stringify(e.data),
        metadata: e.metadata === undefined ? undefined : JSON.stringify(e.metadata),
        revision: BigInt(stream.length),
        commit: position,
        prepare: position,
        created: new Date(),
      };
      stream.push(stored);
      this.log.push(stored);
      written.push(stored);
    }
    for (const e of written) for (const s of this.subscribers) s(e);
    return written;
  }

  private toRecorded(e: StoredEvent) {
    return {
      streamId: e.streamId,
      id: e.id,
      isJson: true as const,
      revision: e.revision,
      type: e.type,
      created: e.created,
      data: JSON.parse(e.data) as Record<string, unknown>,
      metadata: e.metadata === undefined ? undefined : (JSON.parse(e.metadata) as Record<string, unknown>),
      position: { commit: e.commit, prepare: e.prepare },
    };
  }

  private track<R extends Readable>(stream: R): R {
    this.open.add(stream);
    stream.once('close', () => this.open.delete(stream));
    return stream;
  }

  async appendToStream(
    streamName: string,
    event: EventData | EventData[],
    options: { expectedRevision?: AppendExpectedRevision } = {},
  ): Promise<AppendResult> {
    this.appendCalls++;
    await new Promise((r) => setImmediate(r));
    const events = Array.isArray(event) ? event : [event];
    const expected = options.expectedRevision ?? 'any';
    const stream = this.streams.get(streamName) ?? [];
    const current: CurrentRevision = stream.length === 0 ? 'no_stream' : BigInt(stream.length - 1);
    const conflict = () =>
      new WrongExpectedVersionError(undefined, { streamName, expected, current: current });
    const done = (last: bigint, position?: { commit: bigint; prepare: bigint }): AppendResult => ({
      success: true,
      nextExpectedRevision: last,
      position,
    });
    const ids = events.map((e) => e.id);
    /** Idempotency check of the batch against the stream from index `from`. */
    const matchFrom = (from: number): 'all' | 'none' | 'partial' => {
      let matched = 0;
      for (let i = 0; i < ids.length; i++) if (stream[from + i]?.id === ids[i]) matched++;
      if (matched === ids.length) return 'all';
      return matched === 0 ? 'none' : 'partial';
    };
    if (expected === 'any' || expected === 'stream_exists') {
      if (expected === 'stream_exists' && stream.length === 0) throw conflict();
      const anchor = stream.findIndex((e) => e.id === ids[0]);
      if (anchor >= 0) {
        if (matchFrom(anchor) === 'all') {
          const last = stream[anchor + ids.length - 1]!;
          return done(last.revision, { commit: last.commit, prepare: last.commit });
        }
        throw conflict();
      }
    } else {
      const from = expected === 'no_stream' ? 0 : Number(expected) + 1;
      if (stream.length > from) {
        const match = matchFrom(from);
        if (match === 'all') {
          const last = stream[from + ids.length - 1]!;
          return done(last.revision, { commit: last.commit, prepare: last.commit });
        }
        throw conflict();
      }
      if (stream.length !== from) throw conflict();
    }
    const written = this.write(
      streamName,
      events.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
    );
    const first = written[0]!;
    const last = written[written.length - 1]!;
    // Like ESDB: the transaction's position, which is not the last event's for multi-event batches.
    return done(last.revision, { commit: last.commit, prepare: first.prepare });
  }

  readStream(
    streamName: string,
    options: {
      fromRevision?: ReadRevision;
      maxCount?: number | bigint;
      direction?: 'forwards' | 'backwards';
    } = {},
  ): ReadableWith<'cancel'> {
    const stream = this.streams.get(streamName);
    let out: Readable;
    if (!stream || stream.length === 0) {
      out = new Readable({
        objectMode: true,
        read() {
          this.destroy(new StreamNotFoundError(undefined, streamName));
        },
      });
    } else {
      const backwards = options.direction === 'backwards';
      const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      const from = options.fromRevision ?? (backwards ? 'end' : 'start');
      let selected: StoredEvent[];
      if (backwards) {
        const start = from === 'end' ? stream.length - 1 : from === 'start' ? 0 : Number(from);
        selected = stream.slice(0, start + 1).reverse();
      } else {
        const start = from === 'start' ? 0 : from === 'end' ? stream.length : Number(from);
        selected = stream.slice(start);
      }
      const items: ResolvedEvent[] = selected
        .slice(0, max)
        .map((e) => ({ event: this.toRecorded(e), commitPosition: e.commit }));
      out = Readable.from(items, { objectMode: true });
    }
    return Object.assign(this.track(out), { cancel: async () => void out.destroy() });
  }

  readAll(
    options: {
      fromPosition?: ReadPosition;
      maxCount?: number | bigint;
      direction?: 'forwards' | 'backwards';
    } = {},
  ): ReadableWith<'cancel'> {
    const backwards = options.direction === 'backwards';
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const from = options.fromPosition ?? (backwards ? 'end' : 'start');
    let selected: StoredEvent[];
    if (backwards) {
      selected = (
        from === 'end' ? this.log : from === 'start' ? [] : this.log.filter((e) => e.commit <= from.commit)
      )
        .slice()
        .reverse();
    } else {
      selected =
        from === 'start' ? this.log : from === 'end' ? [] : this.log.filter((e) => e.commit >= from.commit);
    }
    const items: AllStreamResolvedEvent[] = selected
      .slice(0, max)
      .map((e) => ({ event: this.toRecorded(e) }));
    const out = this.track(Readable.from(items, { objectMode: true }));
    return Object.assign(out, { cancel: async () => void out.destroy() });
  }

  subscribeToAll(
    options: { fromPosition?: ReadPosition; filter?: Filter } = {},
  ): ReadableWith<'unsubscribe'> {
    const from = options.fromPosition ?? 'start';
    const filter = options.filter;
    const passes = (e: StoredEvent) => {
      if (!filter) return true;
      const subject = filter.filterOn === 'streamName' ? e.streamId : e.type;
      if ('prefixes' in filter) return filter.prefixes.some((p) => subject.startsWith(p));
      return new RegExp(filter.regex).test(subject);
    };
    const out = this.track(new Readable({ objectMode: true, read() {} }));
    const live = (e: StoredEvent) => {
      if (passes(e)) out.push({ event: this.toRecorded(e) } satisfies AllStreamResolvedEvent);
    };
    const end = () => {
      this.subscribers.delete(live);
      if (!out.destroyed) out.push(null);
    };
    setImmediate(() => {
      if (out.destroyed || out.readableEnded) return;
      out.emit('confirmation');
      const after = from === 'start' ? -1n : from === 'end' ? this.nextPosition : from.commit;
      for (const e of this.log) if (e.commit > after && passes(e)) live(e);
      // As the client does: caughtUp is emitted while the events before it may still be buffered.
      out.emit('caughtUp');
      this.subscribers.add(live);
    });
    out.once('close', () => this.subscribers.delete(live));
    return Object.assign(out, { unsubscribe: async () => end() });
  }

  /** Like the real client's dispose(): every open stream is cancelled; the client keeps working. */
  async dispose(): Promise<void> {
    for (const stream of [...this.open]) {
      if (stream.destroyed) continue;
      if ('unsubscribe' in stream) stream.push(null);
      else stream.destroy();
    }
    this.subscribers.clear();
  }
}
