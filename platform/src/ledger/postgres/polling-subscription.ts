import {
  type Position,
  type ReadAllOptions,
  type ReadAllPage,
  START,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '../ledger-port.js';

/** Something that says "there may be new events": local appends, PostgreSQL NOTIFY. */
export interface WakeSource {
  onWake(listener: () => void): () => void;
  notifyLocal(): void;
}

export function createWakeSource(): WakeSource & { fire(): void } {
  const listeners = new Set<() => void>();
  const fire = () => {
    for (const l of listeners) l();
  };
  return {
    onWake(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notifyLocal: fire,
    fire,
  };
}

interface PollingSubscriptionArgs {
  readAll(options: ReadAllOptions): Promise<ReadAllPage>;
  wake: WakeSource;
  pollIntervalMs: number;
  options: SubscribeOptions;
  handler: SubscriptionHandler;
}

const FIRST_RETRY_MS = 5;
const MAX_STORE_BACKOFF_MS = 5_000;

/**
 * Catch-up then live over `readAll`. A wake (local append or NOTIFY) triggers an immediate read; when that
 * read finds nothing (the new rows are behind an older transaction still running), it re-reads with a
 * short doubling delay until the poll interval, which is also the fallback when no wake ever comes.
 * Store errors are retried with backoff; a handler error ends the subscription.
 */
export function startPollingSubscription(args: PollingSubscriptionArgs): Subscription {
  const { handler, options } = args;
  const batchSize = options.batchSize ?? 500;
  let stopped = false;
  let woken = false;
  let release: (() => void) | null = null;

  const unlisten = args.wake.onWake(() => {
    woken = true;
    release?.();
  });

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopped || woken) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        release = null;
        resolve();
      }
      release = done;
    });

  async function run(): Promise<void> {
    let position: Position = options.after ?? START;
    let announcedCaughtUp = false;
    let retryDelay = 0;
    let storeFailures = 0;
    while (!stopped) {
      const triggeredByWake = woken;
      woken = false;
      let page: ReadAllPage;
      try {
        page = await args.readAll({ after: position, limit: batchSize, filter: options.filter });
        storeFailures = 0;
      } catch (err) {
        storeFailures++;
        handler.storeError?.(err, storeFailures);
        await pause(Math.min(MAX_STORE_BACKOFF_MS, 50 * 2 ** storeFailures));
        continue;
      }
      if (stopped) break;
      if (page.events.length > 0) {
        await handler.handle(page.events);
        announcedCaughtUp = false;
        retryDelay = 0;
      }
      position = page.next;
      if (!page.isEnd) continue;
      if (!announcedCaughtUp) {
        announcedCaughtUp = true;
        await handler.caughtUp?.(position);
      }
      if (page.events.length === 0 && (triggeredByWake || retryDelay > 0)) {
        retryDelay = retryDelay === 0 ? FIRST_RETRY_MS : retryDelay * 2;
        if (retryDelay >= args.pollIntervalMs) retryDelay = 0;
      }
      await pause(retryDelay > 0 ? retryDelay : args.pollIntervalMs);
    }
  }

  const done = run().finally(unlisten);
  // The caller may never await `done`; a rejection must not crash the process as unhandled.
  done.catch(() => undefined);

  return {
    done,
    async stop() {
      stopped = true;
      release?.();
      await done.catch(() => undefined);
    },
  };
}
