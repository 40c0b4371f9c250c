import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { AllStreamResolvedEvent, Filter, ReadPosition } from '@eventstore/db-client';
import { describe, expect, it, vi } from 'vitest';
import type { Position, RecordedEvent, SubscribeOptions, SubscriptionHandler } from '../ledger-port.js';
import {
  type CatchUpStream,
  type SubscriptionEngineDeps,
  startEsdbSubscription,
} from './eventstoredb-subscription.js';

/** Stands in for the client's AllStreamSubscription: a readable of resolved events plus signals. */
class FakeCatchUp extends Readable implements CatchUpStream {
  unsubscribed = false;
  constructor(
    readonly from: ReadPosition,
    readonly esdbFilter: Filter,
  ) {
    super({ objectMode: true, read() {} });
  }
  async unsubscribe(): Promise<void> {
    this.unsubscribed = true;
    this.push(null);
  }
  send(...events: AllStreamResolvedEvent[]): this {
    for (const e of events) this.push(e);
    return this;
  }
}

/** $all position of the n-th event in these tests. */
const pos = (n: number): Position => ({ commit: BigInt(n * 100), prepare: BigInt(n * 100) });

function resolved(n: number, stream = 'cat-1', type = 'T'): AllStreamResolvedEvent {
  return {
    event: {
      streamId: stream,
      id: randomUUID(),
      isJson: true,
      revision: BigInt(n - 1),
      type,
      created: new Date(),
      data: { n },
      metadata: { tenantId: 't' },
      position: pos(n),
    },
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function until(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out'));
      setTimeout(tick, 2);
    };
    tick();
  });
}

interface Harness {
  sources: FakeCatchUp[];
  batches: number[][];
  caughtUps: Position[];
  storeErrors: unknown[];
  handler: SubscriptionHandler;
  deps: SubscriptionEngineDeps;
}

function harness(
  prepare: (source: FakeCatchUp, index: number) => void = () => undefined,
  overrides: Partial<SubscriptionEngineDeps> = {},
): Harness {
  const h: Harness = {
    sources: [],
    batches: [],
    caughtUps: [],
    storeErrors: [],
    handler: {
      handle: async (events: readonly RecordedEvent[]) => {
        h.batches.push(events.map((e) => Number(e.data.n)));
      },
      caughtUp: (position) => {
        h.caughtUps.push(position);
      },
      storeError: (error) => {
        h.storeErrors.push(error);
      },
    },
    deps: {
      open: (from, filter) => {
        const source = new FakeCatchUp(from, filter);
        prepare(source, h.sources.length);
        h.sources.push(source);
        return source;
      },
      peekAfter: async (after) => ({ events: [], next: after, isEnd: false }),
      retryInitialMs: 5,
      retryMaxMs: 20,
      caughtUpProbeMs: 10_000,
      ...overrides,
    },
  };
  return h;
}

const start = (h: Harness, options: SubscribeOptions = {}) =>
  startEsdbSubscription(h.deps, options, h.handler);

