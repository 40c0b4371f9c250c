import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { RandomBytes } from '../domain/booking/booking-reference.js';
import { idempotentEventId } from '../http/idempotency-store.js';
import type { CommandOrigin } from './execute-command.js';

/** What every command handler receives besides its input: who asks, and the request's identity. */
export interface CommandMeta {
  readonly origin: CommandOrigin;
  /**
   * The request's Idempotency-Key, when it has one. New ids, the booking reference's randomness and
   * event ids are then derived from it, so a re-run of the same request after a crash rebuilds the
   * very same events and the ledger stores them once.
   */
  readonly idempotencyKey?: string;
}

/** Ids and randomness of one request: derived from its key when it has one, random otherwise. */
export interface RequestIds {
  /** A uuid for `label` (the same label gives the same id within one keyed request). */
  id(label: string): string;
  /** Event ids of one append step, or undefined (random ids) without a key. */
  eventIds(step: string): ((index: number) => string) | undefined;
  /** Random bytes for `label` (a booking reference). */
  randomBytes(label: string): RandomBytes;
  /** A generator of ids for what a decider creates itself (waitlist offers), restarting at each call. */
  idSequence(label: string): () => string;
}

export function requestIds(meta: CommandMeta): RequestIds {
  const key = meta.idempotencyKey;
  const tenant = meta.origin.tenantId;
  if (key === undefined) {
    return {
      id: () => randomUUID(),
      eventIds: () => undefined,
      randomBytes: () => (size) => randomBytes(size),
      idSequence: () => () => randomUUID(),
    };
  }
  return {
    id: (label) => idempotentEventId(tenant, key, `id:${label}`, 0),
    eventIds: (step) => (index) => idempotentEventId(tenant, key, `step:${step}`, index),
    randomBytes: (label) => (size) => {
      const digest = createHash('sha256').update(`${tenant}\u0000${key}\u0000random:${label}`).digest();
      if (size > digest.length) throw new RangeError(`at most ${digest.length} derived bytes, ${size} asked`);
      return digest.subarray(0, size);
    },
    idSequence: (label) => {
      let next = 0;
      return () => idempotentEventId(tenant, key, `seq:${label}`, next++);
    },
  };
}
