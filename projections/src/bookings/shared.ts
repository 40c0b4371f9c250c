import { isPersonalDataErased } from '@pti/events';
import { comparePositions, isErased, type SqlExecutor, type TransactionalSqlExecutor } from '@pti/platform';
import { DEFAULT_TIME_ZONE, instantToLocal } from '@pti/write-side/domain';
import type { ProjectionBatch, ProjectionEvent } from '../runtime/projector.js';
import { assertIdentifier } from '../runtime/sql.js';
import { withTenantRead } from '../runtime/tenant.js';

/**
 * Helpers shared by the staff read models (bookings, agenda, customers, reporting): personal values
 * as the vault hands them over, local dates of instants, and how query functions reach a read
 * model's tables under row-level security.
 */

/**
 * A personal text field as a column value: the plain text, or null when it was erased (once its
 * subject's key is destroyed the vault hands over `ERASED`, `[effacé]`, whatever the field's type)
 * or is not a string at all. Projecting an erased field as null is what `scrub` writes too, so a
 * rebuild after an erasure leaves the same rows as the scrub did.
 */
export function personalText(value: unknown): string | null {
  return typeof value === 'string' && !isErased(value) ? value : null;
}

/** Whether a personal field reads as erased. */
export function isErasedValue(value: unknown): boolean {
  return isErased(value);
}

// Europe/Paris is a whole number of hours from UTC and changes offset on the hour, so every instant
// of one UTC hour has the same local date: memoised per hour (the Intl conversion is the costly part
// of projecting an event in catch-up).
const localDateByHour = new Map<string, string>();
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** The local date (`YYYY-MM-DD`, Europe/Paris) of a UTC instant. */
export function localDateOf(instant: string | Date): string {
  // A canonical UTC instant (`YYYY-MM-DDTHH:MM:SS[.sss]Z`, what events carry) names its hour as
  // is: no Date to build for every event.
  const hour =
    typeof instant === 'string' && CANONICAL_UTC.test(instant)
      ? instant.slice(0, 13)
      : (typeof instant === 'string' ? new Date(instant) : instant).toISOString().slice(0, 13);
  let local = localDateByHour.get(hour);
  if (local === undefined) {
    local = instantToLocal(new Date(`${hour}:00:00Z`), DEFAULT_TIME_ZONE).date;
    if (localDateByHour.size >= 100_000) localDateByHour.clear();
    localDateByHour.set(hour, local);
  }
  return local;
}

/** An instant read back from a row (`Date` from a driver, text from `to_jsonb`) as ISO-8601 UTC. */
export function isoInstant(value: string | Date): string;
export function isoInstant(value: string | Date | null): string | null;
export function isoInstant(value: string | Date | null): string | null {
  if (value === null) return null;
  return (typeof value === 'string' ? new Date(value) : value).toISOString();
}

/** A stream revision as a plain number (streams never come near 2^53 events). */
export function revisionNumber(revision: bigint): number {
  return Number(revision);
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/**
 * Where a query function reads a read model: the database, and the schema holding its tables. In
 * production that is the stable views' schema (`rm`, `reporting` for reporting, prefixed by the
 * layout's namespace); tests may point it at a generation's table set.
 */
export interface ReadSource {
  readonly db: TransactionalSqlExecutor;
  /** Default: `rm` (`reporting` for the reporting read model). */
  readonly schema?: string;
}

export function schemaOf(source: ReadSource, fallback = 'rm'): string {
  return assertIdentifier(source.schema ?? fallback);
}

/**
 * Runs `fn` as `pti_reader` with `tenantId` set for the transaction (row-level security applies);
 * a null tenant sees no staff row at all.
 */
export function readAsTenant<T>(
  source: ReadSource,
  tenantId: string | null,
  fn: (tx: SqlExecutor) => Promise<T>,
): Promise<T> {
  return withTenantRead(source.db, tenantId, fn);
}

/** Switches an open `withTenantRead` transaction to a tenant found on the way (public lookups). */
export async function enterTenant(tx: SqlExecutor, tenantId: string): Promise<void> {
  await tx.query(`select set_config('pti.tenant_id', $1, true)`, [tenantId]);
}

// ---------------------------------------------------------------------------------------------
// Cursors and pages
// ---------------------------------------------------------------------------------------------

/** A page of a list with an opaque cursor to the next one (null on the last page). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export interface PageOptions {
  /** 1..100, default 20. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string | null;
}

export function pageLimit(options: PageOptions | undefined, fallback = 20, max = 100): number {
  const limit = options?.limit ?? fallback;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer`);
  return Math.min(limit, max);
}

/** Keyset cursors: the sort key of the last row of a page, as base64url JSON. */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export class InvalidCursorError extends RangeError {
  override readonly name = 'InvalidCursorError';
  readonly code = 'invalid_cursor';
}

/** Decodes a cursor made of `kinds.length` values of these kinds; throws {@link InvalidCursorError}. */
export function decodeCursor<const K extends readonly ('string' | 'number')[]>(
  cursor: string,
  kinds: K,
): { -readonly [I in keyof K]: K[I] extends 'number' ? number : string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('malformed cursor');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== kinds.length ||
    parsed.some((value, index) => typeof value !== kinds[index])
  ) {
    throw new InvalidCursorError('malformed cursor');
  }
  // Every element was checked against its kind just above.
  return parsed as { -readonly [I in keyof K]: K[I] extends 'number' ? number : string };
}

// ---------------------------------------------------------------------------------------------
// Erasures seen in the ledger
// ---------------------------------------------------------------------------------------------

/**
 * Applies a batch in segments cut at its `PersonalDataErased` records (stream `subject-<id>`, not
 * a catalogue event, so only in `batch.records`), erasing each subject at its own position. A
 * projector holding personal data subscribes to `SUBJECT_STREAM_PREFIX` for this: the erasure
 * participant only scrubs the live generation, so a generation being rebuilt at the time would
 * otherwise keep values it decrypted before the key was destroyed. Cutting at the record (rather
 * than erasing after the whole batch) keeps a catch-up batch equal to one-event batches when the
 * subject books again, with a new key, after the erasure.
 */
export async function applyWithErasures(
  batch: ProjectionBatch,
  apply: (events: readonly ProjectionEvent[]) => Promise<void>,
  erase: (subjectId: string) => Promise<unknown>,
): Promise<void> {
  const { events } = batch;
  let at = 0;
  for (const record of batch.records) {
    if (record.type !== 'PersonalDataErased' || !isPersonalDataErased(record.data)) continue;
    const from = at;
    while (
      at < events.length &&
      comparePositions(events[at]?.position ?? record.position, record.position) < 0
    )
      at += 1;
    if (at > from) await apply(events.slice(from, at));
    await erase(record.data.subjectId);
  }
  if (at < events.length) await apply(events.slice(at));
}
