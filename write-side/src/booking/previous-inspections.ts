import type { BookingCompleted } from '@pti/events';
import type { Ledger, RecordedEvent, Subscription } from '@pti/platform';
import { loadAggregate } from '../commands/execute-command.js';
import { bookingDecider } from '../domain/booking/booking-decider.js';
import { parseBookingReference } from '../domain/booking/booking-reference.js';
import type { PreviousInspection } from '../domain/pricing/pricing.js';
import { addDaysToLocalDate, instantToLocal } from '../domain/shared/local-time.js';

/**
 * Finds the inspection a contre-visite follows, from the reference the customer quotes
 * (`previousBookingReference`) and the vehicle's plate: the domain then decides whether the
 * contre-visite is free (`isFreeContreVisite`). A reference alone is not unique (40 bits), the plate
 * must match too.
 */
export interface PreviousInspectionLookup {
  find(tenantId: string, reference: string, plate: string): Promise<PreviousInspection | null>;
}

/** For a composition without an index (benchmarks, tests): no history, every control at list price. */
export const withoutPreviousInspections: PreviousInspectionLookup = { find: async () => null };

/**
 * Only S and R results call for a contre-visite, and no policy grants a free one more than 62 days
 * after the control (`BookingPolicySet.freeContreVisiteDays` ≤ 62): older inspections never matter.
 */
export const CONTRE_VISITE_WINDOW_DAYS = 62;

export interface ContreVisiteIndex extends PreviousInspectionLookup {
  /** Catches up with the ledger from the start, then follows it live. */
  start(): void;
  stop(): Promise<void>;
  readonly size: number;
}

export interface ContreVisiteIndexOptions {
  readonly now?: () => Date;
  /** Called when the subscription stops on an error (it is not restarted). */
  readonly onError?: (error: unknown) => void;
}

/**
 * An in-memory index of the completed inspections that may still call for a free contre-visite:
 * bookings completed with S or R in the last 62 days, by tenant and reference. It follows the
 * ledger's `BookingCompleted` events and reads the booking stream of each S/R one (reference,
 * plate, centre, date). Bounded by the window, not by the history: about 20 % of controls over two
 * months. Until the catch-up ends a lookup may miss (the contre-visite is then charged): in
 * services mode the bookings read model of the projections is the better source.
 */
export function createContreVisiteIndex(
  ledger: Ledger,
  options: ContreVisiteIndexOptions = {},
): ContreVisiteIndex {
  const now = options.now ?? (() => new Date());
  const byReference = new Map<string, PreviousInspection[]>();
  let subscription: Subscription | null = null;

  const today = () => instantToLocal(now()).date;
  const stillUseful = (inspection: PreviousInspection) =>
    addDaysToLocalDate(inspection.date, CONTRE_VISITE_WINDOW_DAYS) >= today();

  async function index(event: RecordedEvent): Promise<void> {
    const data = event.data as Partial<BookingCompleted>;
    if (data.result !== 'S' && data.result !== 'R') return;
    const completedOn = instantToLocal(new Date(event.metadata.occurredAt)).date;
    if (addDaysToLocalDate(completedOn, CONTRE_VISITE_WINDOW_DAYS + 1) < today()) return;
    const { state } = await loadAggregate({ ledger }, event.streamName, bookingDecider);
    if (state.status !== 'completed' || state.result === null) return;
    const inspection: PreviousInspection = {
      bookingId: state.bookingId,
      centreId: state.centreId,
      controlType: state.controlType,
      result: state.result,
      date: state.start.slice(0, 10),
      plate: state.vehicle.plate,
    };
    if (!stillUseful(inspection)) return;
    const key = `${event.metadata.tenantId}|${state.reference}`;
    const entries = (byReference.get(key) ?? []).filter((entry) => entry.bookingId !== inspection.bookingId);
    byReference.set(key, [...entries, inspection]);
  }

  return {
    async find(tenantId, reference, plate) {
      const parsed = parseBookingReference(reference);
      if (parsed === undefined) return null;
      const key = `${tenantId}|${parsed}`;
      const entries = (byReference.get(key) ?? []).filter(stillUseful);
      if (entries.length === 0) byReference.delete(key);
      else byReference.set(key, entries);
      return entries.find((entry) => entry.plate === plate) ?? null;
    },
    start() {
      if (subscription) return;
      subscription = ledger.subscribe(
        { filter: { streamPrefixes: ['booking-'], eventTypes: ['BookingCompleted'] }, batchSize: 500 },
        {
          async handle(events) {
            for (const event of events) await index(event);
          },
        },
      );
      subscription.done.catch((error: unknown) => options.onError?.(error));
    },
    async stop() {
      await subscription?.stop();
      subscription = null;
    },
    get size() {
      let count = 0;
      for (const entries of byReference.values()) count += entries.length;
      return count;
    },
  };
}