describe('EventStoreDB subscription engine', () => {
  it('opens from the checkpoint with the server-side filter, batches, and signals caughtUp after the events before it', async () => {
    const h = harness((source) => source.send(...range(1, 10).map((n) => resolved(n))));
    const sub = start(h, { after: pos(0.5), batchSize: 4, filter: { streamPrefixes: ['cat-'] } });
    // The client emits caughtUp while the 10 events still sit in the stream's buffer.
    h.sources[0]!.emit('caughtUp');
    await until(() => h.caughtUps.length === 1);
    expect(h.sources[0]!.from).toEqual({ commit: 50n, prepare: 50n });
    expect(h.sources[0]!.esdbFilter).toMatchObject({ filterOn: 'streamName', prefixes: ['cat-'] });
    expect(h.batches.flat()).toEqual(range(1, 10));
    expect(Math.max(...h.batches.map((b) => b.length))).toBeLessThanOrEqual(4);
    expect(h.caughtUps).toEqual([pos(10)]);
    h.sources[0]!.send(resolved(11));
    await until(() => h.batches.flat().length === 11);
    await sub.stop();
    await expect(sub.done).resolves.toBeUndefined();
    expect(h.sources[0]!.unsubscribed).toBe(true);
  });

  it('subscribes from the start when there is no checkpoint, and excludes system events by default', async () => {
    const h = harness((source) =>
      source.send(
        resolved(1),
        resolved(2, '$stats-1', '$statsCollected'),
        resolved(3, 'other-1', '$metadata'),
        resolved(4),
      ),
    );
    const sub = start(h);
    h.sources[0]!.emit('caughtUp');
    await until(() => h.caughtUps.length === 1);
    expect(h.sources[0]!.from).toBe('start');
    expect(h.sources[0]!.esdbFilter).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
    expect(h.batches.flat()).toEqual([1, 4]);
    await sub.stop();
  });

  it('filters exactly client-side and reports the last examined position when caught up', async () => {
    const h = harness((source) =>
      source.send(
        resolved(1, 'cat-1', 'A'),
        resolved(2, 'cat-1', 'AB'),
        resolved(3, 'cat-2', 'A'),
        resolved(4, 'cat-2', 'B'),
      ),
    );
    const sub = start(h, { filter: { streamPrefixes: ['cat-'], eventTypes: ['A'] } });
    h.sources[0]!.emit('caughtUp');
    await until(() => h.caughtUps.length === 1);
    expect(h.batches.flat()).toEqual([1, 3]);
    expect(h.caughtUps).toEqual([pos(4)]);
    await sub.stop();
  });

  it('after a drop, resubscribes from the last received position: nothing lost, nothing repeated', async () => {
    const h = harness((source, index) => {
      if (index === 0) {
        source.send(...range(1, 5).map((n) => resolved(n)));
        setTimeout(() => source.destroy(new Error('connection reset')), 20);
      } else {
        // Even a server that replayed from the position inclusively, or earlier, is deduplicated.
        source.send(...range(3, 8).map((n) => resolved(n)));
      }
    });
    const sub = start(h, { batchSize: 2 });
    await until(() => h.batches.flat().length >= 8);
    expect(h.batches.flat()).toEqual(range(1, 8));
    expect(h.storeErrors).toHaveLength(1);
    expect((h.storeErrors[0] as Error).message).toBe('connection reset');
    expect(h.sources).toHaveLength(2);
    expect(h.sources[1]!.from).toEqual(pos(5));
    await sub.stop();
  });

  it('treats a stream that ends without stop() as a drop (e.g. the client was disposed)', async () => {
    const h = harness((source, index) => {
      source.send(resolved(index * 2 + 1), resolved(index * 2 + 2));
      if (index === 0) setTimeout(() => source.push(null), 10);
    });
    const sub = start(h);
    await until(() => h.batches.flat().length >= 4);
    expect(h.batches.flat()).toEqual([1, 2, 3, 4]);
    expect(h.sources[1]!.from).toEqual(pos(2));
    await sub.stop();
  });

  it('backs off between failing resubscriptions and reports each attempt', async () => {
    let opened = 0;
    const h = harness();
    const attempts: number[] = [];
    h.handler.storeError = (_error, attempt) => void attempts.push(attempt);
    h.deps.open = (from, filter) => {
      opened++;
      if (opened <= 3) throw new Error('unavailable');
      const source = new FakeCatchUp(from, filter);
      source.send(resolved(1));
      h.sources.push(source);
      return source;
    };
    const sub = start(h);
    await until(() => h.batches.flat().length === 1);
    expect(attempts).toEqual([1, 2, 3]);
    await sub.stop();
  });

  it('a handler error stops the subscription and rejects done', async () => {
    const h = harness((source) => source.send(resolved(1), resolved(2)));
    h.handler.handle = async () => {
      throw new Error('projector exploded');
    };
    const sub = start(h);
    await expect(sub.done).rejects.toThrow('projector exploded');
    expect(h.sources[0]!.unsubscribed).toBe(true);
    await sub.stop();
  });

  it('stop() resolves only once the running handler has returned', async () => {
    let release!: () => void;
    let running = false;
    const h = harness((source) => source.send(resolved(1)));
    h.handler.handle = async () => {
      running = true;
      await new Promise<void>((r) => {
        release = r;
      });
      running = false;
    };
    const sub = start(h);
    await until(() => running);
    let stopped = false;
    const stopping = sub.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(running).toBe(false);
  });

  it('falls back to probing the end of $all when the server never signals caught-up', async () => {
    // The probe pages on: a first page stops short without events, the next reaches the end.
    const peekAfter = vi.fn(async (after: Position) =>
      after.commit < 1_000n
        ? { events: [], next: pos(10), isEnd: false }
        : { events: [], next: after, isEnd: true },
    );
    const signal = { seen: false };
    const h = harness((source) => source.send(resolved(1), resolved(2)), {
      peekAfter,
      caughtUpProbeMs: 5,
      serverCaughtUpSignal: signal,
    });
    const sub = start(h);
    h.sources[0]!.emit('confirmation');
    await until(() => h.caughtUps.length === 1);
    expect(h.batches.flat()).toEqual([1, 2]);
    expect(peekAfter.mock.calls.map(([after]) => after)).toEqual([pos(2), pos(10)]);
    expect(h.caughtUps).toEqual([pos(2)]);
    // Announced once per subscription: a later native signal does not repeat it, but is remembered.
    h.sources[0]!.emit('caughtUp');
    await new Promise((r) => setTimeout(r, 20));
    expect(h.caughtUps).toHaveLength(1);
    expect(signal.seen).toBe(true);
    await sub.stop();
  });

  it('does not probe once the server has been seen signalling caught-up', async () => {
    const peekAfter = vi.fn(async (after: Position) => ({ events: [], next: after, isEnd: true }));
    const h = harness((source) => source.send(resolved(1)), {
      peekAfter,
      caughtUpProbeMs: 1,
      serverCaughtUpSignal: { seen: true },
    });
    const sub = start(h);
    h.sources[0]!.emit('confirmation');
    await until(() => h.batches.length === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(peekAfter).not.toHaveBeenCalled();
    expect(h.caughtUps).toEqual([]);
    await sub.stop();
  });

  it('pauses the source while the queue is long and resumes it once drained', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const h = harness((source) => source.send(...range(1, 300).map((n) => resolved(n))));
    const seen: number[] = [];
    h.handler.handle = async (events) => {
      await gate;
      seen.push(...events.map((e) => Number(e.data.n)));
    };
    const sub = start(h, { batchSize: 10 });
    await until(() => h.sources[0]!.isPaused());
    release();
    await until(() => seen.length === 300);
    expect(seen).toEqual(range(1, 300));
    expect(h.sources[0]!.isPaused()).toBe(false);
    await sub.stop();
  });
});
