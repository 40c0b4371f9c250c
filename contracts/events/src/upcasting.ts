import { upcastBookingPlacedV1 } from './booking/booking-placed-v1.js';
import {
  type DomainEvent,
  type DomainEventOf,
  type DomainEventType,
  type EventValidation,
  schemaVersionOf,
  validateEvent,
} from './catalogue.js';

/**
 * Upcasting: a stored event keeps the payload shape and `schemaVersion` it was written with; a
 * reader turns it into the current shape by chaining upcasters, each taking one version `n` to
 * `n + 1`. Upcasters are pure and total on valid input; they never read anything but the payload.
 */

/** Turns a payload of version `fromVersion` into one of version `fromVersion + 1`. */
export type Upcaster = (data: unknown) => unknown;

export type UpcastErrorCode =
  | 'unknown_event_type'
  | 'invalid_version'
  | 'future_version'
  | 'missing_upcaster'
  | 'duplicate_upcaster'
  | 'upcaster_failed';

export class UpcastError extends Error {
  override readonly name = 'UpcastError';
  readonly code: UpcastErrorCode;

  constructor(code: UpcastErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

export class UpcasterRegistry {
  readonly #upcasters = new Map<string, Upcaster>();
  readonly #currentVersionOf: (type: string) => number | undefined;

  /** @param currentVersionOf the current schema version of a type, `undefined` when unknown */
  constructor(currentVersionOf: (type: string) => number | undefined = schemaVersionOf) {
    this.#currentVersionOf = currentVersionOf;
  }

  #current(type: string): number {
    const current = this.#currentVersionOf(type);
    if (current === undefined)
      throw new UpcastError('unknown_event_type', `unknown event type ${JSON.stringify(type)}`);
    return current;
  }

  /** Registers the upcaster from `fromVersion` to `fromVersion + 1` of `type`. */
  register(type: string, fromVersion: number, upcaster: Upcaster): this {
    const current = this.#current(type);
    if (!Number.isInteger(fromVersion) || fromVersion < 1 || fromVersion >= current) {
      throw new UpcastError(
        'invalid_version',
        `cannot register an upcaster of ${type} from version ${fromVersion}: versions 1 to ${current - 1} can be upcast (current is ${current})`,
      );
    }
    const key = `${type}@${fromVersion}`;
    if (this.#upcasters.has(key)) {
      throw new UpcastError(
        'duplicate_upcaster',
        `an upcaster of ${type} from version ${fromVersion} is already registered`,
      );
    }
    this.#upcasters.set(key, upcaster);
    return this;
  }

  has(type: string, fromVersion: number): boolean {
    return this.#upcasters.has(`${type}@${fromVersion}`);
  }

  /**
   * Brings a payload stored at `version` to the current version of `type`, applying every upcaster
   * in turn. A payload already current is returned as is. Throws `UpcastError` for an unknown type,
   * a version that is not a positive integer, a version newer than this code knows (written by a
   * newer release: deploy it before reading), or a gap in the chain.
   */
  upcast(type: string, version: number, data: unknown): unknown {
    const current = this.#current(type);
    if (!Number.isInteger(version) || version < 1) {
      throw new UpcastError(
        'invalid_version',
        `invalid schema version ${version} of ${type}: expected an integer ≥ 1`,
      );
    }
    if (version > current) {
      throw new UpcastError(
        'future_version',
        `${type} version ${version} is newer than the current version ${current} known to this code; upgrade @pti/events before reading it`,
      );
    }
    let value = data;
    for (let from = version; from < current; from += 1) {
      const upcaster = this.#upcasters.get(`${type}@${from}`);
      if (!upcaster) {
        throw new UpcastError(
          'missing_upcaster',
          `no upcaster registered for ${type} from version ${from} to ${from + 1} (current is ${current})`,
        );
      }
      try {
        value = upcaster(value);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new UpcastError('upcaster_failed', `upcasting ${type} from version ${from} failed: ${reason}`, {
          cause: error,
        });
      }
    }
    return value;
  }
}

/** The registry of every upcaster of the catalogue. */
export const upcasters = new UpcasterRegistry()
  // Illustrative: BookingPlaced v1 never existed in a ledger (see booking/booking-placed-v1.ts).
  .register('BookingPlaced', 1, upcastBookingPlacedV1);

/** Upcasts with the catalogue's registry; see `UpcasterRegistry.upcast`. */
export function upcast(type: string, version: number, data: unknown): unknown {
  return upcasters.upcast(type, version, data);
}

/**
 * Reads a stored payload: upcasts it from its stored `version` to the current one, then validates
 * it. Upcast failures throw `UpcastError`; validation failures are returned.
 */
export function decodeEvent<K extends DomainEventType>(
  type: K,
  version: number,
  data: unknown,
): EventValidation<DomainEventOf<K>>;
export function decodeEvent(type: string, version: number, data: unknown): EventValidation<DomainEvent>;
export function decodeEvent(type: string, version: number, data: unknown): EventValidation<DomainEvent> {
  return validateEvent(type, upcast(type, version, data));
}
