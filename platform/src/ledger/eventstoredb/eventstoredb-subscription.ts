import type { Readable } from 'node:stream';
import type { AllStreamResolvedEvent, Filter, ReadPosition } from '@eventstore/db-client';
import {
  comparePositions,
  type Position,
  type ReadAllPage,
  type RecordedEvent,
  START,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '../ledger-port.js';
import {
  fromEsdbPosition,
  fromEsdbRecordedEvent,
  isDeliverable,
  isStartPosition,
  toEsdbFilter,
  toEsdbPosition,
} from './eventstoredb-mapping.js';

/** Minimal logger (pino's `logger.warn(obj, msg)` fits). */
export interface EventStoreDbLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

/** What the engine needs of `client.subscribeToAll(...)`'s result; the client's AllStreamSubscription fits. */
export interface CatchUpStream extends Readable {
  unsubscribe(): Promise<void>;
}

export interface SubscriptionEngineDeps {
  /** Opens a catch-up subscription to $all delivering events strictly after `from`. */
  open(from: ReadPosition, filter: Filter): CatchUpStream;
  /**
   * Fallback caught-up detection for servers that never send a caught-up message: one filtered page of
   * $all strictly after `after` (`readAll({ after, limit: 1, filter })`). Caught up when a page is empty
   * and at the end of $all; a page that stops short without events lets the probe continue from `next`.
   */
  peekAfter(after: Position): Promise<ReadAllPage>;
  /**
   * Shared among a ledger's subscriptions: set once the server was seen sending caught-up, after which
   * no subscription probes any more.
   */
  serverCaughtUpSignal?: { seen: boolean };
  logger?: EventStoreDbLogger;
  /** First resubscribe delay after a drop; doubles per consecutive failure up to `retryMaxMs`. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Quiet time after which the fallback caught-up probe runs. */
  caughtUpProbeMs?: number;
}

type Item =
  | { readonly kind: 'event'; readonly event: RecordedEvent }
  /** A received event the filter excluded: only moves the checkpoint. */
  | { readonly kind: 'progress'; readonly position: Position }
  | { readonly kind: 'caughtUp' }
  | { readonly kind: 'fellBehind' };

interface Attempt {
  readonly stream: CatchUpStream;
  /** Events received through 'data' from this ESDB subscription. */
  received: number;
  /** Out-of-band signals waiting until the events buffered before them have been received. */
  readonly markers: { threshold: number; item: Item }[];
  ended: boolean;
}

/**
 * A port subscription over EventStoreDB catch-up subscriptions to $all.
 *
 * - Events are queued as they arrive and handed to `handle` in batches of at most `batchSize`; a drain runs
 *   on `setImmediate` after data lands, so a batch is cut when the batch is full or the stream pauses.
 *   The source is paused while the queue is long (backpressure through gRPC).
 * - `caughtUp`/`fellBehind` are emitted by the client out of band, possibly while events that precede them
 *   still sit in the stream's readable buffer; they are queued behind exactly those events (the count
 *   received so far plus `readableLength` at emission time), so `caughtUp` runs after they are handled.
 *   Servers that never send caught-up are covered by a probe after a quiet period (`peekAfter`: is a
 *   matching event visible after the last one received, up to the end of $all?); once any subscription
 *   of the ledger has seen the server's own signal, probing stops.
 *   `caughtUp` is announced once per (re)subscription, and again after the server reports falling behind.
 * - A drop (gRPC error, or the stream ending without `stop()`) reports `storeError` and resubscribes with
 *   exponential backoff from the last position received. Already-received events stay queued; anything at
 *   or before the last received position is discarded, so nothing is delivered twice or skipped, whether
 *   the server treats `fromPosition` as exclusive (documented) or inclusive.
 * - A handler error stops the subscription and rejects `done`; `stop()` resolves once no handler runs.
 */
export function startEsdbSubscription(
  deps: SubscriptionEngineDeps,
  options: SubscribeOptions,
  handler: SubscriptionHandler,
): Subscription {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 500));
  const highWater = Math.max(batchSize * 4, 256);
  const lowWater = Math.max(batchSize, 64);
  const retryInitialMs = deps.retryInitialMs ?? 100;
  const retryMaxMs = deps.retryMaxMs ?? 5_000;
  const caughtUpProbeMs = deps.caughtUpProbeMs ?? 250;

  const queue: Item[] = [];
  /** Last position received from the store: the dedupe boundary and the resubscribe point. */
  let received: Position | undefined = isStartPosition(options.after) ? undefined : options.after;
  /** Last position handled (or filtered out) in order: what `caughtUp` reports. */
  let checkpoint: Position = options.after ?? START;
  let current: Attempt | undefined;
  let failures = 0;
  let stopped = false;
  let draining: Promise<void> | undefined;
  let drainScheduled = false;
  let caughtUpAnnounced = false;
  let caughtUpQueued = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  let probeDelay = caughtUpProbeMs;
  /** Where the next fallback probe reads from, when an earlier probe stopped short of the end. */
  let probeCursor: Position | undefined;
  let dataSerial = 0;
  const serverSignal = deps.serverCaughtUpSignal ?? { seen: false };

  let resolveDone!: () => void;
  let rejectDone!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  // The caller may never await `done`; a rejection must not crash the process as unhandled.
  done.catch(() => undefined);
  let failure: { error: unknown } | undefined;

  function enqueue(item: Item): void {
    if (item.kind === 'caughtUp') {
      if (caughtUpQueued) return;
      caughtUpQueued = true;
    }
    queue.push(item);
    scheduleDrain();
  }

  function releaseMarkers(attempt: Attempt): void {
    while (attempt.markers.length > 0 && attempt.markers[0]!.threshold <= attempt.received) {
      enqueue(attempt.markers.shift()!.item);
    }
  }

  function mark(attempt: Attempt, item: Item): void {
    if (attempt !== current || stopped) return;
    const threshold = attempt.received + attempt.stream.readableLength;
    attempt.markers.push({ threshold, item });
    releaseMarkers(attempt);
  }

  function onData(attempt: Attempt, resolved: AllStreamResolvedEvent): void {
    if (attempt !== current || stopped) return;
    attempt.received++;
    failures = 0;
    dataSerial++;
    probeCursor = undefined;
    cancelProbe();
    const recorded = resolved.event;
    if (recorded) {
      const position = fromEsdbPosition(recorded.position);
      if (!received || comparePositions(position, received) > 0) {
        received = position;
        if (isDeliverable(options.filter, recorded.streamId, recorded.type)) {
          enqueue({ kind: 'event', event: fromEsdbRecordedEvent(recorded) });
        } else {
          const last = queue[queue.length - 1];
          if (last?.kind === 'progress') queue[queue.length - 1] = { kind: 'progress', position };
          else enqueue({ kind: 'progress', position });
        }
      }
    }
    releaseMarkers(attempt);
    if (queue.length >= highWater && !attempt.stream.isPaused()) attempt.stream.pause();
  }

  function onDrop(attempt: Attempt, error: unknown): void {
    if (attempt.ended) return;
    attempt.ended = true;
    if (attempt !== current) return;
    current = undefined;
    scheduleResubscribe(error);
  }

  function scheduleResubscribe(error: unknown): void {
    cancelProbe();
    if (stopped) return;
    failures++;
    const err = error ?? new Error('EventStoreDB subscription ended');
    try {
      handler.storeError?.(err, failures);
    } catch {
      // A failing storeError hook must not stop the resubscription.
    }
    const delay = Math.min(retryMaxMs, retryInitialMs * 2 ** (failures - 1));
    deps.logger?.warn(
      {
        err,
        attempt: failures,
        retryInMs: delay,
        from: received ? `${received.commit}/${received.prepare}` : 'start',
      },
      'EventStoreDB subscription dropped; resubscribing from the last received position',
    );
    retryTimer = setTimeout(connect, delay);
  }

  function connect(): void {
    retryTimer = undefined;
    if (stopped) return;
    caughtUpAnnounced = false;
    let stream: CatchUpStream;
    try {
      stream = deps.open(toEsdbPosition(received), toEsdbFilter(options.filter));
    } catch (error) {
      scheduleResubscribe(error);
      return;
    }
    const attempt: Attempt = { stream, received: 0, markers: [], ended: false };
    current = attempt;
    stream.on('data', (resolved: AllStreamResolvedEvent) => onData(attempt, resolved));
    stream.on('caughtUp', () => {
      serverSignal.seen = true;
      mark(attempt, { kind: 'caughtUp' });
    });
    stream.on('fellBehind', () => mark(attempt, { kind: 'fellBehind' }));
    stream.on('confirmation', () => {
      if (attempt !== current) return;
      failures = 0;
      probeDelay = caughtUpProbeMs;
      scheduleProbe();
    });
    stream.on('error', (error: unknown) => onDrop(attempt, error));
    stream.on('end', () => onDrop(attempt, undefined));
    stream.on('close', () => onDrop(attempt, undefined));
  }

  function scheduleDrain(): void {
    if (drainScheduled || draining || stopped) return;
    drainScheduled = true;
    setImmediate(() => {
      drainScheduled = false;
      startDrain();
    });
  }

  function startDrain(): void {
    if (draining || stopped || queue.length === 0) return;
    cancelProbe();
    draining = drain()
      .catch((error: unknown) => fail(error))
      .finally(() => {
        draining = undefined;
        if (stopped) return;
        if (queue.length > 0) scheduleDrain();
        else {
          resumeSource();
          scheduleProbe();
        }
      });
  }

  async function drain(): Promise<void> {
    while (!stopped && queue.length > 0) {
      const head = queue[0]!;
      switch (head.kind) {
        case 'event': {
          const batch: RecordedEvent[] = [];
          let through: Position | undefined;
          while (batch.length < batchSize && queue.length > 0) {
            const next = queue[0]!;
            if (next.kind === 'event') {
              batch.push(next.event);
              through = next.event.position;
            } else if (next.kind === 'progress') {
              through = next.position;
            } else break;
            queue.shift();
          }
          await handler.handle(batch);
          if (through) checkpoint = through;
          break;
        }
        case 'progress':
          queue.shift();
          checkpoint = head.position;
          break;
        case 'caughtUp':
          queue.shift();
          caughtUpQueued = false;
          if (!caughtUpAnnounced) {
            caughtUpAnnounced = true;
            await handler.caughtUp?.(checkpoint);
          }
          break;
        case 'fellBehind':
          queue.shift();
          caughtUpAnnounced = false;
          break;
      }
      if (queue.length <= lowWater) resumeSource();
    }
  }

  function resumeSource(): void {
    const stream = current?.stream;
    if (stream && !current?.ended && stream.isPaused()) stream.resume();
  }

  function cancelProbe(): void {
    if (probeTimer) clearTimeout(probeTimer);
    probeTimer = undefined;
  }

  /** Fallback caught-up detection: after a quiet period, check whether anything is left to receive. */
  function scheduleProbe(): void {
    cancelProbe();
    if (stopped || serverSignal.seen || caughtUpAnnounced || caughtUpQueued || !current || current.ended)
      return;
    if (draining || queue.length > 0) return;
    const attempt = current;
    probeTimer = setTimeout(() => {
      probeTimer = undefined;
      const serial = dataSerial;
      deps.peekAfter(probeCursor ?? received ?? START).then(
        (page) => {
          if (stopped || attempt !== current || caughtUpAnnounced || caughtUpQueued || serial !== dataSerial)
            return;
          if (page.events.length === 0 && page.isEnd) {
            if (queue.length === 0) enqueue({ kind: 'caughtUp' });
            return;
          }
          if (page.events.length === 0) {
            // Stopped short of the end without finding anything: continue from there.
            probeCursor = page.next;
          } else {
            // Matching events exist beyond what was received: they are on their way.
            probeDelay = Math.min(probeDelay * 2, 5_000);
          }
          scheduleProbe();
        },
        () => {
          // The store is unreachable: the subscription's own error handling deals with it.
          if (stopped || attempt !== current) return;
          probeDelay = Math.min(probeDelay * 2, 5_000);
          scheduleProbe();
        },
      );
    }, probeDelay);
  }

  function shutdown(): void {
    stopped = true;
    cancelProbe();
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = undefined;
    const attempt = current;
    current = undefined;
    if (attempt && !attempt.ended) {
      attempt.stream.unsubscribe().catch(() => undefined);
      if (attempt.stream.isPaused()) attempt.stream.resume();
    }
  }

  function fail(error: unknown): void {
    if (failure) return;
    failure = { error };
    shutdown();
    rejectDone(error);
  }

  connect();

  return {
    done,
    async stop() {
      if (!stopped) shutdown();
      const running = draining;
      if (running) await running;
      if (failure) return;
      resolveDone();
    },
  };
}
