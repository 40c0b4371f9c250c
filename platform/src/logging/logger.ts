import { hostname } from 'node:os';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config/config.js';

export type { Logger } from 'pino';

/**
 * JSON logs (DESIGN.md §8): one line per entry, `level` as its label, ISO `time`, `service`, and a
 * `correlationId` on every line written through {@link withCorrelation}. Personal data and secrets
 * are masked wherever they appear in a logged object, at any depth; in `child()` bindings, at the
 * top level under the usual spellings (see CHILD_BINDING_PATHS). Conservative by design: a key
 * called `name` is masked even when it names a centre; log `centreName` instead.
 */
export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Logged on every line as `service` (not `name`, which is itself a redacted personal key). */
  readonly service?: string;
  /** Where lines go; stdout when omitted. Tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
}

export const REDACTED = '[redacted]';

// Compared after lower-casing and dropping `_`/`-`, so `first_name` and `firstName` match alike.
const EXACT_KEYS = new Set([
  'name',
  'firstname',
  'lastname',
  'fullname',
  'givenname',
  'familyname',
  'surname',
  'nom',
  'prenom',
  'customername',
  'address',
  'street',
  'iban',
  'birthdate',
  'dateofbirth',
  'password',
  'secret',
  'token',
  'accesstoken',
  'refreshtoken',
  'authorization',
  'cookie',
  'masterkey',
]);
// Matched anywhere in a key (`customerEmail`, `contactPhone`, `vehiclePlate`); `name` is not, so
// `streamName` and `hostname` stay readable.
const KEY_FRAGMENTS = ['email', 'phone', 'mobile', 'plate', 'immatriculation'];

export function isPersonalKey(key: string): boolean {
  const normalized = key.toLowerCase().replaceAll(/[_-]/g, '');
  return EXACT_KEYS.has(normalized) || KEY_FRAGMENTS.some((fragment) => normalized.includes(fragment));
}

const MAX_DEPTH = 8;

/**
 * A copy of `value` with personal keys masked. Only plain objects and arrays are walked; errors,
 * dates and buffers pass through to pino's serializers untouched.
 */
export function redactPersonalData(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || seen.has(value)) return value;
  if (Array.isArray(value)) {
    seen.add(value);
    return value.map((item) => redactPersonalData(item, depth + 1, seen));
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  seen.add(value);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] =
      isPersonalKey(key) && child !== null && child !== undefined
        ? REDACTED
        : redactPersonalData(child, depth + 1, seen);
  }
  return out;
}

/**
 * pino applies `formatters.bindings` to the root bindings only, not to `child()` bindings; its
 * `redact` paths do reach those, so the common top-level spellings are listed for them too.
 */
const CHILD_BINDING_PATHS = [
  ...EXACT_KEYS,
  'firstName',
  'lastName',
  'fullName',
  'first_name',
  'last_name',
  'email',
  'phone',
  'phoneNumber',
  'mobile',
  'plate',
  'customerEmail',
  'customerPhone',
  'customerName',
  'vehiclePlate',
  'licencePlate',
  'licensePlate',
];

function redactRecord(record: Record<string, unknown>): Record<string, unknown> {
  const out = redactPersonalData(record);
  return typeof out === 'object' && out !== null && !Array.isArray(out) ? { ...out } : record;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const loggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.service ?? 'pti', pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...new Set(CHILD_BINDING_PATHS)], censor: REDACTED },
    formatters: {
      level: (label: string) => ({ level: label }),
      bindings: (bindings: Record<string, unknown>) => redactRecord(bindings),
      log: (object: Record<string, unknown>) => redactRecord(object),
    },
  };
  return options.destination === undefined ? pino(loggerOptions) : pino(loggerOptions, options.destination);
}

/** A child logger that stamps `correlationId` on every line (one per request, command or event). */
export function withCorrelation(logger: Logger, correlationId: string): Logger {
  return logger.child({ correlationId });
}
