import { idempotencyKey } from '@pti/api-client';
import { useEffect, useRef, useState } from 'react';
import { ApiError, type HeldSlot, type HoldBody, holdSlot, releaseHold } from './api.js';

/**
 * Picking a slot holds it (issue 8): the booking page asks for a hold as soon as it opens, before the
 * form, and shows its countdown. The hold depends on the vehicle (duration, price), so changing the
 * category or fuel in the form lets go of the old hold and takes a new one for the same start.
 *
 * - One request per hold: the request in flight is shared (React's StrictMode runs effects twice),
 *   and a hold taken is kept in sessionStorage until it runs out, so reloading the page finds it
 *   again instead of competing with itself for the slot.
 * - Offline, nothing is held (there is no one to ask): the form works without a countdown and the
 *   draft is sent later as a plain placement, which holds and books in one command.
 */

export type SlotHoldState =
  | { readonly kind: 'offline' }
  | { readonly kind: 'holding' }
  | { readonly kind: 'held'; readonly hold: HeldSlot }
  | { readonly kind: 'failed'; readonly error: ApiError };

export interface SlotHoldPorts {
  readonly hold: (body: HoldBody, key: string) => Promise<HeldSlot>;
  readonly release: (hold: HeldSlot) => Promise<unknown>;
  readonly now: () => number;
  readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
}

const defaultPorts = (): SlotHoldPorts => ({
  hold: holdSlot,
  release: releaseHold,
  now: () => Date.now(),
  storage: typeof sessionStorage === 'undefined' ? null : sessionStorage,
});

const STORAGE_PREFIX = 'pti-hold:';
const inFlight = new Map<string, Promise<HeldSlot>>();

/** What a hold is for: centre, start and vehicle profile (a change of any needs another hold). */
export function holdKey(body: HoldBody): string {
  return [body.centreId, body.start, body.controlType, body.vehicle.category, body.vehicle.fuel].join('|');
}

function storedHold(ports: SlotHoldPorts, key: string): HeldSlot | undefined {
  const text = ports.storage?.getItem(STORAGE_PREFIX + key);
  if (!text) return undefined;
  try {
    const hold = JSON.parse(text) as HeldSlot;
    if (Date.parse(hold.holdExpiresAt) > ports.now()) return hold;
  } catch {
    // A damaged entry is dropped below.
  }
  ports.storage?.removeItem(STORAGE_PREFIX + key);
  return undefined;
}

/** Forgets a hold (booked, released or run out), so the page does not offer it again. */
export function forgetHold(body: HoldBody, ports: SlotHoldPorts = defaultPorts()): void {
  ports.storage?.removeItem(STORAGE_PREFIX + holdKey(body));
}

/** The hold for `body`: the one kept, the one being asked for, or a new one. */
export function acquireHold(body: HoldBody, ports: SlotHoldPorts = defaultPorts()): Promise<HeldSlot> {
  const key = holdKey(body);
  const kept = storedHold(ports, key);
  if (kept) return Promise.resolve(kept);
  const pending = inFlight.get(key);
  if (pending) return pending;
  const request = ports
    .hold(body, idempotencyKey())
    .then((hold) => {
      ports.storage?.setItem(STORAGE_PREFIX + key, JSON.stringify(hold));
      return hold;
    })
    .finally(() => inFlight.delete(key));
  inFlight.set(key, request);
  return request;
}

/** Lets go of a hold at once (best effort: otherwise it runs out by itself). */
export function letGo(hold: HeldSlot, body: HoldBody, ports: SlotHoldPorts = defaultPorts()): void {
  forgetHold(body, ports);
  void ports.release(hold).catch(() => undefined);
}

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'UNEXPECTED', 'Une erreur est survenue.');
}

/**
 * Holds the slot `body` names while `online` (online, and the page still wants a hold); the state says
 * whether it is held and until when. A hold taken stays reported when `online` turns false.
 */
export function useSlotHold(body: HoldBody, online: boolean, ports?: SlotHoldPorts): SlotHoldState {
  const key = holdKey(body);
  const [state, setState] = useState<SlotHoldState>(online ? { kind: 'holding' } : { kind: 'offline' });
  const held = useRef<{ key: string; body: HoldBody; hold: HeldSlot } | null>(null);
  const latestKey = useRef(key);
  latestKey.current = key;
  const portsRef = useRef(ports ?? defaultPorts());

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `body`
  useEffect(() => {
    const current = portsRef.current;
    const previous = held.current;
    if (previous && previous.key !== key) {
      // Another vehicle profile: the old hold no longer fits what will be booked.
      held.current = null;
      letGo(previous.hold, previous.body, current);
    }
    if (held.current?.key === key) return;
    if (!online) {
      setState({ kind: 'offline' });
      return;
    }
    let active = true;
    setState({ kind: 'holding' });
    acquireHold(body, current).then(
      (hold) => {
        if (active) {
          held.current = { key, body, hold };
          setState({ kind: 'held', hold });
        } else if (latestKey.current !== key) {
          // Taken for a profile the page has since left.
          letGo(hold, body, current);
        }
      },
      (error: unknown) => {
        if (active) setState({ kind: 'failed', error: asApiError(error) });
      },
    );
    return () => {
      active = false;
    };
  }, [key, online]);

  return state;
}
