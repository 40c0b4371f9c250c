import { comparePositions, type Ledger, type Position } from '@pti/platform';
import type { Projector } from './projector.js';

/** A type no event has: a filtered read with it returns no events, only the visible tail. */
const NO_TYPE = '$pti:head-probe';

export interface HeadTracker {
  /** The last position visible in the ledger (cached for `maxAgeMs`, or the given age; 0 = now). */
  head(maxAgeMs?: number): Promise<Position>;
}

/**
 * Tracks the ledger's visible tail. Each probe scans only what was appended since the previous one
 * (a filtered read that matches nothing returns the tail position as `next`).
 */
export function createHeadTracker(ledger: Ledger, options: { readonly maxAgeMs?: number } = {}): HeadTracker {
  const maxAgeMs = options.maxAgeMs ?? 250;
  // A fresh read asked for while one is in flight waits for it, then reads again.
  const createdHead = (age: number): Promise<Position> => tracker.head(age);
  let known: Position | undefined;
  let at = 0;
  let inflight: Promise<Position> | undefined;
  const tracker: HeadTracker = {
    head: (age = maxAgeMs) => {
      if (known !== undefined && Date.now() - at < age) return Promise.resolve(known);
      if (age === 0 && inflight !== undefined) return inflight.then(() => createdHead(age));
      inflight ??= (async () => {
        try {
          const page = await ledger.readAll({ after: known, limit: 1, filter: { eventTypes: [NO_TYPE] } });
          if (known === undefined || comparePositions(page.next, known) > 0) known = page.next;
          at = Date.now();
          return known;
        } finally {
          inflight = undefined;
        }
      })();
      return inflight;
    },
  };
  return tracker;
}

export interface Lag {
  /**
   * Events appended after the checkpoint (0 when none of them concerns the projector). On the SQL
   * ledgers the difference of global positions; on EventStoreDB a count of matching events, capped.
   */
  readonly events: number;
  /** Age of the oldest event the projector has not applied yet (0 when caught up). */
  readonly seconds: number;
}

const COUNT_CAP = 10_000;

/** How far a projector at `checkpoint` is behind the ledger's `head`. */
export async function projectorLag(
  ledger: Ledger,
  projector: Projector,
  checkpoint: Position,
  head: Position,
  now: Date = new Date(),
): Promise<Lag> {
  if (comparePositions(head, checkpoint) <= 0) return { events: 0, seconds: 0 };
  const first = await ledger.readAll({ after: checkpoint, limit: 1, filter: projector.filter });
  const oldest = first.events[0];
  if (oldest === undefined) return { events: 0, seconds: 0 };
  const seconds = Math.max(0, (now.getTime() - oldest.recordedAt.getTime()) / 1000);
  if (ledger.kind !== 'eventstoredb') {
    const events = Number(head.prepare - checkpoint.prepare);
    return { events: Math.max(1, events), seconds };
  }
  const page = await ledger.readAll({ after: checkpoint, limit: COUNT_CAP, filter: projector.filter });
  return { events: page.events.length, seconds };
}
