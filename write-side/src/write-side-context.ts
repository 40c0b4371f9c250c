import type { Ledger } from '@pti/platform';
import { type BookingTenantIndex, createBookingTenantIndex } from './booking/booking-loading.js';
import { type PreviousInspectionLookup, withoutPreviousInspections } from './booking/previous-inspections.js';
import { type CentreRegistry, createCentreRegistry } from './centre/centre-registry.js';
import { type AggregateStateCache, createAggregateStateCache } from './commands/aggregate-state-cache.js';
import type { CommandEnvironment } from './commands/execute-command.js';
import type { WriteSideSecrets } from './config/write-side-secrets.js';
import { DEFAULT_DURATION_MATRIX, type DurationMatrix } from './domain/durations/index.js';

/**
 * Everything the command handlers share: the ledger and its state cache, the clock, the secrets, the
 * centre registry and the network's duration matrix. Built once by the composition root; handlers
 * are plain functions taking it as first argument.
 */
export interface WriteSideContext {
  readonly env: CommandEnvironment;
  readonly secrets: WriteSideSecrets;
  readonly centres: CentreRegistry;
  readonly bookingTenants: BookingTenantIndex;
  readonly durationMatrix: DurationMatrix;
  readonly previousInspections: PreviousInspectionLookup;
  /** Slot grid step of holds; the availability projection must list with the same. */
  readonly stepMinutes: number;
  /** How long a manage link works after it is issued. */
  readonly manageTokenTtlDays: number;
  /** See `WriteSideOptions.centreFreshnessMs`. */
  readonly centreFreshnessMs: number;
  /** When each centre's cached state was last checked against its stream (monotonic ms). */
  readonly centreCheckedAt: Map<string, number>;
}

export interface WriteSideOptions {
  readonly ledger: Ledger;
  readonly secrets: WriteSideSecrets;
  readonly now?: () => Date;
  readonly cache?: AggregateStateCache;
  /** Entries of the default state cache (centres, calendar days, bookings). Default 50,000. */
  readonly cacheEntries?: number;
  /** Conflict retries per append. Default 10: a retry follows another writer's success, so only a very hot day exhausts it. */
  readonly maxAttempts?: number;
  readonly durationMatrix?: DurationMatrix;
  readonly previousInspections?: PreviousInspectionLookup;
  readonly centres?: CentreRegistry;
  readonly stepMinutes?: number;
  readonly manageTokenTtlDays?: number;
  /**
   * How long a centre's cached configuration is used without reading its stream's tail, when a
   * booking command reads it as context (default 1,000 ms; 0 reads every time). This process's own
   * centre edits are seen at once; another process's within this bound. The calendar cannot be
   * made atomic with the centre stream anyway (an edit landing between the read and the hold is
   * not seen either): the bound only widens that window from milliseconds to a second, and saves
   * one read per booking.
   */
  readonly centreFreshnessMs?: number;
}

/**
 * Manage links outlive any appointment they can still act on: the horizon is at most 365 days, and a
 * customer can only cancel or move before the appointment.
 */
export const DEFAULT_MANAGE_TOKEN_TTL_DAYS = 400;

export function createWriteSideContext(options: WriteSideOptions): WriteSideContext {
  return {
    env: {
      ledger: options.ledger,
      now: options.now ?? (() => new Date()),
      cache: options.cache ?? createAggregateStateCache(options.cacheEntries ?? 50_000),
      maxAttempts: options.maxAttempts ?? 10,
    },
    secrets: options.secrets,
    centres: options.centres ?? createCentreRegistry(options.ledger),
    bookingTenants: createBookingTenantIndex(options.ledger),
    durationMatrix: options.durationMatrix ?? DEFAULT_DURATION_MATRIX,
    previousInspections: options.previousInspections ?? withoutPreviousInspections,
    stepMinutes: options.stepMinutes ?? 15,
    manageTokenTtlDays: options.manageTokenTtlDays ?? DEFAULT_MANAGE_TOKEN_TTL_DAYS,
    centreFreshnessMs: options.centreFreshnessMs ?? 1000,
    centreCheckedAt: new Map(),
  };
}
