/**
 * Retention of personal data, per kind, from the specification (`reference/seed-spec.md` §2.3,
 * « POLITIQUE RÉTENTION ») :
 *
 * | kind      | kept for | specification                                   | applies to                                  |
 * | --------- | -------- | ----------------------------------------------- | ------------------------------------------- |
 * | `booking` | 7 years  | « RDV : 7 ans (obligations légales) »            | customers, from their last booking event    |
 * | `payment` | 10 years | « Paiements : 10 ans (obligations comptables) »  | customers, from their last payment event    |
 * | `audit`   | 3 years  | « Logs : 3 ans »                                 | audit rows of read models (participants' `prune`) |
 * | `staff`   | no limit | (not in the specification)                      | inspectors: erased on request when they leave |
 *
 * A subject's key protects all their personal data, so it is shredded only when **every** kind of
 * activity they have is past its limit: a customer who paid 8 years ago keeps the name on that
 * payment's booking for 10 years (accounting), not 7. « Disponibilités : 1 an » holds no personal
 * data and is the availability read model's own cleanup.
 */
export type RetentionKind = 'booking' | 'payment' | 'audit' | 'staff';

export interface RetentionRule {
  /** Whole years after the last activity; null keeps the data until an explicit erasure. */
  readonly years: number | null;
  /** Where the rule comes from. */
  readonly basis: string;
}

export type RetentionPolicy = Readonly<Record<RetentionKind, RetentionRule>>;

export const DEFAULT_RETENTION_POLICY: RetentionPolicy = Object.freeze({
  booking: { years: 7, basis: 'seed-spec §2.3: « RDV : 7 ans (obligations légales) »' },
  payment: { years: 10, basis: 'seed-spec §2.3: « Paiements : 10 ans (obligations comptables) »' },
  audit: { years: 3, basis: 'seed-spec §2.3: « Logs : 3 ans »' },
  staff: { years: null, basis: 'staff data: kept while employed, erased on request' },
});

/**
 * The retention kind of an event, for the activity clock of its subject: payments are `payment`,
 * anything of a centre stream (inspectors) is `staff`, the rest (bookings, waitlist) `booking`.
 */
export function retentionKindOf(eventType: string, streamName: string): RetentionKind {
  if (eventType.startsWith('Payment')) return 'payment';
  if (streamName.startsWith('centre-')) return 'staff';
  return 'booking';
}

/** The instant before which activity of each limited kind is past retention, at `now` (calendar years, UTC). */
export function retentionCutoffs(
  policy: RetentionPolicy,
  now: Date,
): Readonly<Partial<Record<RetentionKind, Date>>> {
  const cutoffs: Partial<Record<RetentionKind, Date>> = {};
  for (const [kind, rule] of Object.entries(policy) as [RetentionKind, RetentionRule][]) {
    if (rule.years === null) continue;
    const cutoff = new Date(now.getTime());
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - rule.years);
    cutoffs[kind] = cutoff;
  }
  return cutoffs;
}
